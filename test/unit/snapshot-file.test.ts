import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Snapshot } from '../../src/model/types.js';
import { loadSnapshot, parseSnapshot, serializeSnapshot, writeSnapshot } from '../../src/snapshot/file.js';
import { db, shard, snapshot, table } from './builders.js';

const FILE = 'fleet.snapshot.json';

function sample(): Snapshot {
  const s = snapshot(
    shard('shard-1',
      db('ws_001',
        table('ledger_entries', { id: 'bigint unsigned auto' }, { autoIncrement: 18446744073709551001n, rows: 9007199254740993n, max: { id: 18446744073709551000n } }),
        table('ledger_lines', { id: 'bigint auto', ledger_entry_id: 'bigint unsigned' }, { autoIncrement: 1n, fks: { ledger_entry_id: 'ledger_entries.id' }, max: { ledger_entry_id: null }, triggers: 2 }),
      ),
      db('ws_empty'),
    ),
    { name: 'shard-2', server: null, databases: [] },
  );
  s.errors.push({ shard: 'shard-3', message: 'connect ECONNREFUSED 127.0.0.1:3306' });
  return s;
}

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

/** A valid serialized snapshot, as a plain object to break on purpose. */
const rawSample = () => JSON.parse(serializeSnapshot(sample())) as Record<string, any>;

describe('serializeSnapshot / parseSnapshot', () => {
  it('round-trips exactly, bigints above 2^53 included', () => {
    const s = sample();
    expect(parseSnapshot(serializeSnapshot(s), FILE)).toEqual(s);
  });

  it('writes integers as decimal strings, with a format marker and version', () => {
    const text = serializeSnapshot(sample());
    expect(text.endsWith('\n')).toBe(true);
    const raw = JSON.parse(text);
    expect(raw.format).toBe('headroom-snapshot');
    expect(raw.version).toBe(1);
    const t = raw.shards[0].databases[0].tables[0];
    expect(t.autoIncrement).toBe('18446744073709551001');
    expect(t.rowsEstimate).toBe('9007199254740993');
    expect(t.maxValues).toEqual({ id: '18446744073709551000' });
  });

  it('accepts integers written as JSON numbers when they are exact, and fills optional fields', () => {
    const raw = {
      format: 'headroom-snapshot',
      version: 1,
      shards: [{ name: 's', databases: [{ name: 'd', tables: [{ name: 't', columns: [{ name: 'id', dataType: 'int', unsigned: false, zerofill: false, columnType: 'int', nullable: false, autoIncrement: true }], autoIncrement: 42 }] }] }],
    };
    const s = parseSnapshot(JSON.stringify(raw), FILE);
    expect(s.takenAt).toBe('');
    expect(s.errors).toEqual([]);
    expect(s.shards[0]!.server).toBeNull();
    expect(s.shards[0]!.databases[0]!.tables[0]).toEqual({
      name: 't',
      engine: null,
      rowsEstimate: null,
      dataBytes: null,
      indexBytes: null,
      autoIncrement: 42n,
      primaryKey: [],
      columns: raw.shards[0]!.databases[0]!.tables[0]!.columns,
      indexes: [],
      foreignKeys: [],
      triggers: 0,
      maxValues: {},
    });
  });
});

