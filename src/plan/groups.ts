/**
 * Widening groups: a key plus every column that references it. Widening one
 * without the others is the February 2024 outage, so a plan always covers the
 * whole group. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { typeMax } from '../model/integers.js';
import { SEVERITY_RANK, type Column, type ColumnRef, type Finding, type Relationship, type Severity, type ShardSnapshot, type Snapshot, compareText } from '../model/types.js';
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
}

export function shardContexts(snapshot: Snapshot, config: CheckConfig): Map<string, ShardContext> {
  const out = new Map<string, ShardContext>();
  for (const shard of snapshot.shards) {
    const catalog = new ShardCatalog(shard);
    out.set(shard.name, { shard, catalog, relationships: resolveRelationships(shard, config, catalog) });
  }
  return out;
}

/** One group per key that some finding points at; findings of the same key are merged. */
export function buildGroups(findings: readonly Finding[], contexts: Map<string, ShardContext>, policy: Policy): WideningGroup[] {
  const groups = new Map<string, WideningGroup>();
  for (const f of findings) {
    const key = findingKey(f);
    const id = groupId(key);
    let g = groups.get(id);
    if (!g) {
      const ctx = contexts.get(key.shard);
      if (!ctx) continue;
      const members = groupMembers(key, ctx, policy);
      if (!members) continue;
      g = { id, key, members, triggeredBy: [], worstSeverity: f.severity };
      groups.set(id, g);
    }
    g.triggeredBy.push(f.id);
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[g.worstSeverity]) g.worstSeverity = f.severity;
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
  for (const r of ctx.relationships) {
    if (r.to.database !== key.database || r.to.table !== key.table || r.to.column !== key.column) continue;
    const col = ctx.catalog.column(r.from.database, r.from.table, r.from.column);
    if (!col) continue;
    const m = member(r.from, col, 'reference', keyTarget);
    m.source = r.source;
    m.evidence = r.evidence;
    if (r.source === 'declared') {
      // A declared foreign key needs identical size and sign on both sides (MySQL manual, FOREIGN KEY constraints).
      m.constraint = r.evidence.replace(/^constraint /, '');
    } else if (typeMax(col) >= typeMax(keyTarget)) {
      // Without a constraint, a reference that already holds every value of the target stays as it is.
      m.needsChange = false;
      m.target = { dataType: col.dataType, unsigned: col.unsigned, zerofill: col.zerofill };
    }
    members.push(m);
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

