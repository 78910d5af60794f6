/**
 * The inventory's `vitess:` block (src/vitess/config.ts): parsing and validation, VSchema files
 * read relative to the inventory file, and resolving a sequence name from an auto_increment entry.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory } from '../../src/config/inventory.js';
import { UsageError } from '../../src/errors.js';
import { autoIncrementEntries } from '../../src/vitess/sequences.js';
import { declaredSequences, loadVSchemaFiles, parseVitessConfig, resolveSequence, type VitessConfig } from '../../src/vitess/config.js';
import { keyspace, vitessConfig } from './builders.js';

const FILE = 'fleet.yml';
const SHARDS = ['commerce-0', 'customer-80', 'customer-80plus'];
const fail = (field: string, why: string) => new UsageError(`${FILE}: ${field}: ${why}`);
const parse = (raw: unknown) => parseVitessConfig(raw, fail, SHARDS);

/** The UsageError `fn` throws, checked to be one line; fails the test if it throws nothing or something else. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as UsageError).message;
    expect(message, 'one line').not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}
async function usageErrorAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

const CUSTOMER = {
  sharded: true,
  vindexes: { hash: { type: 'hash' } },
  tables: {
    customer: { column_vindexes: [{ column: 'customer_id', name: 'hash' }], auto_increment: { column: 'customer_id', sequence: 'customer_seq' } },
  },
};

/** CUSTOMER as headroom keeps it (a legacy `column` becomes `columns`). */
const CUSTOMER_KEPT = { ...CUSTOMER, tables: { customer: { ...CUSTOMER.tables.customer, column_vindexes: [{ columns: ['customer_id'], name: 'hash' }] } } };

describe('parseVitessConfig: valid blocks', () => {
  it('keeps an inline VSchema, defaults the database to vt_<keyspace>', () => {
    const v = parse({
      keyspaces: [
        { name: 'commerce', vschema: { tables: { customer_seq: { type: 'sequence' } } }, shards: ['commerce-0'] },
        { name: 'customer', vschema: CUSTOMER, shards: ['customer-80', 'customer-80plus'] },
      ],
    });
    expect(v).toEqual<VitessConfig>({
      keyspaces: [
        { name: 'commerce', database: 'vt_commerce', shards: ['commerce-0'], vschema: { tables: { customer_seq: { type: 'sequence' } } }, vschemaSource: 'vitess.keyspaces[0].vschema' },
        {
          name: 'customer',
          database: 'vt_customer',
          shards: ['customer-80', 'customer-80plus'],
          // As headroom keeps it: a legacy `column` becomes `columns`.
          vschema: { ...CUSTOMER, tables: { customer: { ...CUSTOMER.tables.customer, column_vindexes: [{ columns: ['customer_id'], name: 'hash' }] } } },
          vschemaSource: 'vitess.keyspaces[1].vschema',
        },
      ],
    });
  });

  it('takes `database:` when given', () => {
    expect(parse({ keyspaces: [{ name: 'commerce', vschema: {}, shards: ['commerce-0'], database: 'commerce' }] }).keyspaces[0]!.database).toBe('commerce');
  });

  it('a path is kept to be read later (validation stays pure)', () => {
    const [ks] = parse({ keyspaces: [{ name: 'customer', vschema: 'vschemas/customer.json', shards: ['customer-80'] }] }).keyspaces;
    expect(ks).toEqual({ name: 'customer', database: 'vt_customer', shards: ['customer-80'], vschema: {}, vschemaSource: 'vschemas/customer.json', vschemaPath: 'vschemas/customer.json' });
  });

  it('fields of the VSchema headroom does not use are accepted and left out; unset ones (null) are absent', () => {
    const [ks] = parse({
      keyspaces: [{ name: 'customer', vschema: { ...CUSTOMER, require_explicit_routing: true, foreign_key_mode: 'unmanaged', multi_tenant_spec: null, tables: { ...CUSTOMER.tables, t2: { type: '', auto_increment: null, column_vindexes: [], columns: [], pinned: '', source: '' } } }, shards: ['customer-80'] }],
    }).keyspaces;
    expect(ks!.vschema).toEqual({
      sharded: true,
      vindexes: { hash: { type: 'hash' } },
      tables: { customer: { column_vindexes: [{ columns: ['customer_id'], name: 'hash' }], auto_increment: { column: 'customer_id', sequence: 'customer_seq' } }, t2: {} },
    });
  });

  it('`tables: null` and `auto_increment: null` (protojson for unset) are accepted', () => {
    expect(parse({ keyspaces: [{ name: 'customer', vschema: { sharded: true, tables: null }, shards: ['customer-80'] }] }).keyspaces[0]!.vschema).toEqual({ sharded: true });
    expect(parse({ keyspaces: [{ name: 'customer', vschema: { tables: { c: { auto_increment: null } } }, shards: ['customer-80'] }] }).keyspaces[0]!.vschema).toEqual({ tables: { c: {} } });
  });

  it('parseInventory reads the block from YAML', () => {
    const inv = parseInventory(
      [
        'shards:',
        '  - { name: commerce-0, host: db0, user: u }',
        '  - { name: customer-80, host: db1, user: u }',
        'vitess:',
        '  keyspaces:',
        '    - name: commerce',
        '      vschema: { tables: { customer_seq: { type: sequence } } }',
        '      shards: [commerce-0]',
        '    - name: customer',
        '      vschema: vschemas/customer.json',
        '      shards: [customer-80]',
        '      database: customer_db',
      ].join('\n'),
      FILE,
      {},
    );
    expect(inv.vitess!.keyspaces.map((k) => [k.name, k.database, k.shards, k.vschemaPath ?? k.vschema])).toEqual([
      ['commerce', 'vt_commerce', ['commerce-0'], { tables: { customer_seq: { type: 'sequence' } } }],
      ['customer', 'customer_db', ['customer-80'], 'vschemas/customer.json'],
    ]);
  });
});

