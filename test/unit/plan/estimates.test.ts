/**
 * Estimates (rows, time, disk, binlog) and the per-shard schedule (src/plan/plan.ts).
 */
import { describe, expect, it } from 'vitest';
import { estimateCopy, schedule } from '../../../src/plan/plan.js';
import { DEFAULT_POLICY, parsePolicy } from '../../../src/plan/policy.js';
import type { Step, WideningPlan } from '../../../src/plan/types.js';
import { formatPlanText } from '../../../src/report/plan.js';
import { config, db, planOf, shard, snapshot, table, withTable } from '../builders.js';

const policy = (raw: Record<string, unknown>) => parsePolicy(raw, (field, why) => new Error(`${field}: ${why}`));
const GiB = 1n << 30n;
const MiB = 1n << 20n;
const sized = (rows: bigint | null, data: bigint | null, index: bigint | null) =>
  withTable(table('events', { id: 'int auto' }), { rowsEstimate: rows, dataBytes: data, indexBytes: index });

describe('estimateCopy', () => {
  it('default policy: rows × 0.5–1.5 (TABLE_ROWS is an estimate), at 5,000 rows/s; disk (data+index) × 1.6; binlog data × 1.2', () => {
    expect(estimateCopy(sized(10_000_000n, GiB, 512n * MiB), DEFAULT_POLICY, false)).toEqual({
      rowsEstimate: 10_000_000n,
      rowsLow: 5_000_000n,
      rowsHigh: 15_000_000n,
      secondsLow: 1000,
      secondsHigh: 3000,
      diskBytes: 2_576_980_377n, // 1.5 GiB × 1.6, rounded down
      binlogBytes: 1_288_490_188n, // 1 GiB × 1.2, rounded down
    });
  });

  it('every factor comes from the policy', () => {
    const p = policy({ rowsUncertainty: { low: 0.8, high: 1.25 }, copyRowsPerSecond: 20_000, diskMargin: 2, binlogFactor: 0.5 });
    expect(estimateCopy(sized(1_000_000n, 100n * MiB, 50n * MiB), p, false)).toEqual({
      rowsEstimate: 1_000_000n,
      rowsLow: 800_000n,
      rowsHigh: 1_250_000n,
      secondsLow: 40,
      secondsHigh: 62.5,
      diskBytes: 300n * MiB,
      binlogBytes: 50n * MiB,
    });
  });

  it('direct ALTER: the DDL is logged as a statement, not the copied rows → binlog 0; disk and time as for a copy', () => {
    const e = estimateCopy(sized(10_000_000n, GiB, 0n), DEFAULT_POLICY, true);
    expect(e.binlogBytes).toBe(0n);
    expect(e.diskBytes).toBe((GiB * 16n) / 10n);
    expect([e.secondsLow, e.secondsHigh]).toEqual([1000, 3000]);
  });

  it('exact on BIGINT-sized numbers (no float rounding of bytes)', () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1
    expect(estimateCopy(sized(1n, big, 0n), policy({ diskMargin: 2 }), false).diskBytes).toBe(big * 2n);
  });

  it('unknown row count: no range (0), the estimate keeps rowsEstimate null, and the step says to count first', () => {
    const e = estimateCopy(sized(null, null, null), DEFAULT_POLICY, false);
    expect(e).toMatchObject({ rowsEstimate: null, rowsLow: 0n, rowsHigh: 0n, diskBytes: null, binlogBytes: null });
    expect(Number.isNaN(e.secondsLow) && Number.isNaN(e.secondsHigh)).toBe(true);
    const p = planOf(snapshot(shard('s1', db('app', withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n }), {}))))).plans[0]!;
    expect(p.steps[0]!.notes[0]).toBe('Row count unknown: count with SELECT COUNT(*) on a replica before starting.');
  });

  it('the estimate note names the row count and the policy in force, also when one policy object is changed between plans', () => {
    const snap = snapshot(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 0n }), table('posts', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 7n }))));
    const p = policy({});
    const notes = () => planOf(snap, config(), { policy: p }).plans.map((x) => x.steps[0]!.notes[0]);
    expect(notes()).toEqual([
      '~7 rows (TABLE_ROWS, an estimate: the range assumes 0.5×–1.5×) at 5000 rows/s (policy.copyRowsPerSecond).',
      '~0 rows (TABLE_ROWS, an estimate: the range assumes 0.5×–1.5×) at 5000 rows/s (policy.copyRowsPerSecond).',
    ]);
    p.rowsUncertainty = { low: 0.25, high: 2 };
    p.copyRowsPerSecond = 100;
    expect(notes()).toEqual([
      '~7 rows (TABLE_ROWS, an estimate: the range assumes 0.25×–2×) at 100 rows/s (policy.copyRowsPerSecond).',
      '~0 rows (TABLE_ROWS, an estimate: the range assumes 0.25×–2×) at 100 rows/s (policy.copyRowsPerSecond).',
    ]);
  });

  // 0 s and 0 B are numbers, not "unknown": the report shows "Copy time < 1 s, free disk needed 0 B".
  it('unknown row count and size are shown as unknown, not as "< 1 s" and "0 B"', () => {
    const p = planOf(snapshot(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n })))));
    const text = formatPlanText(p);
    expect(text).not.toMatch(/< 1 s/);
    expect(text).not.toMatch(/\b0 B\b/);
  });

  it('a step with a known row count says what it assumed', () => {
    const p = planOf(snapshot(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 1234n }))))).plans[0]!;
    expect(p.steps[0]!.notes[0]).toBe('~1234 rows (TABLE_ROWS, an estimate: the range assumes 0.5×–1.5×) at 5000 rows/s (policy.copyRowsPerSecond).');
  });
});

