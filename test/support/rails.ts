/**
 * Rails apps for tests, written inline: `railsApp({ 'app/models/post.rb': 'class Post < ApplicationRecord … end' })`
 * reads them with prism the way `rails:` / `--rails` does, without any file on disk.
 */
import { resolveModels, type RubyFile } from '../../src/rails/app.js';
import { loadRubyParser } from '../../src/rails/prism.js';
import type { RailsConfig, RailsModels } from '../../src/rails/types.js';

export const APPLICATION_RECORD = 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n';

/** Models (path → Ruby source) and, optionally, config/initializers/inflections.rb. ApplicationRecord is added unless given. */
export async function readModels(files: Record<string, string>, inflections?: string): Promise<RailsModels> {
  const parse = await loadRubyParser();
  const all: RubyFile[] = Object.entries({ 'app/models/application_record.rb': APPLICATION_RECORD, ...files }).map(([path, text]) => ({ path, text }));
  const inf: RubyFile[] = inflections === undefined ? [] : [{ path: 'config/initializers/inflections.rb', text: inflections }];
  return resolveModels(all, inf, parse, 'app');
}

/** A `rails:` entry with its models read. */
export async function railsApp(files: Record<string, string>, options: { inflections?: string; databases?: string[] } = {}): Promise<RailsConfig> {
  return { root: '/app', label: 'app', databases: options.databases ?? [], from: 'test rails', models: await readModels(files, options.inflections) };
}