describe('parseVitessConfig: errors are one line and name the field', () => {
  const ks = (extra: Record<string, unknown>) => ({ keyspaces: [{ name: 'customer', vschema: CUSTOMER, shards: ['customer-80'], ...extra }] });

  it.each<[string, unknown, string]>([
    ['not a mapping', ['customer'], 'fleet.yml: vitess: expected a mapping with `keyspaces:`'],
    ['null', null, 'fleet.yml: vitess: expected a mapping with `keyspaces:`'],
    ['an unknown key', { keyspaces: [], sequences: [] }, 'fleet.yml: vitess.sequences: unknown key; allowed: keyspaces, vtctld'],
    ['no keyspaces', {}, 'fleet.yml: vitess.keyspaces: expected a non-empty list'],
    ['empty keyspaces', { keyspaces: [] }, 'fleet.yml: vitess.keyspaces: expected a non-empty list'],
    ['a keyspace that is not a mapping', { keyspaces: ['customer'] }, 'fleet.yml: vitess.keyspaces[0]: expected a mapping {name, vschema, shards}'],
    ['an unknown keyspace key', ks({ sharded: true }), 'fleet.yml: vitess.keyspaces[0].sharded: unknown key; allowed: name, vschema, shards, database'],
    ['no name', { keyspaces: [{ vschema: CUSTOMER, shards: ['customer-80'] }] }, 'fleet.yml: vitess.keyspaces[0].name: missing: the keyspace name'],
    ['an empty name', ks({ name: '' }), 'fleet.yml: vitess.keyspaces[0].name: missing: the keyspace name'],
    ['no shards', { keyspaces: [{ name: 'customer', vschema: CUSTOMER }] }, 'fleet.yml: vitess.keyspaces[0].shards: expected a list of shard names from `shards:`'],
    ['empty shards', ks({ shards: [] }), 'fleet.yml: vitess.keyspaces[0].shards: expected a list of shard names from `shards:`'],
    ['shards as a string', ks({ shards: 'customer-80' }), 'fleet.yml: vitess.keyspaces[0].shards: expected a list of shard names from `shards:`'],
    ['a shard that is not a string', ks({ shards: ['customer-80', 3] }), 'fleet.yml: vitess.keyspaces[0].shards: expected a list of shard names from `shards:`'],
    ['an unknown shard name', ks({ shards: ['customer-80', 'customer-c0'] }), 'fleet.yml: vitess.keyspaces[0].shards[1]: "customer-c0" is not a shard in `shards:`'],
  ])('%s', (_what, raw, message) => {
    expect(usageError(() => parse(raw))).toBe(message);
  });

  it('names the keyspace by its position', () => {
    const raw = { keyspaces: [{ name: 'commerce', vschema: {}, shards: ['commerce-0'] }, { name: 'customer', vschema: CUSTOMER, shards: ['nope'] }] };
    expect(usageError(() => parse(raw))).toBe('fleet.yml: vitess.keyspaces[1].shards[0]: "nope" is not a shard in `shards:`');
  });

  const VS = 'fleet.yml: vitess.keyspaces[0].vschema: ';
  it.each<[string, unknown, string]>([
    ['missing', undefined, 'expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one'],
    ['a list', [CUSTOMER], 'expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one'],
    ['a number', 3, 'expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one'],
    ['null', null, 'expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one'],
    ['tables as a list', { tables: [] }, '`tables` must be a mapping'],
    ['tables as a string', { tables: 'customer' }, '`tables` must be a mapping'],
    ['auto_increment without sequence', { tables: { customer: { auto_increment: { column: 'customer_id' } } } }, "tables.customer.auto_increment.sequence: expected the sequence table's name as a string, got undefined"],
    ['auto_increment without column', { tables: { customer: { auto_increment: { sequence: 'customer_seq' } } } }, 'tables.customer.auto_increment.column: missing: the column the sequence feeds'],
    ['auto_increment as a string', { tables: { customer: { auto_increment: 'customer_seq' } } }, 'tables.customer.auto_increment: expected {"column": ..., "sequence": ...} or null'],
    ['a sequence name that is not a string', { tables: { customer: { auto_increment: { column: 'customer_id', sequence: 7 } } } }, "tables.customer.auto_increment.sequence: expected the sequence table's name as a string, got 7"],
    ['a column vindex without a name', { tables: { customer: { column_vindexes: [{ column: 'customer_id' }] } } }, "tables.customer.column_vindexes[0].name: missing: the vindex's name"],
    ['a vindex without a type', { vindexes: { hash: {} } }, 'vindexes.hash.type: expected the vindex type, e.g. "hash"'],
  ])('a vschema that is %s', (_what, vschema, why) => {
    const raw = { keyspaces: [{ name: 'customer', shards: ['customer-80'], ...(vschema === undefined ? {} : { vschema }) }] };
    expect(usageError(() => parse(raw))).toBe(VS + why);
  });

  it('parseInventory reports the same messages, with the file name', () => {
    const text = ['shards:', '  - { name: customer-80, host: db1, user: u }', 'vitess:', '  keyspaces:', '    - name: customer', '      vschema: { tables: [] }', '      shards: [customer-80]'].join('\n');
    expect(usageError(() => parseInventory(text, FILE, {}))).toBe('fleet.yml: vitess.keyspaces[0].vschema: `tables` must be a mapping');
    const unknownShard = text.replace('shards: [customer-80]', 'shards: [customer-90]').replace('{ tables: [] }', '{}');
    expect(usageError(() => parseInventory(unknownShard, FILE, {}))).toBe('fleet.yml: vitess.keyspaces[0].shards[0]: "customer-90" is not a shard in `shards:`');
  });

  // BUG (src/vitess/config.ts:76-82): a table entry that is not a mapping (`"customer": null`, e.g. YAML
  // `customer:` with nothing after it) passes validation, then crashes the scan with a TypeError in
  // autoIncrementEntries/declaredSequences (`t.auto_increment` / `t.type` of null).
  it('a table entry that is not a mapping is a one-line error naming it', () => {
    expect(usageError(() => parse({ keyspaces: [{ name: 'customer', vschema: { sharded: true, tables: { customer: null } }, shards: ['customer-80'] }] }))).toMatch(
      /vitess\.keyspaces\[0\]\.vschema: .*tables\.customer/,
    );
  });


  // BUG (src/vitess/config.ts:63-65 + 95): `vschema: ""` is taken as a path, and loadVSchemaFiles skips an
  // empty path (`if (!ks.vschemaPath)`), so the keyspace silently gets an empty VSchema and no check runs.
  it('an empty vschema path is an error', () => {
    expect(usageError(() => parse({ keyspaces: [{ name: 'customer', vschema: '', shards: ['customer-80'] }] }))).toMatch(/vitess\.keyspaces\[0\]\.vschema/);
  });

  // BUG (src/vitess/config.ts:62): `database:` is not checked; a list or mapping becomes "[object Object]" / "a,b".
  it('a database that is not a string is an error', () => {
    expect(usageError(() => parse(ks({ database: { name: 'vt_customer' } })))).toMatch(/vitess\.keyspaces\[0\]\.database/);
  });
});

