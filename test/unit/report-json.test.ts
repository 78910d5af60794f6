import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.js';
import { exactInteger, findingToJson, formatJson } from '../../src/report/json.js';
import { config, db, shard, snapshot, table } from './builders.js';

describe('exactInteger', () => {
  it('is a JSON number up to 2^53 − 1', () => {
    expect(exactInteger(9007199254740991n)).toBe(9007199254740991);
    expect(exactInteger(0n)).toBe(0);
    expect(exactInteger(-9007199254740991n)).toBe(-9007199254740991);
  });

  it('is a decimal string from 2^53 on', () => {
    expect(exactInteger(9007199254740992n)).toBe('9007199254740992');
    expect(exactInteger(18446744073709551615n)).toBe('18446744073709551615');
    expect(exactInteger(-9007199254740992n)).toBe('-9007199254740992');
  });
});

describe('formatJson', () => {
  // A pk-capacity finding above 2^53 (critical), and messages.thread_id (int) under a bigint
  // key at 2,000,000,000: fk-capacity critical (93%) and fk-type-mismatch warning.
  const snap = snapshot(
    shard('s1',
      db('app',
        table('ledger', { id: 'bigint unsigned auto' }, { autoIncrement: 18446744073709551001n }),
        table('threads', { id: 'bigint auto' }, { autoIncrement: 2000000001n }),
        table('messages', { id: 'bigint auto', thread_id: 'int' }, { autoIncrement: 10n }),
      ),
    ),
  );
  snap.errors.push({ shard: 's2', message: 'connect ECONNREFUSED 127.0.0.1:3307' });
  const report = runChecks(snap, config());
  const text = formatJson(report);
  const json = JSON.parse(text);

  it('is pretty JSON ending with a newline', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1');
  });

  it('has exactly version, takenAt (when the catalog was read), summary, findings and errors at the top', () => {
    expect(Object.keys(json)).toEqual(['version', 'takenAt', 'summary', 'findings', 'errors']);
    expect(json.version).toBe(1);
    expect(json.takenAt).toBe(snap.takenAt);
    expect(json.summary).toEqual({
      shards: 2,
      databases: 1,
      tables: 3,
      findings: { critical: 2, warning: 1, info: 0 },
      errors: 1,
      coverage: [
        { shard: 's1', databasesMatched: 1, databasesRead: 1, tablesRead: 3, complete: true },
        { shard: 's2', databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false },
      ],
    });
    expect(json.errors).toEqual([{ shard: 's2', message: 'connect ECONNREFUSED 127.0.0.1:3307' }]);
  });

  it('writes each finding with the documented fields, integers exact', () => {
    const byCheck = Object.fromEntries(json.findings.map((f: { check: string }) => [f.check, f]));
    expect(Object.keys(byCheck).sort()).toEqual(['fk-capacity', 'fk-type-mismatch', 'pk-capacity']);

    const pk = byCheck['pk-capacity'];
    expect(Object.keys(pk)).toEqual(['id', 'check', 'severity', 'shard', 'database', 'table', 'column', 'dataType', 'unsigned', 'max', 'current', 'ratio', 'message']);
    expect(pk).toMatchObject({ id: 'pk-capacity:s1/app/ledger.id', table: 'ledger', max: '18446744073709551615', current: '18446744073709551000', ratio: 1 });

    const fk = byCheck['fk-capacity'];
    expect(Object.keys(fk)).toEqual([
      'id', 'check', 'severity', 'shard', 'database', 'table', 'column', 'dataType', 'unsigned', 'max', 'current', 'ratio',
      'references', 'relationSource', 'evidence', 'message',
    ]);
    expect(fk).toMatchObject({
      table: 'messages',
      column: 'thread_id',
      dataType: 'int',
      unsigned: false,
      max: 2147483647,
      current: 2000000000,
      references: { database: 'app', table: 'threads', column: 'id', dataType: 'bigint', unsigned: false },
      relationSource: 'inferred',
      evidence: 'naming: thread_id → threads.id',
    });
    expect(byCheck['fk-type-mismatch']).toHaveProperty('references');
    expect(byCheck['fk-type-mismatch'].relationSource).toBe('inferred');
  });

  it('writes null current and ratio as null', () => {
    const schemaOnly = runChecks(
      snapshot(shard('s1', db('app', table('threads', { id: 'bigint auto' }), table('messages', { id: 'bigint auto', thread_id: 'int' })))),
      config(),
    );
    const [f] = JSON.parse(formatJson(schemaOnly)).findings;
    expect(f).toMatchObject({ check: 'fk-type-mismatch', current: null, ratio: null });
  });

  it('never leaves a bigint for JSON.stringify to choke on', () => {
    for (const f of report.findings) expect(() => JSON.stringify(findingToJson(f))).not.toThrow();
  });
});