describe('parseSnapshot errors: one UsageError line naming the file and field', () => {
  it('not JSON', () => {
    expect(usageError(() => parseSnapshot('{"format": ', FILE))).toMatch(/^fleet\.snapshot\.json: not a snapshot: invalid JSON \(/);
  });

  it('not an object', () => {
    expect(usageError(() => parseSnapshot('null', FILE))).toBe('fleet.snapshot.json: (top): expected a JSON object');
  });

  it('wrong format marker (a scan report, say)', () => {
    const report = JSON.stringify({ version: 1, summary: {}, findings: [], errors: [] });
    expect(usageError(() => parseSnapshot(report, FILE))).toMatch(/^fleet\.snapshot\.json: format: expected "headroom-snapshot" \(is this a scan report\?/);
  });

  it('wrong version', () => {
    const raw = { ...rawSample(), version: 2 };
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: version: unsupported snapshot version 2; this headroom reads version 1',
    );
  });

  it('shards not a list', () => {
    const raw = { ...rawSample(), shards: {} };
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe('fleet.snapshot.json: shards: expected a list');
  });

  it('bad integer, named by its path', () => {
    const raw = rawSample();
    raw.shards[0].databases[0].tables[1].autoIncrement = '12abc';
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: shards[0].databases[0].tables[1].autoIncrement: expected an integer, got "12abc"',
    );
  });

  it('an integer written as a JSON number above 2^53 (already rounded): refused, not rounded again', () => {
    const raw = rawSample();
    const text = JSON.stringify(raw).replace('"18446744073709551001"', '18446744073709551001');
    expect(usageError(() => parseSnapshot(text, FILE))).toMatch(
      /^fleet\.snapshot\.json: shards\[0\]\.databases\[0\]\.tables\[0\]\.autoIncrement: expected an integer, got 18446744073709552000$/,
    );
  });

  it('bad MAX() value', () => {
    const raw = rawSample();
    raw.shards[0].databases[0].tables[0].maxValues.id = 1.5;
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: shards[0].databases[0].tables[0].maxValues.id: expected an integer, got 1.5',
    );
  });

  it('a column that is not an integer column', () => {
    const raw = rawSample();
    raw.shards[0].databases[0].tables[1].columns[1].dataType = 'varchar';
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: shards[0].databases[0].tables[1].columns[1]: expected an integer column',
    );
  });

  it('malformed shard, database and table', () => {
    const raw = rawSample();
    raw.shards[1] = { name: 'x' };
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe('fleet.snapshot.json: shards[1]: expected {name, databases: [...]}');
    const raw2 = rawSample();
    raw2.shards[0].databases[1] = { name: 7, tables: [] };
    expect(usageError(() => parseSnapshot(JSON.stringify(raw2), FILE))).toBe('fleet.snapshot.json: shards[0].databases[1]: expected {name, tables: [...]}');
    const raw3 = rawSample();
    delete raw3.shards[0].databases[0].tables[0].columns;
    expect(usageError(() => parseSnapshot(JSON.stringify(raw3), FILE))).toBe('fleet.snapshot.json: shards[0].databases[0].tables[0]: expected {name, columns: [...]}');
  });
});

describe('parseSnapshot: repeated values (a tenant fleet)', () => {
  /** n tables with the same sizes and counters, written as snapshots write them. */
  const tenants = (n: number) => {
    const raw = rawSample();
    const proto = raw.shards[0].databases[0].tables[1];
    raw.shards[0].databases[0].tables = Array.from({ length: n }, (_, i) => ({ ...proto, name: `t${i}`, rowsEstimate: '0', dataBytes: '16384', indexBytes: '16384', autoIncrement: i % 2 ? '1' : '16384', maxValues: {} }));
    return raw;
  };

  it('reads every repeated integer text as its own value', () => {
    const s = parseSnapshot(JSON.stringify(tenants(5)), FILE);
    const tables = s.shards[0]!.databases[0]!.tables;
    expect(tables.map((t) => [t.rowsEstimate, t.dataBytes, t.indexBytes, t.autoIncrement])).toEqual([
      [0n, 16384n, 16384n, 16384n],
      [0n, 16384n, 16384n, 1n],
      [0n, 16384n, 16384n, 16384n],
      [0n, 16384n, 16384n, 1n],
      [0n, 16384n, 16384n, 16384n],
    ]);
    expect(tables.map((t) => t.maxValues)).toEqual([{}, {}, {}, {}, {}]);
  });

  it('a bad value after many good ones of the same field is still named by its own path', () => {
    const raw = tenants(5);
    raw.shards[0].databases[0].tables[3].dataBytes = '16384 bytes';
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: shards[0].databases[0].tables[3].dataBytes: expected an integer, got "16384 bytes"',
    );
  });

  it('a bad sequence row is named by its path', () => {
    const raw = tenants(2);
    raw.shards[0].databases[0].tables[1].sequenceRows = [{ id: '0', nextId: '1', cache: '1000' }, { id: '1', nextId: 'x', cache: '1000' }];
    expect(usageError(() => parseSnapshot(JSON.stringify(raw), FILE))).toBe(
      'fleet.snapshot.json: shards[0].databases[0].tables[1].sequenceRows[1].nextId: expected an integer, got "x"',
    );
  });
});

describe('writeSnapshot / loadSnapshot', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headroom-snapshot-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through a file', async () => {
    const path = join(dir, 'a.json');
    await writeSnapshot(path, sample());
    expect(await loadSnapshot(path)).toEqual(sample());
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadSnapshot(path)).rejects.toThrow(UsageError);
    await expect(loadSnapshot(path)).rejects.toThrow(`${path}: cannot read snapshot: no such file`);
  });
});
