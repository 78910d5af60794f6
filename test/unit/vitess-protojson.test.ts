/**
 * VSchemas as vtctldclient prints them (protojson, EmitUnpopulated: every unset field null / [] /
 * {} / 0), generated from the proto field list (test/support/protojson.ts): headroom reads them
 * exactly as the same VSchemas written sparsely, and GetSrvVSchema's one file for every keyspace.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadVSchemaFiles, type VitessConfig } from '../../src/vitess/config.js';
import { getSrvVSchemaText, getVSchemaText, marshal } from '../support/protojson.js';

const DIR = fileURLToPath(new URL('../../fixtures/vitess/', import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Record<string, unknown>;

function config(paths: Record<string, string>): VitessConfig {
  return {
    keyspaces: Object.entries(paths).map(([name, p]) => ({ name, database: `vt_${name}`, shards: ['s'], vschema: {}, vschemaSource: p, vschemaPath: p })),
  };
}

describe('the protojson generator (what vtctldclient prints)', () => {
  it('prints every field of the proto, unset messages as null, lists [], maps {}, enums as numbers', () => {
    const ks = marshal('Keyspace', { tables: { cart_seq: { type: 'sequence' } } });
    expect(ks).toEqual({ sharded: false, vindexes: {}, tables: { cart_seq: { type: 'sequence', column_vindexes: [], auto_increment: null, columns: [], pinned: '', column_list_authoritative: false, source: '' } }, require_explicit_routing: false, foreign_key_mode: 0, multi_tenant_spec: null });
    expect(() => marshal('Table', { autoincrement: {} })).toThrow(/Table has no field autoincrement/);
  });
});

describe('headroom reads VSchemas as vtctldclient prints them', () => {
  it('GetVSchema output (nulls included) reads the same as the sparse fixtures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'headroom-protojson-'));
    const sparse = await loadVSchemaFiles(config({ commerce: join(DIR, 'commerce.json'), customer: join(DIR, 'customer.json') }), join(dir, 'h.yaml'));
    for (const ks of ['commerce', 'customer']) await writeFile(join(dir, `${ks}.json`), getVSchemaText(fixture(`${ks}.json`)));
    const printed = await loadVSchemaFiles(config({ commerce: 'commerce.json', customer: 'customer.json' }), join(dir, 'h.yaml'));
    expect(printed.keyspaces.map((k) => k.vschema)).toEqual(sparse.keyspaces.map((k) => k.vschema));
    // And the generated text really has the nulls the issue was about.
    expect(readFileSync(join(dir, 'commerce.json'), 'utf8')).toContain('"auto_increment": null');
  });

  it('GetSrvVSchema output: one file, every keyspace takes its own entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'headroom-srv-'));
    await writeFile(join(dir, 'srv.json'), getSrvVSchemaText({ commerce: fixture('commerce.json'), customer: fixture('customer.json') }));
    const srv = await loadVSchemaFiles(config({ commerce: 'srv.json', customer: 'srv.json' }), join(dir, 'h.yaml'));
    const sparse = await loadVSchemaFiles(config({ commerce: join(DIR, 'commerce.json'), customer: join(DIR, 'customer.json') }), join(dir, 'h.yaml'));
    expect(srv.keyspaces.map((k) => k.vschema)).toEqual(sparse.keyspaces.map((k) => k.vschema));
    const missing = loadVSchemaFiles(config({ lookup: 'srv.json' }), join(dir, 'h.yaml'));
    await expect(missing).rejects.toThrow(UsageError);
    await expect(missing).rejects.toThrow('srv.json: a GetSrvVSchema file without keyspace lookup (it has commerce, customer)');
  });

  it('what is really wrong stays a one-line error naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'headroom-protojson-bad-'));
    const bad = marshal('Keyspace', { sharded: true, tables: { customer: { auto_increment: { column: 'customer_id' } } } });
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    // An AutoIncrement message with `sequence` unset prints "sequence": "": that names no sequence.
    await expect(loadVSchemaFiles(config({ customer: 'bad.json' }), join(dir, 'h.yaml'))).rejects.toThrow(
      "bad.json: tables.customer.auto_increment.sequence: expected the sequence table's name as a string, got \"\"",
    );
  });
});
