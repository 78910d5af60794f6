/**
 * Reporters for `headroom plan` (src/report/plan.ts) and the units they print (src/report/units.ts).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/plan/policy.js';
import type { Plan } from '../../../src/plan/types.js';
import { formatPlanJson, formatPlanMarkdown, formatPlanText } from '../../../src/report/plan.js';
import { bytes, duration, durationRange } from '../../../src/report/units.js';
import { config, configured, db, planOf, shard, snapshot, table, withTable } from '../builders.js';

const MiB = 1n << 20n;

/** app.users.id (INT, 93%) ← posts.user_id (declared), visits.user_id (inferred, already BIGINT), audits.actor (configured);
 *  logs.events.id: BIGINT UNSIGNED at 97.6%, nothing to widen. */
function small(): Plan {
  const s = shard('s1',
    db('app',
      withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 1_000_000n }), { dataBytes: 100n * MiB, indexBytes: 28n * MiB }),
      withTable(table('posts', { id: 'bigint auto', user_id: 'int' }, { fks: { user_id: 'users.id' }, rows: 3_000_000n }), { dataBytes: 300n * MiB, indexBytes: 100n * MiB }),
      table('visits', { id: 'bigint auto', user_id: 'bigint' }, { rows: 10n }),
      table('audits', { id: 'bigint auto', actor: 'int' }, { rows: 10n }),
    ),
    db('logs', table('events', { id: 'bigint unsigned auto' }, { autoIncrement: 18_000_000_000_000_000_000n, rows: 10n })),
  );
  return planOf(snapshot(s), config({ relationships: [configured('audits.actor', 'users.id')] }), {
    connections: new Map([['s1', { host: 'db1', port: 3306, user: 'ops' }]]),
  });
}

describe('text', () => {
  const text = formatPlanText(small());

  it('one section per group, worst first, with severity and how many findings made it', () => {
    expect(text.indexOf('━━ s1/app/users.id  (critical; from 3 findings)')).toBe(0);
    expect(text).toContain('\n━━ s1/logs/events.id  (critical; from 1 finding)\n');
  });

  it('every member with its change (or none) and how it was found', () => {
    expect(text).toContain('  app.audits.actor  int → bigint  [configured: test.yml audits.actor]');
    expect(text).toContain('  app.posts.user_id  int → bigint  [declared: constraint fk_posts_user_id]');
    expect(text).toContain('  app.visits.user_id  bigint (no change)  [inferred: naming: user_id → users.id]');
    expect(text).toContain('  app.users.id  int → bigint  [the key]');
  });

  it('blocked groups say so', () => {
    expect(text).toContain('BLOCKED: events.id is already bigint unsigned, the widest integer type');
  });

  it('steps numbered, with tool, estimate, why and the exact commands', () => {
    expect(text).toContain('  1. Drop constraint fk_posts_user_id on posts (re-added in a later step)');
    expect(text).toContain('     mysql> ALTER TABLE `app`.`posts` DROP FOREIGN KEY `fk_posts_user_id`, ALGORITHM=INPLACE, LOCK=NONE;');
    // posts: 3M rows × 0.5–1.5 at 5,000 rows/s = 300–900 s; disk 400 MiB × 1.6; binlog 300 MiB × 1.2
    expect(text).toContain('  3. Widen posts: user_id int → bigint — gh-ost  [5 min – 15 min, disk 640.0 MiB, binlog 360.0 MiB]');
    expect(text).toContain('     why: first allowed tool in policy.tools');
    expect(text).toMatch(/ {5}\$ gh-ost --host=db1 --port=3306 --user=ops .*--execute\n/);
    expect(text).toContain('  7. Restart the application so it sees the new types');
  });

  it('group totals, the per-shard schedule and the assumptions', () => {
    // users 1M rows: 100–300 s; posts 300–900 s; audits 10 rows: ~0 → 400–1200 s
    expect(text).toContain('Copy time 7 min – 20 min, free disk needed 640.0 MiB (largest copy).');
    expect(text).toContain('Schedule per shard (copies in a lane run one after another):\n  s1: 2 groups, 3 copies, 1 at a time → 7 min – 20 min');
    expect(text.endsWith('Assumes 5000 rows/s (policy.copyRowsPerSecond) and TABLE_ROWS off by up to 0.5×–1.5×.\n')).toBe(true);
  });

  it('an empty plan says nothing was selected', () => {
    expect(formatPlanText({ ...small(), plans: [], schedule: [] })).toBe('Nothing to plan: no finding selected.\n');
  });
});

