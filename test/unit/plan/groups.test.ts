/**
 * Widening groups (src/plan/groups.ts) and the ordered steps of a group (src/plan/plan.ts).
 * A group is a key plus every column that holds its values: widening one without the
 * others is the February 2024 outage (message_threads.id BIGINT, four INT columns not).
 */
import { describe, expect, it } from 'vitest';
import { buildGroups, findingKey, groupId, shardContexts } from '../../../src/plan/groups.js';
import { matchesOnly } from '../../../src/plan/plan.js';
import { DEFAULT_POLICY, parsePolicy } from '../../../src/plan/policy.js';
import type { WideningPlan } from '../../../src/plan/types.js';
import { scanSnapshot } from '../../../src/scan.js';
import { formatType } from '../../../src/model/integers.js';
import { configured, config, db, planOf, shard, snapshot, table } from '../builders.js';

const policy = (raw: Record<string, unknown>) => parsePolicy(raw, (field, why) => new Error(`${field}: ${why}`));
const NEAR = 2_000_000_000n; // 93% of a signed INT
const order = (p: WideningPlan) => p.steps.map((s) => `${s.kind}:${s.table ?? ''}`);
const change = (p: WideningPlan) =>
  Object.fromEntries(p.members.map((m) => [`${m.ref.table}.${m.ref.column}`, m.needsChange ? `${formatType(m.current)} → ${formatType(m.target)}` : `${formatType(m.current)} (no change)`]));

/** users.id is full. Children of every kind: declared, configured, inferred, and a configured self-reference. */
function usersFleet() {
  return shard('s1', db('app',
    table('users', { id: 'int auto', manager_id: 'int null' }, { autoIncrement: NEAR, rows: 100n }),
    table('posts', { id: 'bigint auto', user_id: 'int' }, { fks: { user_id: 'users.id' }, rows: 10n }),
    table('comments', { id: 'bigint auto', author_id: 'int' }, { rows: 10n }),
    table('likes', { id: 'bigint auto', user_id: 'int' }, { rows: 10n }),
  ));
}
const usersConfig = () => config({ relationships: [configured('comments.author_id', 'users.id'), configured('users.manager_id', 'users.id')] });

