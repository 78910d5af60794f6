/**
 * `headroom relations`: every relationship with its source and evidence, the polymorphic pairs
 * with their candidates, and what the models say that could not be measured; `--diff` shows what
 * the models added, removed or changed compared with naming alone. Pure: snapshot + config in,
 * text out. Tenant fleets repeat each relationship in every database: one row per distinct
 * relationship, with the databases it is in.
 */
import type { CheckConfig } from '../config/types.js';
import type { Relationship, RelationSource, RelationWarning, Snapshot } from '../model/types.js';
import { compareText } from '../model/types.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import { railsForShard } from './shard.js';

export interface RelationRow {
  table: string;
  column: string;
  references: { database?: string; table: string; column: string };
  source: RelationSource;
  evidence: string;
  /** `shard/database` of every copy. */
  where: string[];
}

export interface PolymorphicRow {
  table: string;
  column: string;
  typeColumn: string;
  evidence: string;
  candidates: { model: string; table: string; column: string; evidence: string }[];
  where: string[];
}

export interface DiffRow {
  /** added: only the models know it; removed: naming guessed it, the models say otherwise; changed: another target; confirmed: same target, now with the model's evidence. */
  change: 'added' | 'removed' | 'changed' | 'confirmed';
  table: string;
  column: string;
  before?: { references: RelationRow['references']; source: RelationSource; evidence: string };
  after?: { references: RelationRow['references']; source: RelationSource; evidence: string };
  where: string[];
}

export interface RelationsListing {
  version: 1;
  relationships: RelationRow[];
  polymorphic: PolymorphicRow[];
  warnings: RelationWarning[];
  diff?: DiffRow[];
}

export function listRelations(snapshot: Snapshot, config: CheckConfig, options: { diff?: boolean } = {}): RelationsListing {
  const rows = new Map<string, RelationRow>();
  const poly = new Map<string, PolymorphicRow>();
  const diff = new Map<string, DiffRow>();
  const warnings: RelationWarning[] = [];
  for (const models of new Set((config.rails ?? []).map((a) => a.models))) warnings.push(...(models?.warnings ?? []));
  const naming: CheckConfig = { ...config, rails: [] };
  for (const shard of snapshot.shards) {
    const catalog = new ShardCatalog(shard);
    const rels = resolveRelationships(shard, config, catalog);
    const where = (db: string) => `${shard.name}/${db}`;
    for (const r of rels) add(rows, rowKey(r), () => toRow(r), where(r.from.database));
    const rails = railsForShard(shard, catalog, config);
    if (rails) {
      warnings.push(...rails.warnings);
      for (const p of rails.polymorphic) {
        const k = [p.pair.table, p.pair.idColumn, p.pair.evidence, ...p.candidates.map((c) => `${c.candidate.table}.${c.candidate.column}`)].join('\u0000');
        add(poly, k, () => ({
          table: p.pair.table,
          column: p.pair.idColumn,
          typeColumn: p.pair.typeColumn,
          evidence: p.pair.evidence,
          candidates: p.candidates.map((c) => ({ model: c.candidate.model, table: c.candidate.table, column: c.candidate.column, evidence: c.candidate.evidence })),
          where: [],
        }), where(p.database));
      }
    }
    if (options.diff) {
      const before = new Map<string, Relationship>();
      for (const r of resolveRelationships({ ...shard }, naming, new ShardCatalog(shard))) before.set(colKey(r), r);
      const after = new Map<string, Relationship>();
      for (const r of rels) after.set(colKey(r), r);
      for (const [k, a] of after) {
        const b = before.get(k);
        if (!b) {
          if (a.source === 'model') addDiff(diff, 'added', undefined, a, where(a.from.database));
          continue;
        }
        if (b.source === a.source && b.evidence === a.evidence && sameTarget(a, b)) continue;
        addDiff(diff, sameTarget(a, b) ? 'confirmed' : 'changed', b, a, where(a.from.database));
      }
      for (const [k, b] of before) if (!after.has(k)) addDiff(diff, 'removed', b, undefined, where(b.from.database));
    }
  }
  const sortRows = <T extends { table: string; column: string }>(list: T[]) => list.sort((a, b) => compareText(a.table, b.table) || compareText(a.column, b.column));
  const order = { added: 0, changed: 1, removed: 2, confirmed: 3 } as const;
  return {
    version: 1,
    relationships: sortRows([...rows.values()]),
    polymorphic: sortRows([...poly.values()]),
    warnings,
    ...(options.diff ? { diff: [...diff.values()].sort((a, b) => order[a.change] - order[b.change] || compareText(a.table, b.table) || compareText(a.column, b.column)) } : {}),
  };
}

function add<T extends { where: string[] }>(map: Map<string, T>, key: string, make: () => T, where: string): void {
  let row = map.get(key);
  if (!row) map.set(key, (row = make()));
  if (!row.where.includes(where)) row.where.push(where);
}

const colKey = (r: Relationship) => `${r.from.database}\u0000${r.from.table}\u0000${r.from.column}`;
const sameTarget = (a: Relationship, b: Relationship) => a.to.database === b.to.database && a.to.table === b.to.table && a.to.column === b.to.column;

