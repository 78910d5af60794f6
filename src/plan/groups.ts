/**
 * Widening groups: a key plus every column that references it. Widening one
 * without the others is the February 2024 outage, so a plan always covers the
 * whole group. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { INT_TYPES, typeMax } from '../model/integers.js';
import {
  SEVERITY_RANK,
  type Column,
  type ColumnRef,
  type ForeignKey,
  type Finding,
  type IntType,
  type Relationship,
  type Severity,
  type ShardSnapshot,
  type Snapshot,
  type Table,
  compareText,
} from '../model/types.js';
import { type ShardCatalog, relationshipColumns, resolveRelationships, shardCatalog } from '../relations/relationships.js';
import { Buckets, NameIds } from './buckets.js';
import { polymorphicRelationships, railsForShard } from '../rails/shard.js';
import type { GroupMember, Policy } from './types.js';

export interface WideningGroup {
  id: string;
  key: ColumnRef;
  members: GroupMember[];
  triggeredBy: string[];
  worstSeverity: Severity;
  /** The highest ratio among its findings (0 when none has one): orders keys planned together, worst first. */
  worstRatio: number;
  /** A finding measures the key against its own type's max on this shard (not a narrower column elsewhere). */
  keyOwnMax: boolean;
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
  /** For each relationship (same index), the catalog column it comes from (undefined: none). Its type only: identity is by name. */
  fromColumns: (Column | undefined)[];
  /** Ids of the shard's columns and tables by their names (see NameIds): how the planner tells columns apart. */
  ids: NameIds;
  /** For each relationship (same index), the id of its referencing column. */
  fromIds: Int32Array;
  /**
   * Indexes into `relationships` by the id of the column they point at, in relationship order: built
   * once, so planning 100k tables stays linear.
   */
  referencing: Buckets<number>;
  /** Every declared FK of the shard (same index: the child's database and table), grouped by the id of the table it points at. */
  foreignKeys: { database: string[]; table: string[]; fk: ForeignKey[]; byParent: Buckets<number> };
  /** One copy of each text the plans of this shard repeat (see `oneCopy`). */
  texts: Map<string, string>;
  /**
   * Members' `current` types by COLUMN_TYPE, and columns' own types as targets by data type and
   * flags: members only read them, and a tenant fleet has a handful of distinct column types over
   * ~70k members, so the plans share one object per type.
   */
  types: { current: Map<string, GroupMember['current']>; own: Map<string, GroupMember['target'][]> };
}

/**
 * `text`, or an equal string kept earlier for this shard. Tenant databases repeat the same titles,
 * reasons and constraint names thousands of times: the plan keeps one copy of each, and the copy
 * just built is garbage while it is still young (cheap to collect; a kept one is copied by every GC).
 */
export function oneCopy(ctx: ShardContext, text: string): string {
  const kept = ctx.texts.get(text);
  if (kept !== undefined) return kept;
  if (ctx.texts.size >= 100_000) ctx.texts.clear();
  ctx.texts.set(text, text);
  return text;
}

export function shardContext(shard: ShardSnapshot, config: CheckConfig): ShardContext {
  let relationships = resolveRelationships(shard, config);
  const catalog = shardCatalog(shard);
  let columns = relationshipColumns(shard, relationships);
  // A Rails polymorphic id (commentable_id) stores ids of every candidate table: it is a member of
  // each candidate key's group (widen it before any of them passes its max).
  const rails = railsForShard(shard, catalog, config);
  const polymorphic = rails ? polymorphicRelationships(rails, shard.name) : [];
  if (polymorphic.length) {
    relationships = [...relationships, ...polymorphic.map((p) => p.relationship)];
    columns = { from: [...columns.from, ...polymorphic.map((p) => p.from)], to: [...columns.to, ...polymorphic.map((p) => p.to)] };
  }
  const ids = new NameIds();
  // A relationship whose target is no catalog column points at nothing the planner can widen.
  const to = relationships.map((r, i) => (columns.to[i] ? ids.id(r.to.database, r.to.table, r.to.column) : undefined));
  // The id of each relationship's referencing column, once (the group walk reads them by index).
  const fromIds = new Int32Array(relationships.length);
  for (let i = 0; i < relationships.length; i++) {
    const f = relationships[i]!.from;
    fromIds[i] = ids.id(f.database, f.table, f.column);
  }
  return {
    shard,
    catalog,
    relationships,
    fromColumns: columns.from,
    ids,
    fromIds,
    referencing: new Buckets(to),
    foreignKeys: foreignKeysOf(shard, catalog, ids),
    texts: new Map(),
    types: { current: new Map(), own: new Map() },
  };
}