describe('markdown', () => {
  const md = formatPlanMarkdown(small());

  it('a summary table, one row per group', () => {
    expect(md.startsWith('# Widening plan\n\n| group | severity | columns | copy time | disk | blocked |\n|---|---|---|---|---|---|\n')).toBe(true);
    expect(md).toContain('| `s1/app/users.id` | critical | 4 | 7 min – 20 min | 640.0 MiB | no |');
    expect(md).toContain('| `s1/logs/events.id` | critical | 1 | < 1 s | 0 B | yes |');
  });

  it('per group: findings, members, blocked notes, steps with commands in sh blocks', () => {
    expect(md).toContain('## `s1/app/users.id`');
    expect(md).toMatch(/Severity \*\*critical\*\*, from: `[^`]+`(, `[^`]+`){2}\./);
    expect(md).toContain('| `app.posts.user_id` | int → bigint | declared (constraint fk_posts_user_id) |');
    expect(md).toContain('| `app.visits.user_id` | bigint (no change) | inferred (naming: user_id → users.id) |');
    expect(md).toContain('> **Blocked:** events.id is already bigint unsigned');
    expect(md).toContain('3. **Widen posts: user_id int → bigint** — `gh-ost` (5 min – 15 min, disk 640.0 MiB)');
    expect(md).toContain('   ```sh\n   SET SESSION lock_wait_timeout = 5;\n   ALTER TABLE `app`.`posts` DROP FOREIGN KEY `fk_posts_user_id`, ALGORITHM=INPLACE, LOCK=NONE;\n   ```');
  });

  it('the schedule table', () => {
    expect(md).toContain('## Schedule\n\n| shard | groups | copies | at a time | total |\n|---|---|---|---|---|\n| s1 | 2 | 3 | 1 | 7 min – 20 min |');
  });

  it('an empty plan', () => {
    expect(formatPlanMarkdown({ ...small(), plans: [], schedule: [] })).toBe('# Widening plan\n\nNothing to plan: no finding selected.\n');
  });
});

describe('json', () => {
  it('the whole plan, parseable, version 1, bigints as numbers when exact', () => {
    const j = JSON.parse(formatPlanJson(small()));
    expect(j.version).toBe(1);
    expect(j.policy.directAlter).toEqual({ maxRows: 0, maxBytes: 0, maxConcurrentPerShard: 1, tables: [] });
    expect(j.plans.map((p: { id: string }) => p.id)).toEqual(['s1/app/users.id', 's1/logs/events.id']);
    const users = j.plans[0];
    expect(users.triggeredBy).toEqual(['fk-capacity:s1/app/audits.actor', 'fk-capacity:s1/app/posts.user_id', 'pk-capacity:s1/app/users.id']);
    expect(users.steps.map((s: { kind: string }) => s.kind)).toEqual(['drop-fk', 'copy', 'copy', 'copy', 'orphan-check', 'add-fk', 'application']);
    expect(users.steps[2].estimate).toEqual({ rowsEstimate: 3000000, rowsLow: 1500000, rowsHigh: 4500000, secondsLow: 300, secondsHigh: 900, diskBytes: 671088640, binlogBytes: 377487360 });
    // 100–300 s (users) + 300–900 s (posts) + 0.001–0.003 s (audits, 10 rows)
    expect(users.total.diskBytes).toBe(671088640);
    expect(users.total.secondsLow).toBeCloseTo(400.001, 9);
    expect(users.total.secondsHigh).toBeCloseTo(1200.003, 9);
    expect(j.schedule).toEqual([{ shard: 's1', groups: 2, copySteps: 3, concurrency: 1, secondsLow: users.total.secondsLow, secondsHigh: users.total.secondsHigh }]);
    expect(j.plans[1].blocked).toHaveLength(1);
  });

  it('bigints: numbers up to 2^53 − 1, strings above (never rounded)', () => {
    const s = shard('s1', db('app', withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 9_007_199_254_740_991n }), {
      dataBytes: 1n << 60n,
      indexBytes: 0n,
    })));
    const text = formatPlanJson(planOf(snapshot(s), config(), { policy: parsePolicy({ maxTableBytes: '1TiB' }, (f, w) => new Error(`${f}: ${w}`)) }));
    const e = JSON.parse(text).plans[0].steps[0].estimate;
    expect(e.rowsEstimate).toBe(9007199254740991);
    expect(e.rowsLow).toBe(4503599627370495);
    expect(e.rowsHigh).toBe('13510798882111486');
    expect(e.diskBytes).toBe('1844674407370955161');
    expect(e.binlogBytes).toBe('1383505805528216371');
    expect(JSON.parse(text).policy.maxTableBytes).toBe(1099511627776);
  });

  it('ends with a newline, indented', () => {
    const t = formatPlanJson(small());
    expect(t.endsWith('}\n')).toBe(true);
    expect(t.startsWith('{\n  "version": 1,')).toBe(true);
  });

  /** What the reporter writes, by its rule: every bigint a number up to 2^53 − 1, a string above, keys in place. */
  const byRule = (plan: unknown) =>
    JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2) + '\n';

  it('the same text as stringifying the plan itself by that rule: policy, estimates and totals, big and small', () => {
    const s = shard('s1', db('app',
      withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 9_007_199_254_740_993n }), { dataBytes: 1n << 60n, indexBytes: 7n }),
      table('posts', { id: 'bigint auto', user_id: 'int' }, { rows: null }),
    ));
    const policy = parsePolicy({ maxTableBytes: '1TiB', directAlter: { maxRows: '18446744073709551615', maxBytes: 1 } }, (f, w) => new Error(`${f}: ${w}`));
    for (const plan of [small(), planOf(snapshot(s), config(), { policy })]) expect(formatPlanJson(plan)).toBe(byRule(plan));
  });

  it('a bigint where plans have none (a field added later) is still written by the rule', () => {
    const plan = small();
    (plan.plans[0]!.steps[0] as unknown as Record<string, unknown>).extra = { at: 1n << 62n, small: 3n };
    (plan.plans[0]!.members[0] as unknown as Record<string, unknown>).seen = 5n;
    const text = formatPlanJson(plan);
    expect(text).toBe(byRule(plan));
    expect(JSON.parse(text).plans[0].steps[0].extra).toEqual({ at: '4611686018427387904', small: 3 });
  });
});