describe('loadVSchemaFiles', () => {
  let dir: string;
  let inventory: string;
  const VSCHEMA_DIR = fileURLToPath(new URL('../../fixtures/vitess/', import.meta.url));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headroom-vschema-'));
    await mkdir(join(dir, 'conf', 'vschemas'), { recursive: true });
    inventory = join(dir, 'conf', 'fleet.yml');
    await writeFile(join(dir, 'conf', 'vschemas', 'customer.json'), JSON.stringify(CUSTOMER, null, 2) + '\n');
    await writeFile(join(dir, 'conf', 'vschemas', 'bad.json'), '{\n  "sharded": true,\n  "tables": {\n    "customer": }\n}\n');
    await writeFile(join(dir, 'conf', 'vschemas', 'list.json'), '[]\n');
    await writeFile(join(dir, 'conf', 'vschemas', 'bad-ai.json'), '{"sharded": true, "tables": {"customer": {"auto_increment": {"column": "customer_id"}}}}');
    await writeFile(
      inventory,
      [
        'shards:',
        '  - { name: commerce-0, host: db0, user: u }',
        '  - { name: customer-80, host: db1, user: u }',
        'vitess:',
        '  keyspaces:',
        '    - name: commerce',
        '      vschema: { tables: { customer_seq: { type: sequence } } }',
        '      shards: [commerce-0]',
        '    - name: customer',
        '      vschema: vschemas/customer.json',
        '      shards: [customer-80]',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const withPath = (path: string): VitessConfig => parse({ keyspaces: [{ name: 'customer', vschema: path, shards: ['customer-80'] }] });

  it('reads a path relative to the inventory file, not to the working directory', async () => {
    const v = await loadVSchemaFiles(withPath('vschemas/customer.json'), inventory);
    expect(v.keyspaces[0]).toEqual({ name: 'customer', database: 'vt_customer', shards: ['customer-80'], vschema: CUSTOMER_KEPT, vschemaSource: 'vschemas/customer.json' });
    expect(v.keyspaces[0]!.vschemaPath).toBeUndefined();
  });

  it('reads an absolute path as it is', async () => {
    const v = await loadVSchemaFiles(withPath(join(dir, 'conf', 'vschemas', 'customer.json')), '/nowhere/fleet.yml');
    expect(v.keyspaces[0]!.vschema).toEqual(CUSTOMER_KEPT);
  });

  it('leaves inline VSchemas alone', async () => {
    const inline = parse({ keyspaces: [{ name: 'customer', vschema: CUSTOMER, shards: ['customer-80'] }] });
    expect(await loadVSchemaFiles(inline, inventory)).toEqual(inline);
  });

  it('loadInventory reads them (the inventory in another directory)', async () => {
    const inv = await loadInventory(inventory, {});
    expect(inv.vitess!.keyspaces.map((k) => [k.name, k.vschema.sharded ?? false, Object.keys(k.vschema.tables ?? {})])).toEqual([
      ['commerce', false, ['customer_seq']],
      ['customer', true, ['customer']],
    ]);
  });

  it('reads the fixtures written as `vtctldclient GetVSchema` prints them', async () => {
    const v = await loadVSchemaFiles(
      parse({
        keyspaces: [
          { name: 'commerce', vschema: 'commerce.json', shards: ['commerce-0'] },
          { name: 'customer', vschema: 'customer.json', shards: ['customer-80', 'customer-80plus'] },
        ],
      }),
      join(VSCHEMA_DIR, 'headroom.yaml'),
    );
    expect(declaredSequences(v).map((s) => `${s.keyspace}.${s.table}`)).toEqual(['commerce.customer_seq', 'commerce.corder_seq', 'commerce.product_seq', 'commerce.empty_seq']);
    expect(autoIncrementEntries(v.keyspaces[1]!)).toEqual([
      { table: 'customer', column: 'customer_id', sequence: 'customer_seq' },
      { table: 'corder', column: 'order_id', sequence: 'commerce.corder_seq' },
      { table: 'product', column: 'product_id', sequence: 'product_seq' },
      { table: 'ghost', column: 'ghost_id', sequence: 'ghost_seq' },
      { table: 'emptyseq_t', column: 'id', sequence: 'empty_seq' },
    ]);
  });

  it('a missing file: one line naming the inventory, the keyspace and the path', async () => {
    const message = await usageErrorAsync(loadVSchemaFiles(withPath('vschemas/missing.json'), inventory));
    expect(message).toBe(`${inventory}: vitess keyspace customer: cannot read vschema vschemas/missing.json: no such file`);
  });

  it('a directory instead of a file', async () => {
    expect(await usageErrorAsync(loadVSchemaFiles(withPath('vschemas'), inventory))).toBe(`${inventory}: vitess keyspace customer: cannot read vschema vschemas: is a directory`);
  });

  it('invalid JSON names the file', async () => {
    const message = await usageErrorAsync(loadVSchemaFiles(withPath('vschemas/bad.json'), inventory));
    expect(message).toMatch(/^vschemas\/bad\.json: not JSON: /);
  });

  // BUG (src/vitess/config.ts:103): Node 20's JSON.parse message quotes the text around the error,
  // newlines included, so a pretty-printed VSchema gives a multi-line UsageError (the CLI prints it as is).
  it('invalid JSON in a pretty-printed file is still a one-line error', async () => {
    const message = await usageErrorAsync(loadVSchemaFiles(withPath('vschemas/bad.json'), inventory));
    expect(message).not.toContain('\n');
  });

  it('valid JSON of the wrong shape names the file and the field', async () => {
    expect(await usageErrorAsync(loadVSchemaFiles(withPath('vschemas/list.json'), inventory))).toBe(
      'vschemas/list.json: expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one',
    );
    expect(await usageErrorAsync(loadVSchemaFiles(withPath('vschemas/bad-ai.json'), inventory))).toBe(
      "vschemas/bad-ai.json: tables.customer.auto_increment.sequence: expected the sequence table's name as a string, got undefined",
    );
  });
});

describe('resolveSequence', () => {
  const v = vitessConfig(
    keyspace('commerce', ['commerce-0'], { tables: { customer_seq: { type: 'sequence' }, orders_seq: { type: 'sequence' }, products: {} } }),
    keyspace('lookup', ['commerce-0'], { tables: { orders_seq: { type: 'sequence' } } }),
    keyspace('customer', ['customer-80'], { sharded: true, tables: { customer: { auto_increment: { column: 'customer_id', sequence: 'customer_seq' } } } }),
  );

  it('an unqualified name: the keyspace that declares it', () => {
    expect(resolveSequence(v, 'customer_seq')).toEqual({ keyspace: 'commerce', table: 'customer_seq' });
  });

  it('a qualified name: that keyspace only', () => {
    expect(resolveSequence(v, 'commerce.customer_seq')).toEqual({ keyspace: 'commerce', table: 'customer_seq' });
    expect(resolveSequence(v, 'lookup.orders_seq')).toEqual({ keyspace: 'lookup', table: 'orders_seq' });
    expect(resolveSequence(v, 'lookup.customer_seq')).toBeUndefined();
    expect(resolveSequence(v, 'nowhere.customer_seq')).toBeUndefined();
  });

  it('an unqualified name declared in two keyspaces: the first keyspace of the inventory', () => {
    expect(resolveSequence(v, 'orders_seq')).toEqual({ keyspace: 'commerce', table: 'orders_seq' });
  });

  it('only tables of type "sequence" count', () => {
    expect(resolveSequence(v, 'products')).toBeUndefined();
    expect(resolveSequence(v, 'commerce.products')).toBeUndefined();
    expect(resolveSequence(v, 'customer')).toBeUndefined();
  });

  it('names that are not declared anywhere, or have too many parts', () => {
    expect(resolveSequence(v, 'ghost_seq')).toBeUndefined();
    expect(resolveSequence(v, '')).toBeUndefined();
    expect(resolveSequence(v, 'a.commerce.customer_seq')).toBeUndefined();
  });

  it('declaredSequences lists every keyspace\'s sequences in inventory order', () => {
    expect(declaredSequences(v)).toEqual([
      { keyspace: 'commerce', table: 'customer_seq' },
      { keyspace: 'commerce', table: 'orders_seq' },
      { keyspace: 'lookup', table: 'orders_seq' },
    ]);
  });
});