describe('a group: the key and every column that references it', () => {
  const [p, ...rest] = planOf(snapshot(usersFleet()), usersConfig()).plans;

  it('is one group, named after the key', () => {
    expect(rest).toEqual([]);
    expect(p!.id).toBe('s1/app/users.id');
    expect(p!.key).toEqual({ shard: 's1', database: 'app', table: 'users', column: 'id' });
  });

  it('members: the referencing columns (declared, configured, inferred) in a stable order, then the key', () => {
    expect(p!.members.map((m) => `${m.ref.table}.${m.ref.column}:${m.role}:${m.source ?? ''}`)).toEqual([
      'comments.author_id:reference:configured',
      'likes.user_id:reference:inferred',
      'posts.user_id:reference:declared',
      'users.manager_id:reference:configured',
      'users.id:key:',
    ]);
    const declared = p!.members.find((m) => m.ref.table === 'posts')!;
    expect(declared.constraint).toBe('fk_posts_user_id');
    expect(declared.evidence).toBe('constraint fk_posts_user_id');
    expect(p!.members.find((m) => m.ref.table === 'likes')!.evidence).toBe('naming: user_id → users.id');
    expect(p!.members.find((m) => m.ref.table === 'comments')!.evidence).toBe('test.yml comments.author_id');
  });

  it('findings of the same key merge into the group: every finding id is in triggeredBy', () => {
    expect([...p!.triggeredBy].sort()).toEqual([
      'fk-capacity:s1/app/comments.author_id',
      'fk-capacity:s1/app/likes.user_id',
      'fk-capacity:s1/app/posts.user_id',
      'fk-capacity:s1/app/users.manager_id',
      'pk-capacity:s1/app/users.id',
    ]);
    expect(p!.worstSeverity).toBe('critical');
  });

  it('step order: drop constraints, children (one table at a time), the key last, orphan check + re-add, application', () => {
    expect(order(p!)).toEqual([
      'drop-fk:posts',
      'copy:comments',
      'copy:likes',
      'copy:posts',
      'copy:users',
      'orphan-check:posts',
      'add-fk:posts',
      'application:',
    ]);
    expect(p!.steps.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a self-referencing column (users.manager_id → users.id) goes in the key\'s own step, one ALTER for both', () => {
    const key = p!.steps.find((s) => s.table === 'users')!;
    expect(key.title).toBe('Widen users: manager_id int → bigint, id int → bigint (the key, last)');
    expect(key.commands.join('\n')).toContain("--alter='MODIFY `manager_id` BIGINT NULL, MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT'");
  });

  it('the re-added constraint is the one dropped, with the orphan check just before it', () => {
    expect(p!.steps[0]!.commands).toContain('ALTER TABLE `app`.`posts` DROP FOREIGN KEY `fk_posts_user_id`, ALGORITHM=INPLACE, LOCK=NONE;');
    expect(p!.steps[5]!.commands).toEqual([
      'SELECT COUNT(*) AS orphans FROM `app`.`posts` c LEFT JOIN `app`.`users` p ON p.`id` = c.`user_id` WHERE c.`user_id` IS NOT NULL AND p.`id` IS NULL;',
    ]);
    expect(p!.steps[6]!.commands).toContain(
      'ALTER TABLE `app`.`posts` ADD CONSTRAINT `fk_posts_user_id` FOREIGN KEY (`user_id`) REFERENCES `app`.`users` (`id`), ALGORITHM=INPLACE, LOCK=NONE;',
    );
  });

  it('the application step comes last: processes cache column types', () => {
    const last = p!.steps.at(-1)!;
    expect(last.kind).toBe('application');
    expect(last.commands.join('\n')).toMatch(/schema:cache:dump/);
    expect(last.notes.join(' ')).toMatch(/RangeError/);
  });
});

describe('several referencing columns on one table', () => {
  const s = shard('s1', db('app',
    table('users', { id: 'int auto' }, { autoIncrement: NEAR, rows: 10n }),
    table('messages', { id: 'bigint auto', sender_id: 'int', recipient_id: 'int null' }, { fks: { sender_id: 'users.id', recipient_id: 'users.id' }, rows: 10n }),
  ));
  const p = planOf(snapshot(s)).plans[0]!;

  it('become ONE copy of that table with a MODIFY per column', () => {
    const copies = p.steps.filter((x) => x.kind === 'copy');
    expect(copies.map((x) => x.table)).toEqual(['messages', 'users']);
    expect(copies[0]!.title).toBe('Widen messages: recipient_id int → bigint, sender_id int → bigint');
    expect(copies[0]!.commands[1]).toContain("--alter='MODIFY `recipient_id` BIGINT NULL, MODIFY `sender_id` BIGINT NOT NULL'");
  });

  it('each constraint is dropped before and re-added after, once', () => {
    expect(order(p)).toEqual([
      'drop-fk:messages',
      'drop-fk:messages',
      'copy:messages',
      'copy:users',
      'orphan-check:messages',
      'add-fk:messages',
      'orphan-check:messages',
      'add-fk:messages',
      'application:',
    ]);
    const dropped = p.steps.filter((x) => x.kind === 'drop-fk').map((x) => x.title);
    expect(dropped).toEqual([
      'Drop constraint fk_messages_recipient_id on messages (re-added in a later step)',
      'Drop constraint fk_messages_sender_id on messages (re-added in a later step)',
    ]);
  });
});

describe('a self-referencing declared constraint (categories.parent_id → categories.id)', () => {
  const s = shard('s1', db('app', table('categories', { id: 'int auto', parent_id: 'int null' }, { autoIncrement: NEAR, rows: 10n, fks: { parent_id: 'categories.id' } })));
  const p = planOf(snapshot(s)).plans[0]!;

  it('drop it, widen both columns in the key\'s one step, check, re-add', () => {
    expect(order(p)).toEqual(['drop-fk:categories', 'copy:categories', 'orphan-check:categories', 'add-fk:categories', 'application:']);
    expect(p.steps[1]!.title).toBe('Widen categories: parent_id int → bigint, id int → bigint (the key, last)');
  });

  it('the dropped self-reference does not count against gh-ost', () => {
    expect(p.steps[1]!.tool).toBe('gh-ost');
  });

  it('the orphan check joins the table to itself', () => {
    expect(p.steps[2]!.commands[0]).toBe(
      'SELECT COUNT(*) AS orphans FROM `app`.`categories` c LEFT JOIN `app`.`categories` p ON p.`id` = c.`parent_id` WHERE c.`parent_id` IS NOT NULL AND p.`id` IS NULL;',
    );
  });
});

describe('target type: the key keeps its sign; every referencing column gets exactly the key\'s target', () => {
  it('signed key: an unsigned child becomes signed BIGINT (like the key), a wide-enough inferred child is left alone', () => {
    const s = shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: NEAR, rows: 10n }),
      table('posts', { id: 'bigint auto', user_id: 'int unsigned' }, { rows: 10n }),
      table('visits', { id: 'bigint auto', user_id: 'bigint unsigned' }, { rows: 10n }),
      table('follows', { id: 'bigint auto', user_id: 'bigint' }, { rows: 10n }),
      table('notes', { id: 'bigint auto', user_id: 'mediumint' }, { rows: 10n }),
    ));
    const p = planOf(snapshot(s)).plans[0]!;
    expect(change(p)).toEqual({
      'follows.user_id': 'bigint (no change)',
      'notes.user_id': 'mediumint → bigint',
      'posts.user_id': 'int unsigned → bigint',
      'visits.user_id': 'bigint unsigned (no change)',
      'users.id': 'int → bigint',
    });
    expect(p.steps.find((x) => x.table === 'posts')!.commands.join('\n')).toContain("'MODIFY `user_id` BIGINT NOT NULL'");
    expect(p.steps.some((x) => x.table === 'visits' || x.table === 'follows')).toBe(false);
  });

  it('unsigned key: BIGINT UNSIGNED for the key, a declared child and a signed inferred child alike', () => {
    const s = shard('s1', db('app',
      table('users', { id: 'int(10) unsigned auto' }, { autoIncrement: 4_000_000_000n, rows: 10n }),
      table('posts', { id: 'bigint auto', user_id: 'int(10) unsigned' }, { fks: { user_id: 'users.id' }, rows: 10n }),
      table('likes', { id: 'bigint auto', user_id: 'int' }, { rows: 10n }),
      table('tags', { id: 'bigint auto', user_id: 'smallint unsigned' }, { rows: 10n }),
    ));
    const p = planOf(snapshot(s)).plans[0]!;
    const key = p.members.find((m) => m.role === 'key')!;
    expect(key.target).toEqual({ dataType: 'bigint', unsigned: true, zerofill: false });
    for (const m of p.members.filter((x) => x.needsChange)) expect({ dataType: m.target.dataType, unsigned: m.target.unsigned }).toEqual({ dataType: 'bigint', unsigned: true });
    expect(change(p)).toEqual({
      'likes.user_id': 'int → bigint unsigned',
      'posts.user_id': 'int unsigned → bigint unsigned',
      'tags.user_id': 'smallint unsigned → bigint unsigned',
      'users.id': 'int unsigned → bigint unsigned',
    });
  });

  it('a configured reference already wide enough needs no change either', () => {
    const s = shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: NEAR, rows: 10n }),
      table('audits', { id: 'bigint auto', actor: 'bigint' }, { rows: 10n }),
    ));
    const p = planOf(snapshot(s), config({ relationships: [configured('audits.actor', 'users.id')] })).plans[0]!;
    expect(change(p)).toEqual({ 'audits.actor': 'bigint (no change)', 'users.id': 'int → bigint' });
  });
});