function refOf(r: Relationship): RelationRow['references'] {
  return r.to.database === r.from.database ? { table: r.to.table, column: r.to.column } : { database: r.to.database, table: r.to.table, column: r.to.column };
}

function rowKey(r: Relationship): string {
  return [r.from.table, r.from.column, r.to.database === r.from.database ? '' : r.to.database, r.to.table, r.to.column, r.source, r.evidence].join('\u0000');
}

function toRow(r: Relationship): RelationRow {
  return { table: r.from.table, column: r.from.column, references: refOf(r), source: r.source, evidence: r.evidence, where: [] };
}

function addDiff(map: Map<string, DiffRow>, change: DiffRow['change'], b: Relationship | undefined, a: Relationship | undefined, where: string): void {
  const r = (a ?? b)!;
  const side = (x: Relationship | undefined) => (x ? { references: refOf(x), source: x.source, evidence: x.evidence } : undefined);
  const key = [change, r.from.table, r.from.column, b ? rowKey(b) : '', a ? rowKey(a) : ''].join('\u0001');
  add(map, key, () => ({ change, table: r.from.table, column: r.from.column, ...(b ? { before: side(b)! } : {}), ...(a ? { after: side(a)! } : {}), where: [] }), where);
}

export function formatRelationsJson(listing: RelationsListing): string {
  return `${JSON.stringify(listing, null, 2)}\n`;
}

const refText = (r: RelationRow['references']) => `${r.database ? `${r.database}.` : ''}${r.table}.${r.column}`;

/** Where a row is: its one database, or how many databases on how many shards. */
function whereText(where: string[]): string {
  if (where.length === 1) return where[0]!;
  const shards = new Set(where.map((w) => w.slice(0, w.indexOf('/'))));
  return `${where.length} databases${shards.size > 1 ? ` on ${shards.size} shards` : ''}`;
}

export function formatRelationsTable(listing: RelationsListing): string {
  const out: string[] = [];
  if (listing.diff) {
    const n = (c: DiffRow['change']) => listing.diff!.filter((d) => d.change === c).length;
    out.push(`What the models change compared with naming alone: ${n('added')} added, ${n('changed')} changed, ${n('removed')} removed, ${n('confirmed')} confirmed.`, '');
    for (const d of listing.diff) {
      const col = `${d.table}.${d.column}`;
      const line =
        d.change === 'added'
          ? `+ ${col} → ${refText(d.after!.references)}  (model: ${d.after!.evidence})`
          : d.change === 'removed'
            ? `- ${col} → ${refText(d.before!.references)}  (was ${d.before!.source}: ${d.before!.evidence}; the models say otherwise)`
            : d.change === 'changed'
              ? `~ ${col} → ${refText(d.after!.references)}, was ${refText(d.before!.references)}  (${d.after!.source}: ${d.after!.evidence}; was ${d.before!.source}: ${d.before!.evidence})`
              : `= ${col} → ${refText(d.after!.references)}  (${d.after!.source}: ${d.after!.evidence}; was ${d.before!.source})`;
      out.push(`${line}  [${whereText(d.where)}]`);
    }
    if (listing.diff.length === 0) out.push('(no difference)');
    if (listing.warnings.length) {
      out.push('', `Not measured: ${listing.warnings.length} (what the models say that headroom cannot read or find)`);
      for (const w of listing.warnings) out.push(`  ${w.file}:${w.line}  ${w.message}`);
    }
    return `${out.join('\n')}\n`;
  }
  const counts = new Map<string, number>();
  for (const r of listing.relationships) counts.set(r.source, (counts.get(r.source) ?? 0) + 1);
  const bySource = ['declared', 'configured', 'model', 'vschema', 'inferred'].filter((s) => counts.get(s)).map((s) => `${counts.get(s)} ${s}`);
  out.push(`Relationships: ${listing.relationships.length}${bySource.length ? ` (${bySource.join(', ')})` : ''}`);
  const width = Math.min(60, Math.max(0, ...listing.relationships.map((r) => `${r.table}.${r.column} → ${refText(r.references)}`.length)));
  for (const r of listing.relationships) {
    const head = `${r.table}.${r.column} → ${refText(r.references)}`;
    out.push(`  ${head.padEnd(width)}  ${r.source.padEnd(10)}  ${r.evidence}  [${whereText(r.where)}]`);
  }
  if (listing.polymorphic.length) {
    out.push('', `Polymorphic ids: ${listing.polymorphic.length} (each must hold the ids of every candidate)`);
    for (const p of listing.polymorphic) {
      const to = p.candidates.length ? p.candidates.map((c) => `${c.table}.${c.column}`).join(' | ') : '(no candidate: no has_many/has_one … as:)';
      out.push(`  ${p.table}.${p.column} → ${to}  ${p.evidence}  [${whereText(p.where)}]`);
      for (const c of p.candidates) out.push(`      ${c.model}: ${c.evidence}`);
    }
  }
  if (listing.warnings.length) {
    out.push('', `Not measured: ${listing.warnings.length} (what the models say that headroom cannot read or find)`);
    for (const w of listing.warnings) out.push(`  ${w.file}:${w.line}  ${w.message}`);
  }
  return `${out.join('\n')}\n`;
}