/** Every declared FK of the shard, by the catalog table it points at (one pointing outside the catalog is no table of a plan). */
function foreignKeysOf(shard: ShardSnapshot, catalog: ShardCatalog, ids: NameIds): ShardContext['foreignKeys'] {
  const all = { database: [] as string[], table: [] as string[], fk: [] as ForeignKey[], parents: [] as (number | undefined)[] };
  collectForeignKeys(shard, catalog, ids, all);
  return { database: all.database, table: all.table, fk: all.fk, byParent: new Buckets(all.parents) };
}

/** The loop of foreignKeysOf, on its own: optimized while it runs, without code it has not reached yet. */
function collectForeignKeys(
  shard: ShardSnapshot,
  catalog: ShardCatalog,
  ids: NameIds,
  all: { database: string[]; table: string[]; fk: ForeignKey[]; parents: (number | undefined)[] },
): void {
  for (const d of shard.databases) {
    for (const t of d.tables) {
      for (const f of t.foreignKeys) {
        all.database.push(d.name);
        all.table.push(t.name);
        all.fk.push(f);
        all.parents.push(catalog.table(f.referencedDatabase, f.referencedTable) ? ids.id(f.referencedDatabase, f.referencedTable) : undefined);
      }
    }
  }
}

const NO_PARENTS: { database: string; table: string; fk: ForeignKey }[] = [];

/** The declared FKs on other tables that point at the table `database`.`tableName`, in the shard's order. */
export function parentForeignKeys(ctx: ShardContext, databaseName: string, tableName: string): { database: string; table: string; fk: ForeignKey }[] {
  const { database, table, fk, byParent } = ctx.foreignKeys;
  if (byParent.size === 0) return NO_PARENTS; // no declared FK on the shard (a Rails fleet, often)
  return Array.from(byParent.get(ctx.ids.id(databaseName, tableName)), (i) => ({ database: database[i]!, table: table[i]!, fk: fk[i]! }));
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
        g = { id, key, members, triggeredBy: [], worstSeverity: f.severity, worstRatio: 0, keyOwnMax: false };
        groups.set(id, g);
      }
      if (!g.triggeredBy.includes(f.id)) g.triggeredBy.push(f.id);
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[g.worstSeverity]) g.worstSeverity = f.severity;
      if (f.ratio !== null && f.ratio > g.worstRatio) g.worstRatio = f.ratio;
      if (!g.keyOwnMax && (f.check === 'pk-capacity' || f.check === 'sequence-capacity')) {
        const k = g.members[g.members.length - 1]!;
        if (f.max === maxOf(k.current)) g.keyOwnMax = true;
      }
    }
  }
  const out = [...groups.values()];
  // Exact-size lists: an array grown by push keeps room for ~16 more, and every plan keeps its group's list.
  for (const g of out) g.triggeredBy = g.triggeredBy.slice();
  return out;
}

