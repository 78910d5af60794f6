/**
 * The command-line side of the Rails reader: `--rails PATH` (repeatable), and `headroom
 * relations`. main.ts registers them; the work is here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckConfig } from '../config/types.js';
import { UsageError, fileErrorText } from '../errors.js';
import type { Snapshot } from '../model/types.js';
import { DEFAULT_CHECK_CONFIG } from '../scan.js';
import { loadRails, railsFromOption } from './config.js';
import { loadRubyParser } from './prism.js';
import { formatRelationsJson, formatRelationsTable, listRelations } from './relations-command.js';
import { readSchemaRb, SchemaRbError } from './schema-rb.js';

export const RAILS_OPTION_HELP = "a Rails app's root: its models (app/models, concerns, engines) give references with source \"model\" (repeatable; replaces the config's rails:; docs/rails.md)";

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface RelationsOptions {
  config?: string;
  snapshot?: string;
  rails?: string[];
  schema?: string;
  format: 'table' | 'json';
  diff?: boolean;
}

/**
 * `headroom relations`: the catalog comes from --snapshot, the live fleet (--config or a URL), or,
 * with neither, the app's db/schema.rb (or --schema): no server needed.
 */
export async function relationsCommand(
  url: string | undefined,
  opts: RelationsOptions,
  read: () => Promise<{ snapshot: Snapshot; config: CheckConfig }>,
): Promise<string> {
  let snapshot: Snapshot;
  let config: CheckConfig;
  if (opts.snapshot || opts.config || url) {
    if (opts.schema) throw new UsageError('relations: --schema reads the catalog from schema.rb; give it instead of --snapshot, --config or a URL, not with them');
    ({ snapshot, config } = await read());
  } else {
    if (!opts.rails?.length && !opts.schema) throw new UsageError('relations: give --rails PATH (the app; its db/schema.rb is the catalog), --snapshot file.json, --config headroom.yaml or a URL');
    config = opts.rails?.length ? { ...DEFAULT_CHECK_CONFIG, rails: await loadRails(railsFromOption(opts.rails)) } : DEFAULT_CHECK_CONFIG;
    const file = opts.schema ?? join(opts.rails![0]!, 'db', 'schema.rb');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot read schema: ${fileErrorText(e)} (give --snapshot, --config or --schema for the catalog)`);
    }
    try {
      snapshot = { version: 1, takenAt: '', shards: [readSchemaRb(text, file, await loadRubyParser()).shard], errors: [] };
    } catch (e) {
      if (e instanceof SchemaRbError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (!config.rails?.length && opts.diff) throw new UsageError('relations --diff compares the models with naming: give the app (--rails PATH, or rails: in the config)');
  const listing = listRelations(snapshot, config, { diff: opts.diff === true });
  return opts.format === 'json' ? formatRelationsJson(listing) : formatRelationsTable(listing);
}
