import { describe, expect, it } from 'vitest';
import { pkCapacity } from '../../../src/checks/pk-capacity.js';
import { decimalToFraction } from '../../../src/model/ratio.js';
import { config, db, runCheck, shard, table } from '../builders.js';

/** One table in one database; `autoIncrement` is the NEXT id, as the server reports it. */
const scan = (t: ReturnType<typeof table>, cfg = config()) => runCheck(pkCapacity, shard('s1', db('app', t)), cfg);
/** A tinyint unsigned key (max 255) whose last handed-out id is `current`. */
const tiny = (current: bigint) => table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: current + 1n });

describe('pk-capacity thresholds (defaults 0.70 / 0.85, exact)', () => {
  // 255 × 0.70 = 178.5, 255 × 0.85 = 216.75
  it.each([
    [0n, undefined],
    [178n, undefined],
    [179n, 'warning'],
    [216n, 'warning'],
    [217n, 'critical'],
    [254n, 'critical'],
  ] as const)('current %s → %s', (current, severity) => {
    const findings = scan(tiny(current));
    expect(findings.map((f) => f.severity)).toEqual(severity ? [severity] : []);
  });

  it('uses the configured thresholds', () => {
    const thresholds = { warning: decimalToFraction('0.5'), critical: decimalToFraction('0.6'), warningText: '0.5', criticalText: '0.6' };
    expect(scan(tiny(127n), config({ thresholds }))).toEqual([]);
    expect(scan(tiny(128n), config({ thresholds }))[0]!.severity).toBe('warning');
    expect(scan(tiny(153n), config({ thresholds }))[0]!.severity).toBe('critical');
  });

  it('does not round at the int unsigned boundary (3006477106 / 4294967295 = 0.69999999988)', () => {
    const t = (current: bigint) => table('events', { id: 'int unsigned auto' }, { autoIncrement: current + 1n });
    expect(scan(t(3006477106n))).toEqual([]);
    expect(scan(t(3006477107n))[0]!.severity).toBe('warning');
  });
});

describe('pk-capacity finding', () => {
  it('describes the key, its type and the numbers', () => {
    const [f, ...rest] = scan(table('conversations', { id: 'int auto' }, { autoIncrement: 1874919424n }));
    expect(rest).toEqual([]);
    expect(f).toEqual({
      id: 'pk-capacity:s1/app/conversations.id',
      check: 'pk-capacity',
      severity: 'critical',
      shard: 's1',
      database: 'app',
      table: 'conversations',
      column: 'id',
      dataType: 'int',
      unsigned: false,
      max: 2147483647n,
      current: 1874919423n,
      ratio: 0.8730773925,
      message: 'conversations.id (int) has used 87.3% of its range: 1,874,919,423 of 2,147,483,647; 272,564,224 ids left before inserts into conversations fail.',
    });
    expect(f!.references).toBeUndefined();
    expect(f!.relationSource).toBeUndefined();
  });

  it('keeps bigint unsigned values exact', () => {
    const [f] = scan(table('events', { id: 'bigint unsigned auto' }, { autoIncrement: 18446744073709551000n }));
    expect(f!.current).toBe(18446744073709550999n);
    expect(f!.max).toBe(18446744073709551615n);
    expect(f!.message).toContain('616 ids left');
  });
});

describe('pk-capacity: where the current value comes from', () => {
  it('uses MAX() when the counter is NULL (table not opened since restart on MySQL 8)', () => {
    const t = table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: null, max: { id: 220n } });
    expect(scan(t)).toMatchObject([{ severity: 'critical', current: 220n }]);
  });

  it('reports nothing when neither counter nor MAX() is known', () => {
    expect(scan(table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: null }))).toEqual([]);
  });

  it('takes the larger of counter − 1 and MAX() (a stale counter)', () => {
    const t = table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: 100n, max: { id: 200n } });
    expect(scan(t)).toMatchObject([{ severity: 'warning', current: 200n }]);
  });

  it('lets MAX() decide when the counter sits at the type max', () => {
    // The counter stops at 255 whether or not id 255 was handed out.
    const atMax = scan(table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: 255n, max: { id: 255n } }));
    expect(atMax).toMatchObject([{ severity: 'critical', current: 255n, ratio: 1 }]);
    expect(atMax[0]!.message).toBe('flags.id (tinyint unsigned) is at its maximum 255: inserts into flags fail now.');

    const oneLeft = scan(table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: 255n, max: { id: 254n } }));
    expect(oneLeft).toMatchObject([{ severity: 'critical', current: 254n }]);
    expect(oneLeft[0]!.message).toContain('1 id left');
  });

  it('reads a key without AUTO_INCREMENT from MAX() only (ids assigned by the application)', () => {
    // The table's counter belongs to no column here, so it is not read.
    expect(scan(table('regions', { id: 'smallint' }, { autoIncrement: 30000n }))).toEqual([]);
    expect(scan(table('regions', { id: 'smallint' }, { max: { id: 30000n } }))).toMatchObject([{ column: 'id', severity: 'critical', current: 30000n, max: 32767n }]);
  });

  it('reports nothing for an empty table', () => {
    expect(scan(table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: 1n }))).toEqual([]);
    expect(scan(table('flags', { id: 'tinyint unsigned auto' }, { autoIncrement: null, max: { id: null } }))).toEqual([]);
  });

  it('reports nothing for a composite primary key without AUTO_INCREMENT', () => {
    const t = table('memberships', { account_id: 'tinyint unsigned', user_id: 'tinyint unsigned' }, { primaryKey: ['account_id', 'user_id'], max: { account_id: 250n, user_id: 250n } });
    expect(scan(t)).toEqual([]);
  });

  it('checks the AUTO_INCREMENT column even when it is not the primary key', () => {
    const t = table('logs', { seq: 'tinyint unsigned auto', tenant_id: 'int' }, { primaryKey: ['tenant_id', 'seq'], autoIncrement: 241n });
    expect(scan(t)).toMatchObject([{ column: 'seq', current: 240n, severity: 'critical' }]);
  });

  it('reports nothing for a table without an integer key', () => {
    expect(scan(table('settings', { value: 'int' }, { primaryKey: ['name'] }))).toEqual([]);
  });
});