export function groupMembers(key: ColumnRef, ctx: ShardContext, policy: Policy): GroupMember[] | undefined {
  const keyTable = ctx.catalog.table(key.database, key.table);
  const keyCol = keyTable?.columns.find((c) => c.name === key.column);
  if (!keyTable || !keyCol) return undefined;
  // Keep the key's signedness; go to the policy's type unless the key is already at least that wide.
  const target = integerType(policy.targetType, keyCol.unsigned, false);
  const keyTarget = maxOf(keyCol) >= maxOf(target) ? integerType(keyCol.dataType, keyCol.unsigned, false) : target;
  const keyMax = maxOf(keyTarget);
  const group = groupId(key);
  const references: GroupMember[] = [];
  // Members by name: one column is one member. Never by catalog object: tenant tables, and any two
  // columns defined alike, share one Column.
  const ids = ctx.ids;
  const inGroup = new Set<number>();
  const keyId = ids.id(key.database, key.table, key.column);
  inGroup.add(keyId);
  // Columns that reference the key, and — transitively — columns that reference a member whose
  // type changes (profile_settings.profile_id → profiles.id → users.id): a declared FK child left
  // narrower than its widened parent breaks the constraint (and pt-osc's rebuild_constraints).
  const queue: { ref: ColumnRef; col: Column; id: number }[] = [{ ref: key, col: keyCol, id: keyId }];
  for (let qi = 0; qi < queue.length; qi++) {
    const parent = queue[qi]!;
    for (const i of ctx.referencing.get(parent.id)) {
      const r = ctx.relationships[i]!;
      const col = ctx.fromColumns[i];
      if (!col) continue;
      const id = ctx.fromIds[i]!;
      if (inGroup.has(id)) continue;
      inGroup.add(id);
      // A declared foreign key needs identical size and sign on both sides (MySQL manual, FOREIGN KEY constraints).
      // Without a constraint, a reference that already holds every value of the target stays as it is.
      const declared = r.source === 'declared';
      const stays = !declared && maxOf(col) >= keyMax;
      const target = stays ? ownType(ctx, col) : keyTarget;
      const evidence = qi === 0 ? r.evidence : `${r.evidence} (references ${parent.ref.table}.${parent.ref.column}, itself in this group)`;
      // Built whole, in the order the JSON shows: ref, role, group, current, target, needsChange, source, evidence, constraint.
      const m: GroupMember = declared
        ? {
            ref: r.from,
            role: 'reference',
            group,
            current: currentType(ctx, col),
            target,
            needsChange: col.dataType !== target.dataType || col.unsigned !== target.unsigned,
            source: r.source,
            evidence,
            constraint: oneCopy(ctx, r.evidence.startsWith('constraint ') ? r.evidence.slice('constraint '.length) : r.evidence),
          }
        : {
            ref: r.from,
            role: 'reference',
            group,
            current: currentType(ctx, col),
            target,
            needsChange: stays ? false : col.dataType !== target.dataType || col.unsigned !== target.unsigned,
            source: r.source,
            evidence,
          };
      references.push(m);
      if (m.needsChange) queue.push({ ref: r.from, col, id });
    }
  }
  // The references in byte order of their ids (each id built once, not per comparison), then the key.
  const members = new Array<GroupMember>(references.length + 1);
  if (references.length > 1) {
    const ids = references.map((m) => groupId(m.ref));
    const order = references.map((_, i) => i).sort((a, b) => compareText(ids[a]!, ids[b]!));
    for (let i = 0; i < order.length; i++) members[i] = references[order[i]!]!;
  } else if (references.length === 1) {
    members[0] = references[0]!;
  }
  members[references.length] = member(ctx, key, group, keyCol, 'key', keyTarget);
  return members;
}

/** typeMax, looked up: the planner compares types of every member of every group. */
function maxOf(t: { dataType: IntType; unsigned: boolean }): bigint {
  const row = MAX[t.dataType];
  return t.unsigned ? row[1] : row[0];
}

const MAX = Object.fromEntries(INT_TYPES.map((dataType) => [dataType, [typeMax({ dataType, unsigned: false }), typeMax({ dataType, unsigned: true })]])) as Record<
  IntType,
  [bigint, bigint]
>;

function member(ctx: ShardContext, ref: ColumnRef, group: string, col: Column, role: GroupMember['role'], target: GroupMember['target']): GroupMember {
  return {
    ref,
    role,
    group,
    current: currentType(ctx, col),
    target,
    needsChange: col.dataType !== target.dataType || col.unsigned !== target.unsigned,
  };
}

/** A member's `current` type: one object per type (see ShardContext.types). */
function currentType(ctx: ShardContext, col: Column): GroupMember['current'] {
  const hit = ctx.types.current.get(col.columnType);
  if (hit && hit.dataType === col.dataType && hit.unsigned === col.unsigned && hit.zerofill === col.zerofill) return hit;
  const current = { dataType: col.dataType, unsigned: col.unsigned, zerofill: col.zerofill, columnType: col.columnType };
  ctx.types.current.set(col.columnType, current);
  return current;
}

/** A column's own type as a member's target (the column stays as it is): one object per type (see ShardContext.types). */
function ownType(ctx: ShardContext, col: Column): GroupMember['target'] {
  let row = ctx.types.own.get(col.dataType);
  if (!row) ctx.types.own.set(col.dataType, (row = []));
  const i = (col.unsigned ? 2 : 0) + (col.zerofill ? 1 : 0);
  return (row[i] ??= integerType(col.dataType, col.unsigned, col.zerofill));
}

/** Every target type is made here: one object shape for all of them (code that reads them stays monomorphic). */
function integerType(dataType: IntType, unsigned: boolean, zerofill: boolean): GroupMember['target'] {
  return { dataType, unsigned, zerofill };
}