describe('a group\'s totals', () => {
  const fleet = () =>
    shard('s1', db('app',
      withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10_000n }), { dataBytes: 10n * MiB, indexBytes: 0n }),
      withTable(table('posts', { id: 'bigint auto', user_id: 'int' }, { rows: 50_000n }), { dataBytes: 40n * MiB, indexBytes: 10n * MiB }),
    ));

  it('time is the sum of the copies (they run one after another); disk is the largest copy (freed after each)', () => {
    const p = planOf(snapshot(fleet())).plans[0]!;
    expect(p.steps.filter((s) => s.estimate).map((s) => s.table)).toEqual(['posts', 'users']);
    expect(p.total).toEqual({ secondsLow: 6, secondsHigh: 18, diskBytes: 80n * MiB });
  });

  it('policy.maxTableBytes: a bigger table is flagged, with the disk it needs', () => {
    const p = planOf(snapshot(fleet()), config(), { policy: policy({ maxTableBytes: '32MiB' }) }).plans[0]!;
    expect(p.warnings).toEqual([`app.posts is larger than policy.maxTableBytes: check free disk (${80n * MiB} bytes needed) before starting`]);
    expect(planOf(snapshot(fleet())).plans[0]!.warnings).toEqual([]);
  });
});

/** A plan with one estimated step of `seconds` (high = 3 × low, as with 0.5×–1.5×). */
function fake(shardName: string, seconds: number, kind: Step['kind'] = 'copy', id = `${shardName}/${seconds}/${Math.random()}`): WideningPlan {
  const estimate = { rowsEstimate: 1n, rowsLow: 1n, rowsHigh: 1n, secondsLow: seconds, secondsHigh: seconds * 3, diskBytes: 0n, binlogBytes: 0n };
  return {
    id,
    shard: shardName,
    database: 'd',
    key: { shard: shardName, database: 'd', table: 't', column: 'id' },
    keys: [{ shard: shardName, database: 'd', table: 't', column: 'id' }],
    groups: [`${shardName}/d/t.id`],
    members: [],
    triggeredBy: [],
    worstSeverity: 'critical',
    steps: [{ n: 1, kind, title: '', commands: [], notes: [], estimate }, { n: 2, kind: 'application', title: '', commands: [], notes: [] }],
    total: { secondsLow: seconds, secondsHigh: seconds * 3, diskBytes: 0n },
    blocked: [],
    warnings: [],
  };
}