describe('many groups (a tenant fleet)', () => {
  /** `small()`'s groups repeated n times, each under its own id: ~35 lines a copy. */
  const many = (n: number): Plan => {
    const base = small();
    const plans = Array.from({ length: n }, (_, i) => base.plans.map((p) => ({ ...p, id: `${p.id}#${i}` }))).flat();
    return { ...base, plans };
  };
  /** The text of each group alone (without the schedule and the closing lines). */
  const section = (format: (p: Plan) => string, plan: Plan, p: Plan['plans'][number], cut: string) => {
    const text = format({ ...plan, plans: [p], schedule: [] });
    return text.slice(0, text.indexOf(cut));
  };

  it('text: every group in full, in order, then the schedule, as when each is written alone', () => {
    const plan = many(150);
    const text = formatPlanText(plan);
    const tail = formatPlanText({ ...plan, plans: plan.plans.slice(0, 1) });
    const expected = plan.plans.map((p) => section(formatPlanText, plan, p, 'Schedule per shard')).join('') + tail.slice(tail.indexOf('Schedule per shard'));
    expect(text.split('\n').length).toBeGreaterThan(4000);
    expect(text).toBe(expected);
  });

  it('markdown: the table of groups, then every group in full, in order, then the schedule', () => {
    const plan = many(150);
    const md = formatPlanMarkdown(plan);
    const rows = plan.plans.map((p) => formatPlanMarkdown({ ...plan, plans: [p] }).split('\n')[4]).join('\n');
    const sections = plan.plans.map((p) => {
      const one = formatPlanMarkdown({ ...plan, plans: [p], schedule: [] });
      return one.slice(one.indexOf('## `'), one.indexOf('## Schedule'));
    });
    const one = formatPlanMarkdown({ ...plan, plans: plan.plans.slice(0, 1) });
    const expected = `${one.slice(0, one.indexOf('| `'))}${rows}\n\n${sections.join('')}${one.slice(one.indexOf('## Schedule'))}`;
    expect(md.split('\n').length).toBeGreaterThan(4000);
    expect(md).toBe(expected);
  });
});

describe('units', () => {
  it.each([
    [0, '< 1 s'],
    [0.99, '< 1 s'],
    [1, '1 s'],
    [89.4, '89 s'],
    [90, '2 min'],
    [5399, '90 min'],
    [5400, '1.5 h'],
    [48 * 3600 - 1, '48.0 h'],
    [48 * 3600, '2.0 days'],
    [Number.POSITIVE_INFINITY, '?'],
    [Number.NaN, '?'],
  ])('duration(%s) = %s', (s, text) => {
    expect(duration(s)).toBe(text);
  });

  it('a range collapses when both ends print the same', () => {
    expect(durationRange(300, 900)).toBe('5 min – 15 min');
    expect(durationRange(0.1, 0.3)).toBe('< 1 s');
  });

  it.each([
    [0n, '0 B'],
    [1023n, '1023 B'],
    [1024n, '1.0 KiB'],
    [640n * MiB, '640.0 MiB'],
    [3n << 30n, '3.0 GiB'],
    [1n << 50n, '1.0 PiB'],
    [1n << 60n, '1024.0 PiB'],
  ])('bytes(%s) = %s', (n, text) => {
    expect(bytes(n)).toBe(text);
  });
});
