/**
 * Migration-aware severity: the rule at its edges, and the stage that applies it to a Report
 * (raising findings, creating findings for keys below the ratio thresholds, never lowering one).
 */
import { describe, expect, it } from 'vitest';
import { applyForecasts } from '../../src/forecast/apply.js';
import { DAY_MS, type Point } from '../../src/forecast/forecast.js';
import { migrationRule, worse } from '../../src/forecast/severity.js';
import { DEFAULT_POLICY } from '../../src/plan/policy.js';
import type { Policy } from '../../src/plan/types.js';
import { scanSnapshot } from '../../src/scan.js';
import { config, db, shard, snapshot, table } from './builders.js';

describe('migrationRule', () => {
  const p = { safetyFactor: 3, leadDays: 14 };

  it('critical strictly below migration × safetyFactor + leadDays, warning strictly below twice that', () => {
    // 2 days × 3 + 14 = 20 → critical below 20, warning below 40.
    expect(migrationRule(19.999, 2, p)).toEqual({ severity: 'critical', criticalBelowDays: 20, warningBelowDays: 40 });
    expect(migrationRule(20, 2, p).severity).toBe('warning');
    expect(migrationRule(39.999, 2, p).severity).toBe('warning');
    expect(migrationRule(40, 2, p).severity).toBeUndefined();
    expect(migrationRule(0, 2, p).severity).toBe('critical');
  });

  it('with no copy to make (0 days), only the lead time counts', () => {
    expect(migrationRule(13.99, 0, p).severity).toBe('critical');
    expect(migrationRule(14, 0, p).severity).toBe('warning');
    expect(migrationRule(28, 0, p).severity).toBeUndefined();
  });

  it('follows the policy', () => {
    expect(migrationRule(10, 1, { safetyFactor: 1, leadDays: 0 })).toEqual({ severity: undefined, criticalBelowDays: 1, warningBelowDays: 2 });
    expect(migrationRule(10, 10, { safetyFactor: 1, leadDays: 0.5 }).severity).toBe('critical');
  });

  it('the more severe of ratio and migration wins: never less severe than the ratio says', () => {
    expect(worse('critical', undefined)).toBe('critical');
    expect(worse('critical', 'warning')).toBe('critical');
    expect(worse('warning', 'critical')).toBe('critical');
    expect(worse(undefined, 'warning')).toBe('warning');
    expect(worse(undefined, undefined)).toBeUndefined();
  });
});

