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
  ghostCommands,
  modifyClauses,
  orphanCheckSql,
  ptOscCommands,
  spiritCommands,
  vitessCommands,
  type Connection,
} from './commands.js';
import { buildGroups, oneCopy, parentForeignKeys, shardContexts, type ShardContext, type WideningGroup } from './groups.js';
import { DEFAULT_POLICY } from './policy.js';
import { applySequences } from '../vitess/sequences.js';
import { chooseTool, hasUsableUniqueKey, type TableFacts } from './tools.js';
import type { Estimate, GroupMember, Plan, Policy, ShardSchedule, Step, ToolCheck, ToolId, WideningPlan } from './types.js';

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
  let groups = buildGroups(selected, contexts, policy);
  if (options.only) groups = groups.filter((g) => g.members.some((m) => matchesOnly(m.ref, options.only!)));
  const plans = groups.map((g) => planGroup(g, contexts.get(g.key.shard)!, policy, options.connections?.get(g.key.shard)));
  plans.sort((a, b) => SEVERITY_RANK[b.worstSeverity] - SEVERITY_RANK[a.worstSeverity] || compareText(a.id, b.id));
  oncePerKeyspace(plans);
  return { version: 1, policy, plans, schedule: schedule(plans, policy) };
}

export function matchesOnly(ref: ColumnRef, only: string): boolean {
  if (only.includes('/')) return `${ref.shard}/${ref.database}/${ref.table}.${ref.column}` === only;
  const parts = only.split('.');
  if (parts.length === 3) return `${ref.database}.${ref.table}.${ref.column}` === only;
  return `${ref.table}.${ref.column}` === only;
}

function placeholder(shard: string): Connection {
  return { host: `<host of ${shard}>`, port: 3306, user: '<user>' };
}