describe('a key that is already BIGINT (February 2024: message_threads.id)', () => {
  const s = shard('s1', db('app',
    table('message_threads', { id: 'bigint auto' }, { autoIncrement: 2_200_000_000n, rows: 10n }),
    table('conversation_parts', { id: 'bigint auto', message_thread_id: 'int' }, { rows: 10n }),
    table('thread_assignments', { id: 'bigint auto', message_thread_id: 'int unsigned' }, { rows: 10n }),
  ));
  const p = planOf(snapshot(s)).plans[0]!;

  it('needs no step of its own: only the narrow columns are widened, to the key\'s exact type', () => {
    expect(p.id).toBe('s1/app/message_threads.id');
    expect(order(p)).toEqual(['copy:conversation_parts', 'copy:thread_assignments', 'application:']);
    expect(change(p)).toEqual({
      'conversation_parts.message_thread_id': 'int → bigint',
      'thread_assignments.message_thread_id': 'int unsigned → bigint',
      'message_threads.id': 'bigint (no change)',
    });
    expect(p.blocked).toEqual([]);
  });

  it('a declared child of a BIGINT key: the constraint is still dropped and re-added around the child', () => {
    const d = shard('s1', db('app',
      table('message_threads', { id: 'bigint auto' }, { autoIncrement: 2_200_000_000n, rows: 10n }),
      // A constraint between BIGINT and INT cannot be created, but can survive from older servers or foreign_key_checks=0.
      table('parts', { id: 'bigint auto', message_thread_id: 'int' }, { fks: { message_thread_id: 'message_threads.id' }, rows: 10n }),
    ));
    expect(order(planOf(snapshot(d)).plans[0]!)).toEqual(['drop-fk:parts', 'copy:parts', 'orphan-check:parts', 'add-fk:parts', 'application:']);
  });
});

