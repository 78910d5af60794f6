/**
 * Findings + snapshot → ordered, estimated migration plans. Pure: nothing here
 * touches a server; applying a plan is a separate concern (a person, or a test).
 *
 * Order inside a group: drop declared constraints → widen referencing columns →
 * widen the key → check for orphans → re-add constraints → application.
 * Children before the parent: widening a parent with
 * `pt-online-schema-change --alter-foreign-keys-method=rebuild_constraints`
 * while a child is still narrower leaves the child pointing at `_parent_old`.
 */
import type { CheckConfig } from '../config/types.js';
import { formatType } from '../model/integers.js';
import { SEVERITY_RANK, type Column, type ColumnRef, type Finding, type ForeignKey, type Snapshot, type Table, compareText } from '../model/types.js';
import {
  addForeignKeySql,
  directAlterSql,
  dropForeignKeySql,
  foreignKeyClause,
  lockWait,
  q,
  qt,
  sqlString,
  ghostCommands,
  modifyClauses,
  orphanCheckSql,
  ptOscCommands,
  spiritCommands,
  vitessCommands,
  type Connection,
} from './commands.js';
import { buildGroups, groupId, oneCopy, parentForeignKeys, shardContexts, type ShardContext, type WideningGroup } from './groups.js';
import { DEFAULT_POLICY } from './policy.js';
import { applySequences } from '../vitess/sequences.js';
import { sequenceFixPlans } from '../vitess/fix.js';
import { chooseTool, directAllowedByName, hasUsableUniqueKey, type TableFacts } from './tools.js';
import type { BlockedOption, Estimate, GroupMember, Plan, Policy, ShardSchedule, Step, ToolCheck, ToolId, WideningPlan } from './types.js';
import { durationRange } from '../report/units.js';

export interface PlanOptions {
  policy?: Policy;
  /** Host/port/user per shard, for command lines (from the inventory). Placeholders otherwise. */
  connections?: Map<string, Connection>;
  /** `table.column`, `db.table.column` or `shard/db/table.column`: only groups with such a member. */
  only?: string;
  /** Only the group of this finding id. */
  finding?: string;
}

export function planWidenings(findings: readonly Finding[], snapshot: Snapshot, config: CheckConfig, options: PlanOptions = {}): Plan {
  const policy = options.policy ?? DEFAULT_POLICY;
  const contexts = shardContexts(config.vitess ? applySequences(snapshot, config.vitess) : snapshot, config);
  let selected = findings;
  if (options.finding) selected = findings.filter((f) => f.id === options.finding);
  // A broken Vitess sequence is repaired, not widened (src/vitess/fix.ts).
  let fixes = sequenceFixPlans(selected, snapshot, config, policy, options.connections);
  if (options.only) fixes = fixes.filter((p) => matchesOnly(p.key, options.only!));
  const groups = buildGroups(selected.filter((f) => !f.sequenceProblem), contexts, policy);
  let units = unitsOf(groups, contexts);
  // --only selects whole units: a group planned with another (they share a table) is copied with it.
  if (options.only) units = units.filter((u) => u.some((g) => g.members.some((m) => matchesOnly(m.ref, options.only!))));
  const keyspaces = keyspacesOf(config);
  const plans = units.map((u) => planUnit(u, contexts.get(u[0]!.key.shard)!, policy, options.connections?.get(u[0]!.key.shard), keyspaces));
  plans.push(...fixes);
  // A broken sequence fails inserts now: its repair before widenings of the same severity.
  plans.sort((a, b) => SEVERITY_RANK[b.worstSeverity] - SEVERITY_RANK[a.worstSeverity] || (a.kind ? 0 : 1) - (b.kind ? 0 : 1) || compareText(a.id, b.id));
  oncePerKeyspace(plans);
  return { version: 1, policy, plans, schedule: schedule(plans, policy) };
}

/** shard → database → keyspace, from the vitess: block (ApplySchema takes the keyspace's name); '' → vtctld's address. */
function keyspacesOf(config: CheckConfig): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (config.vitess?.vtctld) out.set('', new Map([['', [config.vitess.vtctld.server, ...config.vitess.vtctld.flags].join('\u0000')]]));
  for (const ks of config.vitess?.keyspaces ?? []) {
    for (const shard of ks.shards) {
      let m = out.get(shard);
      if (!m) out.set(shard, (m = new Map()));
      m.set(ks.database, ks.name);
    }
  }
  return out;
}

/**
 * The tables a group's steps act on: the tables of its changing columns, of the constraints it
 * drops and re-adds, and every table with a declared FK pointing at a table it copies (a copy
 * tool rebuilds those constraints under new names).
 */