describe('schedule: per shard, longest first onto the least loaded lane', () => {
  const six = (s = 's1') => [5, 10, 7, 9, 6, 8].map((x) => fake(s, x));

  it('one copy at a time (default): the shard takes the sum', () => {
    expect(schedule(six(), DEFAULT_POLICY)).toEqual([{ shard: 's1', groups: 6, copySteps: 6, concurrency: 1, secondsLow: 45, secondsHigh: 135 }]);
  });

  it('two lanes: 10 | 9 → 9+8 → 10+7 → 17+6 → 17+5: 23', () => {
    expect(schedule(six(), policy({ maxConcurrentCopiesPerShard: 2 }))[0]).toMatchObject({ concurrency: 2, secondsLow: 23, secondsHigh: 69 });
  });

  it('four lanes: 10 | 9 | 8 | 7 → 7+6 → 8+5: 13', () => {
    expect(schedule(six(), policy({ maxConcurrentCopiesPerShard: 4 }))[0]).toMatchObject({ concurrency: 4, secondsLow: 13, secondsHigh: 39 });
  });

  it('more lanes than groups: the longest group', () => {
    expect(schedule(six(), policy({ maxConcurrentCopiesPerShard: 64 }))[0]).toMatchObject({ secondsLow: 10, secondsHigh: 30 });
  });

  it('a group\'s steps never spread over lanes (they are ordered): one 100 s group and ten 1 s groups on 4 lanes take 100 s', () => {
    const list = [fake('s1', 100), ...Array.from({ length: 10 }, () => fake('s1', 1))];
    expect(schedule(list, policy({ maxConcurrentCopiesPerShard: 4 }))[0]).toMatchObject({ secondsLow: 100 });
  });

  it('shards are independent, longest first', () => {
    const out = schedule([...six('s1'), fake('s2', 1000), fake('s3', 1)], policy({ maxConcurrentCopiesPerShard: 2 }));
    expect(out.map((s) => [s.shard, s.secondsLow])).toEqual([['s2', 1000], ['s1', 23], ['s3', 1]]);
  });

  it('a shard with only direct ALTERs: at most policy.directAlter.maxConcurrentPerShard at once', () => {
    const list = [fake('s1', 10, 'direct-alter'), fake('s1', 10, 'direct-alter'), fake('s1', 10, 'direct-alter')];
    const p = policy({ maxConcurrentCopiesPerShard: 4, directAlter: { maxRows: 1000, maxConcurrentPerShard: 1 } });
    expect(schedule(list, p)[0]).toMatchObject({ concurrency: 1, secondsLow: 30 });
    expect(schedule(list, policy({ maxConcurrentCopiesPerShard: 4, directAlter: { maxRows: 1000, maxConcurrentPerShard: 2 } }))[0]).toMatchObject({ concurrency: 2, secondsLow: 20 });
  });

  // plan.ts (schedule) promises "direct ALTERs also bounded by directAlter.maxConcurrentPerShard"; on a shard that
  // also has one online copy, the four direct ALTERs are scheduled 4 at a time — what degraded Intercom's cluster.
  it('a shard with direct ALTERs and copies: the direct ALTERs still run at most directAlter.maxConcurrentPerShard at once', () => {
    const list = [...Array.from({ length: 4 }, () => fake('s1', 100, 'direct-alter')), fake('s1', 1, 'copy')];
    const p = policy({ maxConcurrentCopiesPerShard: 4, directAlter: { maxRows: 1000, maxConcurrentPerShard: 1 } });
    expect(schedule(list, p)[0]!.secondsLow).toBeGreaterThanOrEqual(400);
  });
});

describe('4,000 tenant databases on one shard', () => {
  // Each tenant: categories.id (INT, 93%) ← articles.category_id (declared); 10,000 + 20,000 rows
  // at 5,000 rows/s, × 0.5–1.5: 1 + 2 s low, 3 + 6 s high → 3–9 s per group.
  const tenants = Array.from({ length: 4000 }, (_, i) =>
    db(`ws_${String(i).padStart(4, '0')}`,
      table('categories', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10_000n }),
      table('articles', { id: 'bigint auto', category_id: 'int' }, { fks: { category_id: 'categories.id' }, rows: 20_000n }),
    ),
  );
  const fleet = snapshot(shard('s1', ...tenants));
  const plan = planOf(fleet);

  it('4,000 groups, one schedule line for the shard: the total, not 4,000 independent numbers', () => {
    expect(plan.plans).toHaveLength(4000);
    // The builder's tables have no size: disk is unknown (null), never "0 B".
    expect(plan.plans[0]!.total).toEqual({ secondsLow: 3, secondsHigh: 9, diskBytes: null });
    expect(plan.schedule).toHaveLength(1);
    const [s] = plan.schedule;
    expect(s).toMatchObject({ shard: 's1', groups: 4000, copySteps: 8000, concurrency: 1 });
    expect(s!.secondsLow).toBeCloseTo(12_000, 6);
    expect(s!.secondsHigh).toBeCloseTo(36_000, 6);
    expect(formatPlanText(plan)).toContain('  s1: 4000 groups, 8000 copies, 1 at a time → 3.3 h – 10.0 h');
  });

  it('four copies at a time: a quarter of that', () => {
    const [s] = schedule(plan.plans, policy({ maxConcurrentCopiesPerShard: 4 }));
    expect(s).toMatchObject({ groups: 4000, copySteps: 8000, concurrency: 4 });
    expect(s!.secondsLow).toBeCloseTo(3_000, 6);
    expect(s!.secondsHigh).toBeCloseTo(9_000, 6);
  });
});