describe('a key already at the widest type', () => {
  it('BIGINT UNSIGNED near its max with nothing narrow: blocked, saying widening cannot help and what can', () => {
    const s = shard('s1', db('app', table('events', { id: 'bigint unsigned auto' }, { autoIncrement: 18_000_000_000_000_000_000n, rows: 10n })));
    const p = planOf(snapshot(s)).plans[0]!;
    expect(p.blocked).toEqual([
      'events.id is already bigint unsigned, the widest integer type: widening cannot help — the key needs a new scheme (archive and re-key, or a different id source).',
    ]);
    expect(p.steps).toEqual([]);
  });

  it('with a declared child of the same type: still blocked, nothing to run', () => {
    const s = shard('s1', db('app',
      table('events', { id: 'bigint unsigned auto' }, { autoIncrement: 18_000_000_000_000_000_000n, rows: 10n }),
      table('event_tags', { id: 'bigint auto', event_id: 'bigint unsigned' }, { fks: { event_id: 'events.id' }, rows: 10n }),
    ));
    const p = planOf(snapshot(s)).plans[0]!;
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]).toMatch(/widest integer type/);
    expect(p.steps).toEqual([]);
  });

  // The children get widened, but the key itself stays at 95% of BIGINT and nothing says so.
  it('with a narrow inferred child: the children are widened AND a warning says the key itself is still running out', () => {
    const s = shard('s1', db('app',
      table('events', { id: 'bigint auto' }, { autoIncrement: 8_800_000_000_000_000_000n, rows: 10n }),
      table('event_tags', { id: 'bigint auto', event_id: 'int' }, { rows: 10n }),
    ));
    const p = planOf(snapshot(s)).plans[0]!;
    expect(order(p)).toContain('copy:event_tags');
    expect([...p.blocked, ...p.warnings].join('\n')).toMatch(/widest/);
  });
});

