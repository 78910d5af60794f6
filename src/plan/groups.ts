/**
 * Widening groups: a key plus every column that references it. Widening one
 * without the others is the February 2024 outage, so a plan always covers the
 * whole group. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { typeMax } from '../model/integers.js';
import { SEVERITY_RANK, type Column, type ColumnRef, type ForeignKey, type Finding, type Relationship, type Severity, type ShardSnapshot, type Snapshot, compareText } from '../model/types.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import type { GroupMember, Policy } from './types.js';

export interface WideningGroup {
  id: string;
  key: ColumnRef;
  members: GroupMember[];
  triggeredBy: string[];
  worstSeverity: Severity;
}

export const groupId = (r: ColumnRef) => `${r.shard}/${r.database}/${r.table}.${r.column}`;

/** The key a finding is about: the column itself for pk checks, the referenced key for fk checks. */
export function findingKey(f: Finding): ColumnRef {
  return f.references
    ? { shard: f.shard, database: f.references.database, table: f.references.table, column: f.references.column }
    : { shard: f.shard, database: f.database, table: f.table, column: f.column };
}

export interface ShardContext {
  shard: ShardSnapshot;
  catalog: ShardCatalog;
  relationships: Relationship[];
  /** Relationships by the column they point at ("db\0table\0column"): built once, so planning 100k tables stays linear. */
  referencing: Map<string, Relationship[]>;
  /** Declared FKs by the table they point at ("db\0table"). */
  parentFks: Map<string, { database: string; table: string; fk: ForeignKey }[]>;
}

const colKey = (r: { database: string; table: string; column: string }) => `${r.database}\u0000${r.table}\u0000${r.column}`;

export function shardContext(shard: ShardSnapshot, config: CheckConfig): ShardContext {
  const catalog = new ShardCatalog(shard);
  const relationships = resolveRelationships(shard, config, catalog);
  const referencing = new Map<string, Relationship[]>();
  for (const r of relationships) {
    const k = colKey(r.to);
    referencing.set(k, [...(referencing.get(k) ?? []), r]);
  }
  const parentFks = new Map<string, { database: string; table: string; fk: ForeignKey }[]>();
  for (const d of shard.databases) {
    for (const t of d.tables) {
      for (const fk of t.foreignKeys) {
        const k = `${fk.referencedDatabase}\u0000${fk.referencedTable}`;
        let list = parentFks.get(k);
        if (!list) parentFks.set(k, (list = []));
        list.push({ database: d.name, table: t.name, fk });
      }
    }
  }
  return { shard, catalog, relationships, referencing, parentFks };
}

export function shardContexts(snapshot: Snapshot, config: CheckConfig): Map<string, ShardContext> {
  const out = new Map<string, ShardContext>();
  for (const shard of snapshot.shards) out.set(shard.name, shardContext(shard, config));
  return out;
}

/** One group per key that some finding points at; findings of the same key are merged. */
export function buildGroups(findings: readonly Finding[], contexts: Map<string, ShardContext>, policy: Policy): WideningGroup[] {
  const groups = new Map<string, WideningGroup>();
  for (const f of findings) {
    // Widening does not fix ids that repeat across shards.
    if (f.check === 'vitess-local-auto-increment') continue;
    // A key fed by a Vitess sequence, or drifting between shards, is widened on every shard of its keyspace
    // where something still needs to change.
    const expanded = f.shards !== undefined && f.shards.length > 0;
    const keys = expanded ? f.shards!.map((shard) => ({ ...findingKey(f), shard })) : [findingKey(f)];
    for (const key of keys) {
      const id = groupId(key);
      let g = groups.get(id);
      if (!g) {
        const ctx = contexts.get(key.shard);
        if (!ctx) continue;
        const members = groupMembers(key, ctx, policy);
        if (!members) continue;
        if (expanded && !members.some((m) => m.needsChange)) continue; // this shard is already wide enough
        g = { id, key, members, triggeredBy: [], worstSeverity: f.severity };
        groups.set(id, g);
      }
      if (!g.triggeredBy.includes(f.id)) g.triggeredBy.push(f.id);
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[g.worstSeverity]) g.worstSeverity = f.severity;
    }
  }
  return [...groups.values()];
}

export function groupMembers(key: ColumnRef, ctx: ShardContext, policy: Policy): GroupMember[] | undefined {
  const keyTable = ctx.catalog.table(key.database, key.table);
  const keyCol = keyTable?.columns.find((c) => c.name === key.column);
  if (!keyTable || !keyCol) return undefined;
  // Keep the key's signedness; go to the policy's type unless the key is already at least that wide.
  const target = { dataType: policy.targetType, unsigned: keyCol.unsigned, zerofill: false };
  const keyTarget = typeMax(keyCol) >= typeMax(target) ? { dataType: keyCol.dataType, unsigned: keyCol.unsigned, zerofill: false } : target;
  const members: GroupMember[] = [member(key, keyCol, 'key', keyTarget)];
  const inGroup = new Set([colKey(key)]);
  // Columns that reference the key, and — transitively — columns that reference a member whose
  // type changes (profile_settings.profile_id → profiles.id → users.id): a declared FK child left
  // narrower than its widened parent breaks the constraint (and pt-osc's rebuild_constraints).
  const queue: ColumnRef[] = [key];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const r of ctx.referencing.get(colKey(parent)) ?? []) {
      if (inGroup.has(colKey(r.from))) continue;
      const col = ctx.catalog.column(r.from.database, r.from.table, r.from.column);
      if (!col) continue;
      inGroup.add(colKey(r.from));
      const m = member(r.from, col, 'reference', keyTarget);
      m.source = r.source;
      m.evidence = parent === key ? r.evidence : `${r.evidence} (references ${parent.table}.${parent.column}, itself in this group)`;
      if (r.source === 'declared') {
        // A declared foreign key needs identical size and sign on both sides (MySQL manual, FOREIGN KEY constraints).
        m.constraint = r.evidence.replace(/^constraint /, '');
      } else if (typeMax(col) >= typeMax(keyTarget)) {
        // Without a constraint, a reference that already holds every value of the target stays as it is.
        m.needsChange = false;
        m.target = { dataType: col.dataType, unsigned: col.unsigned, zerofill: col.zerofill };
      }
      members.push(m);
      if (m.needsChange) queue.push(r.from);
    }
  }
  members.sort((a, b) => (a.role === b.role ? compareText(groupId(a.ref), groupId(b.ref)) : a.role === 'reference' ? -1 : 1));
  return members;
}

function member(ref: ColumnRef, col: Column, role: GroupMember['role'], target: GroupMember['target']): GroupMember {
  return {
    ref,
    role,
    current: { dataType: col.dataType, unsigned: col.unsigned, zerofill: col.zerofill, columnType: col.columnType },
    target,
    needsChange: col.dataType !== target.dataType || col.unsigned !== target.unsigned,
  };
}