export function planGroup(group: WideningGroup, ctx: ShardContext, policy: Policy, conn?: Connection): WideningPlan {
  // Runs once per group (13k+ groups for 100k tables): plain loops and objects built whole, so a
  // plan allocates little besides what it keeps. Steps are built with their keys in the order the
  // JSON shows them.
  const connection = conn ?? placeholder(group.key.shard);
  const steps: Step[] = [];
  const blocked: string[] = [];
  const warnings: string[] = [];
  const members = group.members;
  const keyMember = members.find((m) => m.role === 'key')!;
  const table = (r: { database: string; table: string }) => ctx.catalog.table(r.database, r.table)!;
  const column = (m: GroupMember): Column => ctx.catalog.column(m.ref.database, m.ref.table, m.ref.column)!;

  // Declared constraints between a member and the key, when either side changes.
  const constraints: { member: GroupMember; fk: ForeignKey }[] = [];
  for (const m of members) {
    if (!m.constraint || !(m.needsChange || keyMember.needsChange)) continue;
    const fk = table(m.ref).foreignKeys.find((f) => f.name === m.constraint);
    if (fk && !constraints.some((c) => c.fk.name === fk.name && c.member.ref.table === m.ref.table && c.member.ref.database === m.ref.database)) {
      constraints.push({ member: m, fk });
    }
  }
  const dropped = constraints.length ? new Set(constraints.map((c) => `${c.member.ref.database}.${c.member.ref.table}.${c.fk.name}`)) : undefined;

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

  // Referencing columns first, grouped per table in byte order of "database\0table"; columns of the
  // key's own table go with the key (last).
  const byTable: { key: string; members: GroupMember[] }[] = [];
  const tableAt = new Map<string, number>();
  let keyTableMembers: GroupMember[] | undefined;
  let changes = 0;
  for (const m of members) {
    if (!m.needsChange) continue;
    changes++;
    if (m.ref.database === keyMember.ref.database && m.ref.table === keyMember.ref.table) {
      (keyTableMembers ??= []).push(m);
      continue;
    }
    const k = `${m.ref.database}\u0000${m.ref.table}`;
    const at = tableAt.get(k);
    if (at !== undefined) byTable[at]!.members.push(m);
    else tableAt.set(k, byTable.push({ key: k, members: [m] }) - 1);
  }
  if (byTable.length > 1) byTable.sort((a, b) => compareText(a.key, b.key));
  if (keyTableMembers) byTable.push({ key: '', members: keyTableMembers });

  let secondsLow = 0;
  let secondsHigh = 0;
  let copies = 0;
  let diskBytes: bigint | null = null;
  for (const { members: tableMembers } of byTable) {
    const { database, table: tableName } = tableMembers[0]!.ref;
    const t = table(tableMembers[0]!.ref);
    const clauses = modifyClauses(tableMembers.map((m) => ({ column: column(m), target: m.target })));
    const parents = parentForeignKeys(ctx, database, tableName);
    const facts: TableFacts = {
      server: ctx.shard.server,
      table: t,
      // Filtered only when the group drops a constraint (most groups drop none).
      childForeignKeys: dropped ? t.foreignKeys.filter((f) => !dropped.has(`${database}.${tableName}.${f.name}`)) : t.foreignKeys,
      parentForeignKeys: dropped ? parents.filter((p) => !dropped.has(`${p.database}.${p.table}.${p.fk.name}`)) : parents,
    };
    const { chosen, checks } = chooseTool(facts, policy);
    const estimate = estimateCopy(t, policy, chosen === 'direct');
    const what = tableMembers.length === 1 ? change(tableMembers[0]!) : tableMembers.map(change).join(', ');
    const isKey = tableMembers.some((m) => m.role === 'key');
    if (!chosen) {
      const noKey = !hasUsableUniqueKey(t, false);
      blocked.push(
        `${database}.${tableName}: no allowed tool can change it — ${checks.map((c) => `${c.tool}: ${c.reasons.join('; ')}`).join(' | ')}. ` +
          (noKey
            ? 'What remains: add a PRIMARY KEY (or a NOT NULL UNIQUE key) to the table first, or allow a direct ALTER for it under policy.directAlter (writes wait for the whole copy).'
            : 'What remains: remove what blocks the tools above (e.g. drop and later re-create triggers), add a tool to policy.tools, or allow a direct ALTER under policy.directAlter.'),
      );
    }
    if (policy.maxTableBytes > 0n && (t.dataBytes ?? 0n) + (t.indexBytes ?? 0n) > policy.maxTableBytes) {
      warnings.push(`${database}.${tableName} is larger than policy.maxTableBytes: check free disk (${estimate.diskBytes ?? '?'} bytes needed) before starting`);
    }
    const rowsNote =
      t.rowsEstimate !== null && t.rowsExact
        ? `${t.rowsEstimate} rows (counted with --exact-rows) at ${policy.copyRowsPerSecond} rows/s (policy.copyRowsPerSecond).`
        : t.rowsEstimate !== null
          ? estimateNote(t.rowsEstimate, policy)
          : 'Row count unknown: count with SELECT COUNT(*) on a replica before starting.';
    const toolNote =
      chosen === 'direct'
        ? 'Direct ALTER ... ALGORITHM=COPY, LOCK=SHARED: reads continue, WRITES WAIT for the whole copy. Allowed only because policy.directAlter covers a table this small.'
        : chosen === 'gh-ost'
          ? 'Cut-over is postponed until you remove the flag file: the copy can finish overnight and swap when you are watching.'
          : chosen === 'pt-online-schema-change'
            ? oneCopy(ctx, 'Triggers on the table copy writes into _' + tableName + '_new while rows are copied; the final RENAME needs a brief metadata lock.')
            : undefined;
    const notes = toolNote === undefined ? [rowsNote] : [rowsNote, toolNote];
    const kind = chosen === 'direct' ? 'direct-alter' : 'copy';
    const title = oneCopy(ctx, `Widen ${tableName}: ${what}${isKey ? ' (the key, last)' : ''}`);
    steps.push(
      chosen
        ? {
            n: steps.length + 1,
            kind,
            title,
            database,
            table: tableName,
            tool: chosen,
            toolReason: oneCopy(ctx, toolReason(chosen, checks, policy)),
            commands: toolCommands(chosen, connection, database, tableName, clauses, policy, facts.parentForeignKeys.length > 0, t.sequence?.keyspace),
            estimate,
            notes,
            irreversible: false,
          }
        : { n: steps.length + 1, kind, title, database, table: tableName, commands: [], estimate, notes, irreversible: false },
    );
    // The group's totals, over its copies in step order.
    copies++;
    secondsLow += estimate.secondsLow;
    secondsHigh += estimate.secondsHigh;
    const d = estimate.diskBytes;
    if (d !== null && (diskBytes === null || d > diskBytes)) diskBytes = d;
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

  const keyTable = table(keyMember.ref);
  if (keyTable.sequence) {
    warnings.push(
      `${keyMember.ref.table}.${keyMember.ref.column} gets its ids from Vitess sequence ${keyTable.sequence.name}, shared by every shard of keyspace ${keyTable.sequence.keyspace}: ` +
        'widen it on every shard before the sequence passes the old max — the first shard still narrow rejects inserts. Vitess Online DDL ' +
        '(vtctldclient ApplySchema --ddl-strategy "vitess --postpone-completion") runs one migration on all shards; with per-shard gh-ost or pt-online-schema-change runs, every run must have cut over in time.',
    );
  }
  if (!keyMember.needsChange && keyMember.current.dataType === 'bigint' && group.triggeredBy.some((id) => id.startsWith('pk-capacity:') || id.startsWith('sequence-capacity:'))) {
    warnings.push(
      `${keyMember.ref.table}.${keyMember.ref.column} is already ${formatType(keyMember.current)}, the widest integer type, and is itself running out: widening the columns that reference it does not help the key.`,
    );
  }
  if (changes === 0) {
    blocked.push(
      `${keyMember.ref.table}.${keyMember.ref.column} is already ${formatType(keyMember.current)}, the widest integer type: widening cannot help — ` +
        'the key needs a new scheme (archive and re-key, or a different id source).',
    );
  } else {
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

  return {
    id: group.id,
    shard: group.key.shard,
    database: group.key.database,
    key: group.key,
    members,
    triggeredBy: group.triggeredBy,
    worstSeverity: group.worstSeverity,
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
      return vitessCommands(keyspace ?? database.replace(/^vt_/, ''), table, clauses);
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
    note = `~${rows} rows (TABLE_ROWS, an estimate: the range assumes ${u.low}×–${u.high}×) at ${rate} rows/s (policy.copyRowsPerSecond).`;
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
  const first = new Map<string, string>();
  for (const p of plans) {
    let changed = false;
    for (const s of p.steps) {
      if (s.tool !== 'vitess' || !s.commands[0]) continue;
      const k = s.commands[0];
      const owner = first.get(k);
      if (owner === undefined) {
        first.set(k, p.id);
        continue;
      }
      s.commands = [];
      s.notes = [`Nothing to run here: the Vitess migration in ${owner} applies this change to every shard of the keyspace, this one included.`, ...s.notes];
      if (s.estimate) s.estimate = { ...s.estimate, secondsLow: 0, secondsHigh: 0 };
      changed = true;
    }
    // Unchanged steps: the totals planGroup computed stand (the same sums, in the same order).
    if (!changed) continue;
    const copies = p.steps.filter((s) => s.estimate);
    p.total = { ...p.total, secondsLow: copies.reduce((n, s) => n + s.estimate!.secondsLow, 0), secondsHigh: copies.reduce((n, s) => n + s.estimate!.secondsHigh, 0) };
  }
}