describe('a member that is itself referenced (1:1 table sharing its key: profiles.id → users.id ← …)', () => {
  // profile_settings.profile_id → profiles.id (declared) is not in users.id's group. Widening
  // profiles.id with pt-online-schema-change --alter-foreign-keys-method rebuild_constraints while
  // profile_settings.profile_id is still INT is the reproduced failure (child left pointing at _profiles_old).
  const s = shard('s1', db('app',
    table('users', { id: 'int auto' }, { autoIncrement: NEAR, rows: 10n }),
    table('profiles', { id: 'int' }, { fks: { id: 'users.id' }, rows: 10n }),
    table('profile_settings', { id: 'bigint auto', profile_id: 'int' }, { fks: { profile_id: 'profiles.id' }, rows: 10n }),
  ));

  it('profiles.id is widened with users.id, children first', () => {
    const p = planOf(snapshot(s), config(), { only: 's1/app/users.id' }).plans[0]!;
    // Both constraints dropped first, then every child (profile_settings, profiles), the key last.
    expect(order(p).slice(0, 5)).toEqual(['drop-fk:profile_settings', 'drop-fk:profiles', 'copy:profile_settings', 'copy:profiles', 'copy:users']);
  });

  it('its own children are widened first too (pt-osc rebuild_constraints onto a narrower child was the reproduced failure)', () => {
    const p = planOf(snapshot(s), config(), { only: 's1/app/users.id' }).plans[0]!;
    const covered = p.members.some((m) => m.ref.table === 'profile_settings' && m.needsChange);
    expect(covered || p.blocked.length > 0).toBe(true);
  });
});

describe('selection: --only and --finding', () => {
  const tenant = (name: string) =>
    db(name,
      table('categories', { id: 'int auto' }, { autoIncrement: NEAR, rows: 10n }),
      table('articles', { id: 'bigint auto', category_id: 'int' }, { fks: { category_id: 'categories.id' }, rows: 10n }),
    );
  const fleet = snapshot(shard('s1', tenant('ws_a'), tenant('ws_b')), shard('s2', tenant('ws_a')));
  const ids = (only?: string, finding?: string) =>
    planOf(fleet, config(), { ...(only ? { only } : {}), ...(finding ? { finding } : {}) }).plans.map((p) => p.id);

  it('without selection: one group per key, per database, per shard', () => {
    expect(ids()).toEqual(['s1/ws_a/categories.id', 's1/ws_b/categories.id', 's2/ws_a/categories.id']);
  });

  it('table.column matches that column in every database of every shard', () => {
    expect(ids('categories.id')).toEqual(['s1/ws_a/categories.id', 's1/ws_b/categories.id', 's2/ws_a/categories.id']);
  });

  it('db.table.column narrows to one database (on every shard)', () => {
    expect(ids('ws_a.categories.id')).toEqual(['s1/ws_a/categories.id', 's2/ws_a/categories.id']);
  });

  it('shard/db/table.column names exactly one column', () => {
    expect(ids('s1/ws_b/categories.id')).toEqual(['s1/ws_b/categories.id']);
  });

  it('a referencing column selects the group it belongs to, whole', () => {
    const plan = planOf(fleet, config(), { only: 's2/ws_a/articles.category_id' });
    expect(plan.plans.map((p) => p.id)).toEqual(['s2/ws_a/categories.id']);
    expect(plan.plans[0]!.members).toHaveLength(2);
  });

  it('nothing matches: no group (the CLI turns that into a usage error)', () => {
    expect(ids('categories.name')).toEqual([]);
    expect(ids('ws_c.categories.id')).toEqual([]);
    expect(ids('s3/ws_a/categories.id')).toEqual([]);
  });

  it('--finding selects the group of that finding\'s key, with every member', () => {
    const plan = planOf(fleet, config(), { finding: 'fk-capacity:s1/ws_b/articles.category_id' });
    expect(plan.plans.map((p) => p.id)).toEqual(['s1/ws_b/categories.id']);
    expect(plan.plans[0]!.members.map((m) => `${m.ref.table}.${m.ref.column}`)).toEqual(['articles.category_id', 'categories.id']);
    expect(plan.plans[0]!.triggeredBy).toContain('fk-capacity:s1/ws_b/articles.category_id');
    expect(ids(undefined, 'pk-capacity:s1/ws_b/nope.id')).toEqual([]);
  });

  it('matchesOnly compares whole names, not prefixes', () => {
    const ref = { shard: 's1', database: 'ws_a', table: 'categories', column: 'id' };
    expect(matchesOnly(ref, 'categories.id')).toBe(true);
    expect(matchesOnly(ref, 'ategories.id')).toBe(false);
    expect(matchesOnly(ref, 'categories.i')).toBe(false);
    expect(matchesOnly(ref, 'ws_a.categories.id')).toBe(true);
    expect(matchesOnly(ref, 's1/ws_a/categories.id')).toBe(true);
    expect(matchesOnly(ref, 's1/ws_b/categories.id')).toBe(false);
  });
});

