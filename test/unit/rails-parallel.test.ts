/**
 * A big app's model files are parsed on worker threads too (from 200 files, running from dist/):
 * the result must be the one a single thread gives, byte for byte. Runs the built CLI
 * (`npm test` builds first) on a generated app of 300 models.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/headroom.js');
const dir = mkdtempSync(join(tmpdir(), 'headroom-rails-parallel-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function generate(n: number): void {
  const models = join(dir, 'app/models');
  mkdirSync(join(models, 'concerns'), { recursive: true });
  writeFileSync(join(models, 'application_record.rb'), 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n');
  writeFileSync(join(models, 'concerns/noted.rb'), 'module Noted\n  extend ActiveSupport::Concern\n  included do\n    has_many :notes, as: :notable\n  end\nend\n');
  writeFileSync(join(models, 'note.rb'), 'class Note < ApplicationRecord\n  belongs_to :notable, polymorphic: true\nend\n');
  const schema = ['ActiveRecord::Schema[7.1].define(version: 1) do', '  create_table "notes" do |t|', '    t.integer "notable_id"', '  end'];
  for (let i = 0; i < n; i++) {
    writeFileSync(
      join(models, `m${i}.rb`),
      `class M${i} < ApplicationRecord\n${i % 7 === 0 ? '  include Noted\n' : ''}  belongs_to :owner, class_name: "M${(i * 7) % n}"\n  belongs_to :broken_${i}, class_name: "#{X}"\n  has_many :items, class_name: "M${(i + 1) % n}", foreign_key: "m${i}_ref"\nend\n`,
    );
    schema.push(`  create_table "m${i}s", id: :integer do |t|`, '    t.integer "owner_id"', `    t.integer "m${(i + n - 1) % n}_ref"`, '  end');
  }
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db/schema.rb'), [...schema, 'end', ''].join('\n'));
}

describe('parsing on several threads', () => {
  it('gives the same listing as one thread', () => {
    expect(existsSync(join(ROOT, 'dist/rails/parse-worker.js')), 'dist/ is built by npm test').toBe(true);
    generate(300);
    const run = (threads: string | undefined) =>
      execFileSync(process.execPath, [BIN, 'relations', '--rails', dir, '--format', 'json'], { env: { PATH: process.env.PATH ?? '', ...(threads ? { HEADROOM_RAILS_THREADS: threads } : {}) }, maxBuffer: 64 * 1024 * 1024 }).toString();
    const many = run(undefined);
    const one = run('1');
    expect(many).toBe(one);
    const listing = JSON.parse(many);
    expect(listing.relationships.filter((r: { source: string }) => r.source === 'model')).toHaveLength(600);
    expect(listing.warnings).toHaveLength(300);
    expect(listing.polymorphic[0].candidates).toHaveLength(43);
  });
});
