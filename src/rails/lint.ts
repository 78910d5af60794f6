/**
 * `headroom lint --rails PATH` / `--schema db/schema.rb`: the CI gate for a Rails app with no
 * database in the pipeline. schema.rb is read with prism into a catalog (shard `lint`, database
 * `schema`), the app's models add their references, and the lint checks run: pk-narrow-type,
 * fk-type-mismatch (an INT `author_id` that only a `belongs_to` links to a BIGINT `people.id`)
 * and polymorphic-capacity's type part. Every finding carries the schema.rb line of its column.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecks } from '../checks/run.js';
import { checksFor } from '../checks/registry.js';
import type { CheckConfig } from '../config/types.js';
import { UsageError, fileErrorText } from '../errors.js';
import { attachSources } from '../lint/ddl-positions.js';
import { repoRelativePath } from '../lint/repo-path.js';
import type { Report, Snapshot } from '../model/types.js';
import { loadRubyParser } from './prism.js';
import { readSchemaRb, SchemaRbError } from './schema-rb.js';

export interface SchemaLint {
  report: Report;
  /** The schema files read, as given. */
  files: string[];
}

/**
 * The schema file: `--schema` as given, else `<each --rails root>/db/schema.rb`. `config.rails`
 * (already read) supplies the models.
 */
export async function lintSchemaRb(config: CheckConfig, schema: string | undefined): Promise<SchemaLint> {
  const file = schema ?? (config.rails?.[0] ? join(config.rails[0].label, 'db', 'schema.rb') : undefined);
  if (!file) throw new UsageError('lint: give --ddl (with --workspace), --schema db/schema.rb, or --rails PATH');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read schema: ${fileErrorText(e)}${schema ? '' : ' (give --schema for a schema.rb elsewhere; structure.sql goes through --ddl)'}`);
  }
  const parse = await loadRubyParser();
  let read;
  try {
    read = readSchemaRb(text, file, parse);
  } catch (e) {
    if (e instanceof SchemaRbError) throw new UsageError(e.message);
    throw e;
  }
  const snapshot: Snapshot = { version: 1, takenAt: new Date().toISOString(), shards: [read.shard], errors: [] };
  const checked = runChecks(snapshot, config, checksFor('lint'));
  const findings = attachSources(checked.findings, read.positions, (f) => repoRelativePath(f));
  const schemaWarnings = read.warnings.map((w) => ({ file: w.file, line: w.line, message: w.message }));
  const report: Report = { ...checked, findings, ...(checked.relationWarnings || schemaWarnings.length ? { relationWarnings: [...(checked.relationWarnings ?? []), ...schemaWarnings] } : {}) };
  return { report, files: [file] };
}