describe('buildGroups directly', () => {
  it('the key of a finding: the column for pk-capacity, the referenced key for fk checks', () => {
    const snap = snapshot(usersFleet());
    const findings = scanSnapshot(snap, usersConfig()).findings;
    const keys = new Set(findings.map((f) => groupId(findingKey(f))));
    expect([...keys]).toEqual(['s1/app/users.id']);
    const groups = buildGroups(findings, shardContexts(snap, usersConfig()), DEFAULT_POLICY);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.triggeredBy).toHaveLength(findings.length);
  });

  it('a finding about a shard or table the snapshot does not have is skipped, not thrown', () => {
    const snap = snapshot(usersFleet());
    const [f] = scanSnapshot(snap, usersConfig()).findings;
    const ctx = shardContexts(snap, usersConfig());
    expect(buildGroups([{ ...f!, shard: 'elsewhere' }], ctx, DEFAULT_POLICY)).toEqual([]);
    expect(buildGroups([{ ...f!, references: undefined, table: 'gone' }], ctx, DEFAULT_POLICY)).toEqual([]);
  });

  it('worst severity wins across merged findings', () => {
    // users.id at 75% (warning); tiny.user_id (smallint) far past it (critical).
    const s = shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: 1_610_612_736n, rows: 10n }),
      table('tiny', { id: 'bigint auto', user_id: 'smallint' }, { rows: 10n }),
    ));
    const p = planOf(snapshot(s), config(), { policy: policy({}) }).plans[0]!;
    expect(p.triggeredBy.sort()).toEqual(['fk-capacity:s1/app/tiny.user_id', 'fk-type-mismatch:s1/app/tiny.user_id', 'pk-capacity:s1/app/users.id']);
    expect(p.worstSeverity).toBe('critical');
  });
});

describe('names that repeat in one shard (a database or a table read twice)', () => {
  // The planner looks tables and columns up by name, as the checks do: a name read twice leads to
  // the catalog's table of that name (the last one read), and each column is one member.
  const part = (rows: bigint) =>
    db('app',
      table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows }),
      table('posts', { id: 'bigint auto', user_id: 'int' }, { fks: { user_id: 'users.id' }, rows }),
      table('likes', { id: 'bigint auto', user_id: 'int', post_id: 'bigint' }, { rows }),
    );
  const summary = (p: WideningPlan) => ({
    id: p.id,
    members: p.members.map((m) => `${m.ref.database}.${m.ref.table}.${m.ref.column}:${m.source ?? 'key'}:${m.needsChange}`),
    steps: p.steps.map((s) => `${s.kind}:${s.table ?? ''}:${s.tool ?? ''}:${s.estimate?.rowsEstimate ?? ''}`),
    why: p.steps.map((s) => s.toolReason ?? ''),
  });

  it("a database name read twice: one group, from the catalog's (last) tables", () => {
    const plans = planOf(snapshot(shard('s1', part(10n), part(20n)))).plans;
    expect(plans.map(summary)).toEqual([
      {
        id: 's1/app/users.id',
        members: ['app.likes.user_id:inferred:true', 'app.posts.user_id:declared:true', 'app.users.id:key:true'],
        steps: ['drop-fk:posts::', 'copy:likes:gh-ost:20', 'copy:posts:gh-ost:20', 'copy:users:gh-ost:20', 'orphan-check:posts::', 'add-fk:posts::', 'application:::'],
        why: ['', 'first allowed tool in policy.tools', 'first allowed tool in policy.tools', 'first allowed tool in policy.tools', '', '', ''],
      },
    ]);
  });
});