describe('applyForecasts', () => {
  const INT_MAX = 2147483647n;
  const ASOF = Date.UTC(2024, 1, 22, 10);
  // users: 1,000,000 rows at 10 rows/s → high end 1.5M/10 = 150,000 s = 1.736 days to copy.
  const policy: Policy = { ...DEFAULT_POLICY, copyRowsPerSecond: 10 };
  const MIGRATION = 150_000 / 86_400;
  const T = MIGRATION * 3 + 14; // 19.21 days

  /** A database whose users.id is at `current`, with posts.user_id (int) referencing it. */
  const tenant = (name: string, current: bigint) =>
    db(
      name,
      table('users', { id: 'int auto' }, { autoIncrement: current + 1n, rows: 1_000_000n }),
      table('posts', { id: 'bigint auto', user_id: 'int' }, { autoIncrement: 10n, rows: 0n, fks: { user_id: 'users.id' } }),
    );
  const at = (ratio: number) => BigInt(Math.round(Number(INT_MAX) * ratio));
  const cases = {
    below_soon: at(0.5), // 10 days left → critical by migration
    below_month: at(0.5), // 30 days left → warning by migration
    below_slow: at(0.5), // 100 days left → nothing
    ratio_critical_slow: at(0.9), // critical by ratio, 1000 days left
    ratio_warning_soon: at(0.75), // warning by ratio, 15 days left → critical
    ratio_warning_unknown: at(0.75), // no history
  };
  const daysLeft: Record<string, number> = { below_soon: 10, below_month: 30, below_slow: 100, ratio_critical_slow: 1000, ratio_warning_soon: 15 };
  const snap = { ...snapshot(shard('s1', ...Object.entries(cases).map(([n, c]) => tenant(n, c)))), takenAt: new Date(ASOF).toISOString() };
  const history = new Map<string, Point[]>();
  for (const [name, days] of Object.entries(daysLeft)) {
    const current = cases[name as keyof typeof cases];
    const rate = Number(INT_MAX - current) / days;
    history.set(`s1/${name}/users.id`, [
      { at: ASOF - 10 * DAY_MS, value: current - BigInt(Math.round(rate * 10)) },
      { at: ASOF - 5 * DAY_MS, value: current - BigInt(Math.round(rate * 5)) },
      { at: ASOF, value: current },
    ]);
  }
  const cfg = config();
  const before = scanSnapshot(snap, cfg);
  const after = applyForecasts(before, snap, cfg, history, { policy, asOf: ASOF });
  const find = (id: string) => after.findings.find((f) => f.id === id);

  it('creates a finding for a key below the ratio thresholds whose days left are under the migration line', () => {
    expect(before.findings.find((f) => f.database === 'below_soon')).toBeUndefined();
    const f = find('pk-capacity:s1/below_soon/users.id')!;
    expect(f.severity).toBe('critical');
    expect(f.forecast).toMatchObject({ status: 'ok', rule: 'migration', observations: 3, counter: 's1/below_soon/users.id', windowDays: 30 });
    expect(f.forecast!.daysLeft).toBeCloseTo(10, 6);
    expect(f.forecast!.migrationDays!.high).toBeCloseTo(MIGRATION, 9);
    expect(f.forecast!.criticalBelowDays).toBeCloseTo(T, 9);
    expect(f.message).toContain('has used 50.0% of its range');
    expect(f.message).toContain('Critical by the migration rule: 10.0 days left < 1.7 estimated migration days × safetyFactor 3 + leadDays 14 = 19.2 days.');
  });

  it('fk-capacity follows the referenced key\'s counter', () => {
    const f = find('fk-capacity:s1/below_soon/posts.user_id')!;
    expect(f.severity).toBe('critical');
    expect(f.forecast!.counter).toBe('s1/below_soon/users.id');
    expect(f.forecast!.daysLeft).toBeCloseTo(10, 6);
  });

  it('warning between the line and twice it', () => {
    const f = find('pk-capacity:s1/below_month/users.id')!;
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('Warning by the migration rule: 30.0 days left < 2 × (1.7 estimated migration days × safetyFactor 3 + leadDays 14 = 19.2) = 38.4 days.');
  });

  it('no finding for a key below the thresholds with time to spare', () => {
    expect(after.findings.filter((f) => f.database === 'below_slow')).toEqual([]);
  });

  it('never less severe than the ratio rule', () => {
    const f = find('pk-capacity:s1/ratio_critical_slow/users.id')!;
    expect(f.severity).toBe('critical');
    expect(f.forecast!.rule).toBe('ratio');
    expect(f.forecast!.daysLeft).toBeCloseTo(1000, 2);
    expect(f.message).toMatch(/Critical by the ratio rule; the migration rule alone says nothing \(critical below 19\.2 days, warning below 38\.4/);
  });

  it('raises a ratio warning to critical when the fix would not finish in time', () => {
    expect(before.findings.find((f) => f.id === 'pk-capacity:s1/ratio_warning_soon/users.id')!.severity).toBe('warning');
    const f = find('pk-capacity:s1/ratio_warning_soon/users.id')!;
    expect(f.severity).toBe('critical');
    expect(f.forecast!.rule).toBe('migration');
  });

  it('without history the ratio rule decides, and says the forecast is unknown', () => {
    const f = find('pk-capacity:s1/ratio_warning_unknown/users.id')!;
    expect(f.severity).toBe('warning');
    expect(f.forecast).toMatchObject({ status: 'unknown', idsPerDay: null, daysLeft: null, rule: 'ratio', observations: 0 });
    expect(f.forecast!.migrationDays!.high).toBeCloseTo(MIGRATION, 9);
    expect(f.message).toMatch(/Forecast unknown \(0 usable observations in the last 30 days; a rate needs 2\); severity by the ratio rule\.$/);
  });

  it('keeps ids, recounts the summary and sorts worst first', () => {
    const ids = after.findings.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of before.findings) expect(ids).toContain(f.id);
    expect(after.summary.findings).toEqual({
      critical: after.findings.filter((f) => f.severity === 'critical').length,
      warning: after.findings.filter((f) => f.severity === 'warning').length,
      info: 0,
    });
    const ranks = after.findings.map((f) => (f.severity === 'critical' ? 2 : 1));
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    // Untouched: the report it started from.
    expect(before.findings.every((f) => f.forecast === undefined)).toBe(true);
  });

  it('a different policy moves the line', () => {
    const relaxed = applyForecasts(before, snap, cfg, history, { policy: { ...policy, safetyFactor: 1, leadDays: 2 }, asOf: ASOF });
    // 10 days left vs 1.74 × 1 + 2 = 3.74: warning only below 7.47 → nothing.
    expect(relaxed.findings.find((f) => f.id === 'pk-capacity:s1/below_soon/users.id')).toBeUndefined();
  });
});