function touchedTables(g: WideningGroup, ctx: ShardContext): string[] {
  const key = g.members.find((m) => m.role === 'key')!;
  const out = new Set<string>();
  for (const m of g.members) {
    if (!(m.needsChange || (m.constraint && key.needsChange))) continue;
    out.add(`${m.ref.database}\u0000${m.ref.table}`);
    if (!m.needsChange) continue;
    for (const p of parentForeignKeys(ctx, m.ref.database, m.ref.table)) out.add(`${p.database}\u0000${p.table}`);
  }
  return [...out];
}

/**
 * Groups of one shard whose steps act on a common table, joined (union-find): a table is copied
 * once, with every change to it in one tool run, and no group's step can meet a constraint name
 * another group's copy changed. Units in the order of their first group.
 */
export function unitsOf(groups: WideningGroup[], contexts: Map<string, ShardContext>): WideningGroup[][] {
  const parent = groups.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  groups.forEach((g, i) => {
    const ctx = contexts.get(g.key.shard)!;
    for (const t of touchedTables(g, ctx)) {
      const k = `${g.key.shard}\u0000${t}`;
      const o = owner.get(k);
      if (o === undefined) owner.set(k, i);
      else {
        const a = find(o);
        const b = find(i);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const units = new Map<number, WideningGroup[]>();
  groups.forEach((g, i) => {
    const r = find(i);
    const u = units.get(r);
    if (u) u.push(g);
    else units.set(r, [g]);
  });
  return [...units.values()].map((u) =>
    u.length > 1 ? u.sort((a, b) => SEVERITY_RANK[b.worstSeverity] - SEVERITY_RANK[a.worstSeverity] || b.worstRatio - a.worstRatio || compareText(a.id, b.id)) : u,
  );
}

export function matchesOnly(ref: ColumnRef, only: string): boolean {
  if (only.includes('/')) return `${ref.shard}/${ref.database}/${ref.table}.${ref.column}` === only;
  const parts = only.split('.');
  if (parts.length === 3) return `${ref.database}.${ref.table}.${ref.column}` === only;
  return `${ref.table}.${ref.column}` === only;
}

function placeholder(shard: string): Connection {
  return { host: `<host of ${shard}>`, port: 3306, user: '<migration user>' };
}

/** One group planned alone (tests and callers that hold a single group). */
export function planGroup(group: WideningGroup, ctx: ShardContext, policy: Policy, conn?: Connection): WideningPlan {
  return planUnit([group], ctx, policy, conn, new Map());
}

interface Change {
  member: GroupMember;
  column: Column;
}

export function planUnit(groups: WideningGroup[], ctx: ShardContext, policy: Policy, conn: Connection | undefined, keyspaces: Map<string, Map<string, string>>): WideningPlan {
  const connection = conn ?? placeholder(groups[0]!.key.shard);
  const steps: Step[] = [];
  const blocked: string[] = [];
  const warnings: string[] = [];
  const first = groups[0]!;
  const table = (r: { database: string; table: string }) => ctx.catalog.table(r.database, r.table)!;
  const column = (m: GroupMember): Column => ctx.catalog.column(m.ref.database, m.ref.table, m.ref.column)!;
  const tableKey = (r: { database: string; table: string }) => `${r.database}\u0000${r.table}`;

  // Members: each group's, in group order; a column in two groups is one member (the first that changes it).
  // (One group, the common case: its members as they are.)
  let members: GroupMember[] = first.members;
  if (groups.length > 1) {
    members = [];
    const memberAt = new Map<string, number>();
    for (const g of groups) {
      for (const m of g.members) {
        const id = groupId(m.ref);
        const at = memberAt.get(id);
        if (at === undefined) memberAt.set(id, members.push(m) - 1);
        else if (!members[at]!.needsChange && m.needsChange) members[at] = m;
      }
    }
  }
  const keyMembers = groups.map((g) => g.members.find((m) => m.role === 'key')!);

  // Declared constraints between a member and its key, when either side changes: dropped first, re-added last.
  const constraints: { member: GroupMember; fk: ForeignKey }[] = [];
  const droppedSet = new Set<string>();
  groups.forEach((g, gi) => {
    for (const m of g.members) {
      if (!m.constraint || !(m.needsChange || keyMembers[gi]!.needsChange)) continue;
      const fk = table(m.ref).foreignKeys.find((f) => f.name === m.constraint);
      const k = `${m.ref.database}\u0000${m.ref.table}\u0000${m.constraint}`;
      if (fk && !droppedSet.has(k)) {
        droppedSet.add(k);
        constraints.push({ member: m, fk });
      }
    }
  });
  const dropped = constraints.length ? droppedSet : undefined;
  const isDropped = (database: string, tableName: string, name: string) => dropped?.has(`${database}\u0000${tableName}\u0000${name}`) ?? false;

  for (const { member, fk } of constraints) {
    steps.push({
      n: steps.length + 1,
      kind: 'drop-fk',
      title: oneCopy(ctx, `Drop constraint ${fk.name} on ${member.ref.table} (re-added in a later step)`),
      database: member.ref.database,
      table: member.ref.table,
      commands: dropForeignKeySql(member.ref.database, member.ref.table, fk, policy),
      notes: [
        'Metadata only (INPLACE, no copy): takes a moment, but needs a brief exclusive metadata lock — it waits at most lock_wait_timeout behind open transactions.',
        'Until the constraint is re-added, the database does not stop rows that point at missing parents: the orphan check before re-adding finds them.',
      ],
    });
  }

  // The changes, per table; each table copied once.
  const byTable = new Map<string, Change[]>();
  let changes = 0;
  for (const m of members) {
    if (!m.needsChange) continue;
    changes++;
    const k = tableKey(m.ref);
    const list = byTable.get(k);
    const c = { member: m, column: column(m) };
    if (list) list.push(c);
    else byTable.set(k, [c]);
  }
  // Copy order: a table holding columns that store a key's ids before the key's table (children
  // first, the key last), ties and cycles in byte order of "database\0table".
  const keyTableOf = new Map<string, string>(); // group id → its key's table
  groups.forEach((g) => keyTableOf.set(g.id, tableKey(g.key)));
  const after = new Map<string, Set<string>>(); // table → tables that must be copied before it
  for (const [k, list] of byTable) {
    for (const c of list) {
      if (c.member.role === 'key') continue;
      const kt = keyTableOf.get(c.member.group ?? '');
      if (kt === undefined || kt === k || !byTable.has(kt)) continue;
      let s = after.get(kt);
      if (!s) after.set(kt, (s = new Set()));
      s.add(k);
    }
  }
  const order = copyOrder([...byTable.keys()], after);

  let secondsLow = 0;
  let secondsHigh = 0;
  let copies = 0;
  let diskBytes: bigint | null = null;
  const keyspace = (database: string) => keyspaces.get(ctx.shard.name)?.get(database);
  for (const k of order) {
    const tableChanges = byTable.get(k)!;
    const { database, table: tableName } = tableChanges[0]!.member.ref;
    const t = table(tableChanges[0]!.member.ref);
    const clauses = modifyClauses(tableChanges.map((c) => ({ column: c.column, target: c.member.target })));
    const parents = parentForeignKeys(ctx, database, tableName);
    const ks = keyspace(database);
    const facts: TableFacts = {
      server: ctx.shard.server,
      table: t,
      database,
      childForeignKeys: dropped ? t.foreignKeys.filter((f) => !isDropped(database, tableName, f.name)) : t.foreignKeys,
      parentForeignKeys: dropped ? parents.filter((p) => !isDropped(p.database, p.table, p.fk.name)) : parents,
      socketOnly: connection.socketPath !== undefined,
      ...(ks ? { keyspace: ks } : {}),
    };
    const { chosen, checks } = chooseTool(facts, policy);
    const estimate = estimateCopy(t, policy, chosen === 'direct');
    const what = tableChanges.length === 1 ? change(tableChanges[0]!.member) : tableChanges.map((c) => change(c.member)).join(', ');
    const isKey = tableChanges.some((c) => c.member.role === 'key');
    if (policy.maxTableBytes > 0n && (t.dataBytes ?? 0n) + (t.indexBytes ?? 0n) > policy.maxTableBytes) {
      warnings.push(`${database}.${tableName} is larger than policy.maxTableBytes: check free disk (${estimate.diskBytes ?? '?'} bytes needed) before starting`);
    }
    const rowsNote =
      t.rowsEstimate !== null && t.rowsExact
        ? `${t.rowsEstimate} rows (counted with --exact-rows) at ${policy.copyRowsPerSecond} rows/s (policy.copyRowsPerSecond).`
        : t.rowsEstimate !== null
          ? estimateNote(t.rowsEstimate, policy)
          : 'Row count unknown: count with SELECT COUNT(*) on a replica before starting.';
    const title = oneCopy(ctx, `Widen ${tableName}: ${what}${isKey ? ' (the key, last)' : ''}`);
    copies++;
    secondsLow += estimate.secondsLow;
    secondsHigh += estimate.secondsHigh;
    const d = estimate.diskBytes;
    if (d !== null && (diskBytes === null || d > diskBytes)) diskBytes = d;
    if (!chosen) {
      const options = blockedOptions(t, database, tableName, clauses, checks, estimate, policy);
      blocked.push(
        oneCopy(
          ctx,
          `${database}.${tableName}: no allowed tool can change it — ${checks.map((c) => `${c.tool}: ${c.reasons.join('; ')}`).join(' | ')}. ` +
            `Decide how to widen it before starting: ${options.map((o, i) => `(${String.fromCharCode(97 + i)}) ${o.title}`).join('; ')}.`,
        ),
      );
      steps.push({
        n: steps.length + 1,
        kind: 'blocked',
        title: oneCopy(ctx, `Decide how to widen ${tableName}: ${what} (no allowed tool can copy it)`),
        database,
        table: tableName,
        commands: [],
        estimate,
        notes: [rowsNote],
        options,
      });
      continue;
    }
    const toolNote =
      chosen === 'direct'
        ? directAllowedByName(database, tableName, policy) !== undefined
          ? `Direct ALTER ... ALGORITHM=COPY, LOCK=SHARED: reads continue, WRITES WAIT for the whole copy. Chosen for this table by policy.directAlter.tables (${directAllowedByName(database, tableName, policy)}).`
          : 'Direct ALTER ... ALGORITHM=COPY, LOCK=SHARED: reads continue, WRITES WAIT for the whole copy. Allowed only because policy.directAlter covers a table this small.'
        : chosen === 'gh-ost'
          ? 'Cut-over is postponed until you remove the flag file: the copy can finish overnight and swap when you are watching.'
          : chosen === 'pt-online-schema-change'
            ? oneCopy(
                ctx,
                'Triggers on the table copy writes into _' +
                  tableName +
                  '_new while rows are copied; the final RENAME needs a brief metadata lock. The application sees a few transactions fail with ERROR 1213 (deadlock) or 1205 (lock wait timeout) when the triggers are created and at the swap: they roll back whole, and the application must retry them.',
              )
            : undefined;
    const notes = toolNote === undefined ? [rowsNote] : [rowsNote, toolNote];
    // pt-online-schema-change rebuilds every foreign key that stays: the table's own ones under
    // a new name in the copy, and the ones pointing at it (rebuild_constraints) on their tables.
    const renames =
      chosen === 'pt-online-schema-change'
        ? [
            ...facts.childForeignKeys.map((f) => ({ database, table: tableName, from: f.name, to: ptOscCopiedName(f.name) })),
            ...facts.parentForeignKeys.map((p) => ({ database: p.database, table: p.table, from: p.fk.name, to: ptOscRebuiltName(p.fk.name) })),
          ]
        : [];
    steps.push({
      n: steps.length + 1,
      kind: chosen === 'direct' ? 'direct-alter' : 'copy',
      title,
      database,
      table: tableName,
      tool: chosen,
      toolReason: oneCopy(ctx, directAllowedByName(database, tableName, policy) !== undefined && chosen === 'direct' ? `policy.directAlter.tables names it (${directAllowedByName(database, tableName, policy)})` : toolReason(chosen, checks, policy)),
      commands: toolCommands(chosen, connection, database, tableName, clauses, policy, facts.parentForeignKeys.length > 0, ks, keyspaces.get('')?.get('')),
      estimate,
      notes,
      irreversible: false,
      ...(renames.length ? { renames } : {}),
    });
    if (renames.length) steps.push(restoreNamesStep(steps.length + 1, renames, facts, database, tableName, policy, ctx));
  }

  for (const { member, fk } of constraints) {
    steps.push({
      n: steps.length + 1,
      kind: 'orphan-check',
      title: oneCopy(ctx, `Check ${member.ref.table} has no rows pointing at missing ${fk.referencedTable} rows`),
      database: member.ref.database,
      table: member.ref.table,
      commands: [orphanCheckSql(member.ref.database, member.ref.table, fk)],
      notes: ['Expect orphans = 0. If not, fix or delete those rows first (they were written while the constraint was off); re-adding skips this check.', 'A full scan of the table: run it on a replica if the table is large.'],
    });
    steps.push({
      n: steps.length + 1,
      kind: 'add-fk',
      title: oneCopy(ctx, `Re-add constraint ${fk.name} on ${member.ref.table}`),
      database: member.ref.database,
      table: member.ref.table,
      commands: addForeignKeySql(member.ref.database, member.ref.table, fk, policy),
      notes: ['With foreign_key_checks = 0 the constraint is added INPLACE without reading every row (LOCK=NONE).'],
    });
  }

  // Trigger counts from a scan account that cannot see triggers are 0 by blindness: the copy tools
  // that refuse triggers were chosen without knowing. The pre-check (as the migration account) knows.
  const hidden = ctx.shard.triggersHidden;
  if (hidden?.length) {
    const blind = [...new Set(steps.filter((st) => st.kind === 'copy' && st.tool !== 'vitess' && hidden.includes(st.database!)).map((st) => st.database!))];
    for (const d of blind) {
      warnings.push(
        oneCopy(
          ctx,
          `The scan account cannot see triggers in ${d} (information_schema.TRIGGERS lists only tables an account has the TRIGGER privilege on): this plan assumes its tables have none. ` +
            'The trigger pre-check, run as the migration account (headroom precheck), finds them; if it finds any, do not start: scan with an account that has TRIGGER and plan again.',
        ),
      );
    }
  }
  groups.forEach((g, gi) => {
    const keyMember = keyMembers[gi]!;
    const keyTable = table(keyMember.ref);
    // The sequence of the key's own column (a table's sequence feeds one column: corder_seq feeds
    // corder.order_id, not corder.customer_id).
    const keySequence = keyTable.sequence && keyTable.sequence.column === keyMember.ref.column ? keyTable.sequence : undefined;
    if (keySequence) {
      warnings.push(
        `${keyMember.ref.table}.${keyMember.ref.column} gets its ids from Vitess sequence ${keySequence.name}, shared by every shard of keyspace ${keySequence.keyspace}: ` +
          'widen it on every shard before the sequence passes the old max — the first shard still narrow rejects inserts. Vitess Online DDL ' +
          '(vtctldclient ApplySchema --ddl-strategy "vitess --postpone-completion") runs one migration on all shards; with per-shard gh-ost or pt-online-schema-change runs, every run must have cut over in time.',
      );
    }
    const changesHere = g.members.some((m) => m.needsChange);
    if (!keyMember.needsChange && keyMember.current.dataType === 'bigint' && g.keyOwnMax) {
      warnings.push(
        `${keyMember.ref.table}.${keyMember.ref.column} is already ${formatType(keyMember.current)}, the widest integer type, and is itself running out: widening the columns that reference it does not help the key.`,
      );
    } else if (!keyMember.needsChange && keySequence) {
      warnings.push(
        `On ${ctx.shard.name}, ${keyMember.ref.table}.${keyMember.ref.column} is already ${formatType(keyMember.current)}: done here. ` +
          `What this plan changes on ${ctx.shard.name} are the columns that store its ids.`,
      );
    }
    if (!changesHere) {
      blocked.push(
        `${keyMember.ref.table}.${keyMember.ref.column} is already ${formatType(keyMember.current)}, the widest integer type: widening cannot help — ` +
          'the key needs a new scheme (archive and re-key, or a different id source).',
      );
    }
  });
  if (changes > 0) {
    steps.push({
      n: steps.length + 1,
      kind: 'application',
      title: 'Restart the application so it sees the new types',
      commands: [
        'bin/rails db:schema:cache:dump    # if the app boots from db/schema_cache.yml: regenerate, commit, deploy',
        'deploy / restart every app process (web, workers, consoles, cron)',
      ],
      notes: [
        'Processes cache column types: until they restart, writes above the old maximum keep failing (ActiveModel::RangeError in Rails). In February 2024 this took a deploy of ~50,000 processes.',
      ],
    });
  }

  const triggeredBy = groups.length === 1 ? first.triggeredBy : [...new Set(groups.flatMap((g) => g.triggeredBy))];
  let worstSeverity = first.worstSeverity;
  for (const g of groups) if (SEVERITY_RANK[g.worstSeverity] > SEVERITY_RANK[worstSeverity]) worstSeverity = g.worstSeverity;
  return {
    id: first.id,
    shard: first.key.shard,
    database: first.key.database,
    key: first.key,
    keys: groups.map((g) => g.key),
    groups: groups.map((g) => g.id),
    members,
    triggeredBy,
    worstSeverity,
    steps: steps.slice(), // exact size: the plan keeps it
    total: {
      secondsLow,
      secondsHigh,
      // The largest copy of known size (space is freed after each); null when no copy's size is known. Steps of unknown size say so.
      diskBytes: copies ? diskBytes : 0n,
    },
    blocked,
    warnings,
  };
}

/** Tables in copy order: each after the tables in `after.get(it)`, ties and cycles in byte order. */
function copyOrder(tables: string[], after: Map<string, Set<string>>): string[] {
  const left = new Set(tables);
  const out: string[] = [];
  const sorted = [...tables].sort(compareText);
  while (left.size) {
    let next = sorted.find((t) => left.has(t) && ![...(after.get(t) ?? [])].some((b) => left.has(b)));
    next ??= sorted.find((t) => left.has(t))!; // a cycle: byte order decides
    left.delete(next);
    out.push(next);
  }
  return out;
}

/**
 * pt-online-schema-change's names for the foreign keys it rebuilds (percona-toolkit 3.2.1,
 * bin/pt-online-schema-change): on the copied table `__x` → `x`, `_x` → `__x`, `x` → `_x`, cut to
 * 64 characters; on a child table re-pointed by rebuild_constraints `__x` → `x`, else `_x` (cut to 64).
 */
export function ptOscCopiedName(name: string): string {
  const n = name.startsWith('__') ? name.slice(2) : name.startsWith('_') ? `__${name.slice(1)}` : `_${name}`;
  return n.slice(0, 64);
}

export function ptOscRebuiltName(name: string): string {
  return name.startsWith('__') ? name.slice(2) : `_${name}`.slice(0, 64);
}

/**
 * After a pt-online-schema-change copy: each foreign key it renamed gets its own name back
 * (DROP + ADD in one INPLACE ALTER with foreign_key_checks = 0: metadata only, nothing re-read),
 * so later steps, Verify and the application's schema see the names they had.
 */
function restoreNamesStep(
  n: number,
  renames: NonNullable<Step['renames']>,
  facts: TableFacts,
  database: string,
  tableName: string,
  policy: Policy,
  ctx: ShardContext,
): Step {
  const commands: string[] = ['SET SESSION foreign_key_checks = 0;', lockWait(policy)];
  const byTable = new Map<string, { database: string; table: string; parts: string[] }>();
  for (const r of renames) {
    const fk =
      r.table === tableName && r.database === database
        ? facts.childForeignKeys.find((f) => f.name === r.from)
        : facts.parentForeignKeys.find((p) => p.database === r.database && p.table === r.table && p.fk.name === r.from)?.fk;
    if (!fk) continue;
    const k = `${r.database}\u0000${r.table}`;
    let e = byTable.get(k);
    if (!e) byTable.set(k, (e = { database: r.database, table: r.table, parts: [] }));
    e.parts.push(`DROP FOREIGN KEY ${q(r.to)}`, foreignKeyClause(fk, r.from));
  }
  for (const e of byTable.values()) commands.push(`ALTER TABLE ${qt(e.database, e.table)} ${e.parts.join(', ')}, ALGORITHM=INPLACE, LOCK=NONE;`);
  commands.push('SET SESSION foreign_key_checks = 1;');
  return {
    n,
    kind: 'rename-fk',
    title: oneCopy(ctx, `Give back the constraint names pt-online-schema-change changed on ${tableName}'s copy: ${renames.map((r) => `${r.to} → ${r.from}`).join(', ')}`),
    database,
    table: tableName,
    commands,
    notes: [
      'pt-online-schema-change rebuilds every foreign key that stays on the table it copies (and, with rebuild_constraints, those pointing at it) under a new name: a leading underscore is added or removed.',
      'Metadata only (INPLACE, LOCK=NONE, foreign_key_checks = 0: no row is re-read): a brief exclusive metadata lock per table, waiting at most lock_wait_timeout behind open transactions.',
    ],
  };
}

/** Why each tool refused, and the ways past a table no allowed tool can change. */
function blockedOptions(t: Table, database: string, tableName: string, clauses: string, checks: ToolCheck[], estimate: Estimate, policy: Policy): BlockedOption[] {
  const options: BlockedOption[] = [];
  const rows = t.rowsEstimate === null ? 'its rows (count unknown)' : `~${t.rowsEstimate} rows`;
  options.push({
    title: 'a direct ALTER (writes to the table wait for the whole copy)',
    cost: `ALGORITHM=COPY, LOCK=SHARED: reads continue, every write to ${tableName} waits ${durationRange(estimate.secondsLow, estimate.secondsHigh)} (${rows} at ${policy.copyRowsPerSecond} rows/s) and the application's requests that write it queue or time out.`,
    choose: `add ${database}.${tableName} to policy.directAlter.tables in the config (this table only), then generate the plan again: this step becomes the ALTER.`,
    commands: directAlterSql(database, tableName, clauses, policy),
  });
  const noKey = !hasUsableUniqueKey(t, false);
  if (noKey) {
    // A unique key over the NOT NULL integer columns of the widest index that has only such columns
    // (a join table's pair); a one-column index of a join table would reject its real rows, so then
    // every NOT NULL integer column. The duplicate check says whether it can work.
    const notNull = t.columns.filter((c) => !c.nullable).map((c) => c.name);
    const idx = t.indexes
      .filter((i) => i.columns.length > 0 && i.columns.every((c) => notNull.includes(c)))
      .sort((a, b) => b.columns.length - a.columns.length)[0];
    const cols = idx && (idx.columns.length > 1 || notNull.length < 2) ? idx.columns : notNull;
    if (cols.length) {
      const list = cols.map(q).join(', ');
      options.push({
        title: `first add a UNIQUE key on (${cols.join(', ')}), online, so a copy tool can run`,
        cost: `INPLACE, LOCK=NONE: writes continue while the index builds (about the copy time). From then on the database rejects a second row with the same (${cols.join(', ')}): check with the application owners that it never writes one.`,
        choose: 'run the duplicate check; if it returns no row, add the key, then generate the plan again: the copy tool takes the table.',
        commands: [
          `SELECT ${list}, COUNT(*) AS copies FROM ${qt(database, tableName)} GROUP BY ${list} HAVING COUNT(*) > 1 LIMIT 10;`,
          lockWait(policy),
          `ALTER TABLE ${qt(database, tableName)} ADD UNIQUE KEY ${q(`index_${tableName}_unique_for_copy`.slice(0, 64))} (${list}), ALGORITHM=INPLACE, LOCK=NONE;`,
        ],
      });
    }
  }
  if (t.triggers > 0) {
    options.push({
      title: `drop the table's ${t.triggers} trigger(s), copy it, re-create them`,
      cost: 'while they are gone, whatever the triggers do does not happen: only with the owners of that logic.',
      choose: 'save them (SHOW CREATE TRIGGER), drop them, generate the plan again, run it, re-create them.',
      commands: [`SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ${sqlString(database)} AND EVENT_OBJECT_TABLE = ${sqlString(tableName)};`],
    });
  }
  return options;
}


/** `column current → target`, as a copy step's title names each column it widens. */
function change(m: GroupMember): string {
  return `${m.ref.column} ${formatType(m.current)} → ${formatType(m.target)}`;
}

/** Why this tool: the tools tried before it (in order) and why each could not be used. */
function toolReason(chosen: ToolId, checks: ToolCheck[], policy: Policy): string {
  const directConsidered = policy.directAlter.maxRows > 0n || policy.directAlter.maxBytes > 0n;
  const rejected: ToolCheck[] = [];
  for (const c of checks) {
    if (c.tool === chosen) break;
    if (!c.ok && (c.tool !== 'direct' || directConsidered)) rejected.push(c);
  }
  if (rejected.length) return `not ${rejected.map((c) => `${c.tool} (${c.reasons.join('; ')})`).join(', not ')}`;
  return chosen === 'direct' ? 'the table is within policy.directAlter' : 'first allowed tool in policy.tools';
}

function toolCommands(
  tool: Step['tool'] & string,
  conn: Connection,
  database: string,
  table: string,
  clauses: string,
  policy: Policy,
  parentFks: boolean,
  keyspace?: string,
  vtctld?: string,
): string[] {
  switch (tool) {
    case 'direct':
      return directAlterSql(database, table, clauses, policy);
    case 'pt-online-schema-change':
      return ptOscCommands(conn, database, table, clauses, policy, parentFks);
    case 'gh-ost':
      return ghostCommands(conn, database, table, clauses, policy);
    case 'spirit':
      return spiritCommands(conn, database, table, clauses, policy);
    case 'vitess':
      return vitessCommands(keyspace ?? database, table, clauses, vtctld === undefined ? undefined : { server: vtctld.split('\u0000')[0]!, flags: vtctld.split('\u0000').slice(1) });
  }
}

/**
 * The note on a copy's TABLE_ROWS estimate. Tenant fleets have thousands of copies of tables with
 * the same row count (0, mostly): each text is built once per policy and count.
 */
function estimateNote(rows: bigint, policy: Policy): string {
  const { rowsUncertainty: u, copyRowsPerSecond: rate } = policy;
  let memo = estimateNotes.get(policy);
  // Keyed by the policy object, checked against its values (a policy changed in place starts over).
  if (!memo || memo.low !== u.low || memo.high !== u.high || memo.rate !== rate) {
    estimateNotes.set(policy, (memo = { low: u.low, high: u.high, rate, byRows: new Map() }));
  }
  let note = memo.byRows.get(rows);
  if (note === undefined) {
    note = `~${rows} row${rows === 1n ? "" : "s"} (TABLE_ROWS, an estimate: the range assumes ${u.low}×–${u.high}×) at ${rate} rows/s (policy.copyRowsPerSecond).`;
    if (memo.byRows.size >= 10_000) memo.byRows.clear();
    memo.byRows.set(rows, note);
  }
  return note;
}

const estimateNotes = new WeakMap<Policy, { low: number; high: number; rate: number; byRows: Map<bigint, string> }>();

export function estimateCopy(t: Table, policy: Policy, direct: boolean): Estimate {
  const rows = t.rowsEstimate;
  // 0n for an empty table without arithmetic: one shared 0n, not a new bigint per estimate.
  const scale = (n: bigint, f: number) => (n === 0n ? 0n : (n * BigInt(Math.round(f * 1000))) / 1000n);
  // An exact count (plan --exact-rows) needs no uncertainty range.
  const rowsLow = rows === null ? 0n : t.rowsExact ? rows : scale(rows, policy.rowsUncertainty.low);
  const rowsHigh = rows === null ? 0n : t.rowsExact ? rows : scale(rows, policy.rowsUncertainty.high);
  // Unknown row count: the duration is unknown (NaN prints as "?"), never "< 1 s".
  const unknown = rows === null ? Number.NaN : 0;
  const data = t.dataBytes ?? 0n;
  const size = data + (t.indexBytes ?? 0n);
  return {
    rowsEstimate: rows,
    rowsLow,
    rowsHigh,
    secondsLow: Number(rowsLow) / policy.copyRowsPerSecond + unknown,
    secondsHigh: Number(rowsHigh) / policy.copyRowsPerSecond + unknown,
    diskBytes: t.dataBytes === null ? null : scale(size, policy.diskMargin),
    binlogBytes: direct ? 0n : t.dataBytes === null ? null : scale(data, policy.binlogFactor),
  };
}

/**
 * Per shard: groups run one after another inside a lane (their steps are ordered),
 * lanes run in parallel (policy.maxConcurrentCopiesPerShard; direct ALTERs also
 * bounded by directAlter.maxConcurrentPerShard). Longest first, onto the least loaded lane.
 */
export function schedule(plans: WideningPlan[], policy: Policy): ShardSchedule[] {
  const byShard = new Map<string, WideningPlan[]>();
  for (const p of plans) {
    const list = byShard.get(p.shard);
    if (list) list.push(p);
    else byShard.set(p.shard, [p]);
  }
  const out: ShardSchedule[] = [];
  const isDirect = (p: WideningPlan) => p.steps.some((s) => s.kind === 'direct-alter') && p.steps.every((s) => !s.estimate || s.kind === 'direct-alter');
  for (const [shard, list] of byShard) {
    const lanes = Math.max(1, policy.maxConcurrentCopiesPerShard);
    // Direct ALTERs block writes: at most directAlter.maxConcurrentPerShard of them at once, on the same lanes as copies.
    const directLanes = Math.max(1, Math.min(lanes, policy.directAlter.maxConcurrentPerShard));
    const makespan = (pick: (p: WideningPlan) => number) => {
      const load = new Array<number>(lanes).fill(0);
      const place = (d: number, upTo: number) => {
        let i = 0;
        for (let k = 1; k < upTo; k++) if (load[k]! < load[i]!) i = k;
        load[i] = load[i]! + d;
      };
      const desc = (xs: WideningPlan[]) => xs.map(pick).sort((a, b) => b - a);
      for (const d of desc(list.filter(isDirect))) place(d, directLanes);
      for (const d of desc(list.filter((p) => !isDirect(p)))) place(d, lanes);
      return Math.max(...load);
    };
    out.push({
      shard,
      groups: list.length,
      copySteps: list.reduce((n, p) => n + p.steps.filter((s) => s.estimate).length, 0),
      concurrency: list.every(isDirect) ? directLanes : lanes,
      secondsLow: makespan((p) => p.total.secondsLow),
      secondsHigh: makespan((p) => p.total.secondsHigh),
    });
  }
  return out.sort((a, b) => b.secondsHigh - a.secondsHigh || compareText(a.shard, b.shard));
}

/**
 * `vtctldclient ApplySchema <keyspace>` runs one migration on every shard of the keyspace: the
 * first group that needs it carries the command, the other shards' groups point at it.
 */
function oncePerKeyspace(plans: WideningPlan[]): void {
  const first = new Map<string, { plan: string; step: Step; shards: string[] }>();
  for (const p of plans) {
    let changed = false;
    for (const s of p.steps) {
      if (s.tool !== 'vitess' || !s.commands[0]) continue;
      const k = s.commands[0];
      const owner = first.get(k);
      if (owner === undefined) {
        first.set(k, { plan: p.id, step: s, shards: [p.shard] });
        continue;
      }
      owner.shards.push(p.shard);
      s.commands = [];
      s.notes = [`Nothing to run on ${p.shard}: the Vitess migration in ${owner.plan} (step ${owner.step.n}) applies this change to every shard of the keyspace, this one included.`, ...s.notes];
      if (s.estimate) s.estimate = { ...s.estimate, secondsLow: 0, secondsHigh: 0 };
      changed = true;
    }
    // Unchanged steps: the totals planGroup computed stand (the same sums, in the same order).
    if (!changed) continue;
    const copies = p.steps.filter((s) => s.estimate);
    p.total = { ...p.total, secondsLow: copies.reduce((n, s) => n + s.estimate!.secondsLow, 0), secondsHigh: copies.reduce((n, s) => n + s.estimate!.secondsHigh, 0) };
  }
  // The migration that covers several shards says which: one step, every shard it changes.
  for (const o of first.values()) {
    if (o.shards.length > 1) o.step.notes = [`One migration for every shard of the keyspace: it changes ${o.shards.join(', ')} (their plans point here).`, ...o.step.notes];
  }
}
