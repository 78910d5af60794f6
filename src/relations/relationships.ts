/**
 * Which integer columns hold values of which key. Pure.
 *
 * Three sources, strongest first: `declared` (FOREIGN KEY constraints),
 * `configured` (the inventory's `relationships:`), `inferred` (Rails naming:
 * `message_thread_id` → `message_threads.id`). Rails apps often declare no
 * constraints at all, so naming is how the February 2024 Intercom columns
 * (`message_thread_id` and friends, INT under a BIGINT key) are found.
 */
import picomatch from 'picomatch';
import pluralize from 'pluralize';
import type { CheckConfig } from '../config/types.js';
import { isIntType } from '../model/integers.js';
import { keyColumn } from '../model/keys.js';
import type { Column, Relationship, RelationSource, ShardSnapshot, Table } from '../model/types.js';

export const RELATION_PRECEDENCE: Record<RelationSource, number> = { declared: 3, configured: 2, inferred: 1 };

/** Fast lookups into one shard's catalog. */
export class ShardCatalog {
  readonly databases = new Map<string, Map<string, Table>>();
  constructor(readonly shard: ShardSnapshot) {
    for (const d of shard.databases) this.databases.set(d.name, new Map(d.tables.map((t) => [t.name, t])));
  }
  table(database: string, table: string): Table | undefined {
    return this.databases.get(database)?.get(table);
  }
  column(database: string, table: string, column: string): Column | undefined {
    return this.table(database, table)?.columns.find((c) => c.name === column);
  }
}

/** Compiled `ignore:` patterns. A pattern is `table.column` or `db.table.column`, with globs. */
export function ignoreMatcher(patterns: readonly string[]): (database: string, table: string, column: string) => boolean {
  const two: picomatch.Matcher[] = [];
  const three: picomatch.Matcher[] = [];
  for (const p of patterns) {
    const m = picomatch(p, { dot: true });
    if (p.split('.').length >= 3) three.push(m);
    else two.push(m);
  }
  return (database, table, column) =>
    two.some((m) => m(`${table}.${column}`)) || three.some((m) => m(`${database}.${table}.${column}`));
}

/** The table a Rails `*_id` column points at: `message_thread_id` → `message_threads`. */
export function inferredTableName(columnName: string): string | undefined {
  // Tenant fleets repeat the same column names thousands of times: pluralize each name once.
  if (pluralCache.has(columnName)) return pluralCache.get(columnName);
  const m = /^(.+)_id$/i.exec(columnName);
  const out = m?.[1] ? pluralize.plural(m[1]) : undefined;
  if (pluralCache.size > 100_000) pluralCache.clear();
  pluralCache.set(columnName, out);
  return out;
}

const pluralCache = new Map<string, string | undefined>();

/**
 * Relationships depend only on the catalog's names and keys and on the config, so a scan resolves
 * them once per shard and config (collect, checks and the planner all ask). Keyed by object identity.
 */
const resolved = new WeakMap<ShardSnapshot, { config: CheckConfig; relationships: Relationship[] }>();

export function resolveRelationships(shard: ShardSnapshot, config: CheckConfig, catalog?: ShardCatalog): Relationship[] {
  const hit = resolved.get(shard);
  if (hit && hit.config === config) return hit.relationships;
  const relationships = resolveUncached(shard, config, catalog ?? new ShardCatalog(shard));
  resolved.set(shard, { config, relationships });
  return relationships;
}

function resolveUncached(shard: ShardSnapshot, config: CheckConfig, catalog: ShardCatalog): Relationship[] {
  const ignored = ignoreMatcher(config.ignore);
  // One relationship per referencing column: the strongest source wins.
  const byColumn = new Map<string, Relationship>();
  const add = (r: Relationship) => {
    const k = `${r.from.database}\u0000${r.from.table}\u0000${r.from.column}`;
    const prev = byColumn.get(k);
    if (!prev || RELATION_PRECEDENCE[r.source] > RELATION_PRECEDENCE[prev.source]) byColumn.set(k, r);
  };
  const ref = (database: string, table: string, column: string) => ({ shard: shard.name, database, table, column });

  // declared
  for (const d of shard.databases) {
    for (const t of d.tables) {
      for (const fk of t.foreignKeys) {
        fk.columns.forEach((col, i) => {
          const toCol = fk.referencedColumns[i];
          if (!toCol) return;
          const from = t.columns.find((c) => c.name === col);
          const to = catalog.column(fk.referencedDatabase, fk.referencedTable, toCol);
          if (!from || !to) return; // not an integer pair
          add({
            from: ref(d.name, t.name, col),
            to: ref(fk.referencedDatabase, fk.referencedTable, toCol),
            source: 'declared',
            evidence: `constraint ${fk.name}`,
          });
        });
      }
    }
  }

  // configured
  for (const rc of config.relationships) {
    const fromParts = rc.column.split('.');
    const toParts = rc.references.split('.');
    const fromDbGlob = fromParts.length === 3 ? picomatch(fromParts[0]!) : () => true;
    const [fromTable, fromCol] = fromParts.slice(-2) as [string, string];
    const [toTable, toCol] = toParts.slice(-2) as [string, string];
    for (const d of shard.databases) {
      if (!fromDbGlob(d.name)) continue;
      const t = catalog.table(d.name, fromTable);
      if (!t || !t.columns.some((c) => c.name === fromCol)) continue;
      const toDb = toParts.length === 3 ? toParts[0]! : d.name;
      if (!catalog.column(toDb, toTable, toCol)) continue;
      add({ from: ref(d.name, fromTable, fromCol), to: ref(toDb, toTable, toCol), source: 'configured', evidence: rc.origin });
    }
  }

  // inferred
  for (const d of shard.databases) {
    const tables = catalog.databases.get(d.name)!;
    for (const t of d.tables) {
      for (const c of t.columns) {
        const target = inferredTableName(c.name);
        if (!target) continue;
        const parent = tables.get(target);
        if (!parent || !isRailsKey(parent)) continue;
        if (ignored(d.name, t.name, c.name)) continue;
        add({
          from: ref(d.name, t.name, c.name),
          to: ref(d.name, parent.name, 'id'),
          source: 'inferred',
          evidence: `naming: ${c.name} → ${parent.name}.id`,
        });
      }
    }
  }

  return [...byColumn.values()];
}

/** A table whose key is an integer column named `id` (the Rails convention). */
function isRailsKey(table: Table): boolean {
  const k = keyColumn(table);
  return k !== undefined && k.name === 'id' && isIntType(k.dataType) && table.primaryKey.length === 1 && table.primaryKey[0] === 'id';
}

/** Every column some relationship points at, per database and table (used to decide MAX() reads). */
export function referencedColumns(relationships: Relationship[]): { database: string; table: string; column: string }[] {
  const seen = new Set<string>();
  const out: { database: string; table: string; column: string }[] = [];
  for (const r of relationships) {
    const k = `${r.to.database}\u0000${r.to.table}\u0000${r.to.column}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ database: r.to.database, table: r.to.table, column: r.to.column });
  }
  return out;
}

