/**
 * Which integer columns hold values of which key. Pure.
 *
 * Four sources, strongest first: `declared` (FOREIGN KEY constraints),
 * `configured` (the inventory's `relationships:`), `model` (a Rails app's
 * associations, read statically: src/rails), `inferred` (Rails naming:
 * `message_thread_id` → `message_threads.id`). Rails apps often declare no
 * constraints at all, so naming is how the February 2024 Intercom columns
 * (`message_thread_id` and friends, INT under a BIGINT key) are found; the
 * models find what naming misses (`belongs_to :parent, class_name: "Category"`)
 * and overrule it where they say otherwise (a polymorphic `owner_id`).
 */
import picomatch from 'picomatch';
import pluralize from 'pluralize';
import type { CheckConfig } from '../config/types.js';
import { isIntType } from '../model/integers.js';
import { keyColumn } from '../model/keys.js';
import { vschemaReferences } from '../vitess/relations.js';
import type { Column, ColumnRef, Relationship, RelationSource, ShardSnapshot, Table } from '../model/types.js';
import { railsForShard } from '../rails/shard.js';

export const RELATION_PRECEDENCE: Record<RelationSource, number> = { declared: 5, configured: 4, model: 3, vschema: 2, inferred: 1 };

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
    const t = this.databases.get(database)?.get(table);
    if (t) for (const c of t.columns) if (c.name === column) return c;
    return undefined;
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
  return inferredNaming(columnName)?.table;
}

/**
 * The table a column name points at, with the evidence text every relationship inferred from it
 * carries (`naming: message_thread_id → message_threads.id`). Tenant fleets repeat the same column
 * names thousands of times: pluralize, and build the text, once per name.
 */
function inferredNaming(columnName: string): { table: string; evidence: string } | undefined {
  const hit = namingCache.get(columnName);
  if (hit !== undefined || namingCache.has(columnName)) return hit;
  const m = /^(.+)_id$/i.exec(columnName);
  const table = m?.[1] ? pluralize.plural(m[1]) : undefined;
  const out = table === undefined ? undefined : { table, evidence: `naming: ${columnName} → ${table}.id` };
  if (namingCache.size > 100_000) namingCache.clear();
  namingCache.set(columnName, out);
  return out;
}

const namingCache = new Map<string, { table: string; evidence: string } | undefined>();

/**
 * Relationships depend only on the catalog's names and keys and on the config, so a scan resolves
 * them once per shard and config (collect, checks and the planner all ask). Keyed by object identity.
 */
const resolved = new WeakMap<ShardSnapshot, { config: CheckConfig; catalog: ShardCatalog } & Resolved>();

/** Relationships, with the catalog columns each one joins (what `ShardCatalog.column` finds for its names). */
interface Resolved {
  relationships: Relationship[];
  fromColumns: (Column | undefined)[];
  toColumns: (Column | undefined)[];
}

export function resolveRelationships(shard: ShardSnapshot, config: CheckConfig, catalog?: ShardCatalog): Relationship[] {
  const hit = resolved.get(shard);
  if (hit && hit.config === config) return hit.relationships;
  const used = catalog ?? new ShardCatalog(shard);
  const result = resolveUncached(shard, config, used);
  resolved.set(shard, { config, catalog: used, ...result });
  return result.relationships;
}

/**
 * A catalog of the shard: the one its relationships were last resolved with when there is one (a
 * catalog only indexes the shard's names, so any catalog of the same shard object answers the same),
 * else a new one. Saves the planner re-indexing 100k tables the checks have just indexed.
 */
export function shardCatalog(shard: ShardSnapshot): ShardCatalog {
  return resolved.get(shard)?.catalog ?? new ShardCatalog(shard);
}

/**
 * For each of `relationships`, the catalog column it comes from and the one it points at: what
 * `shardCatalog(shard).column(...)` finds for the names in `from` and `to` (undefined: none).
 * Resolving found them already, so for the shard's resolved list this looks nothing up.
 */
export function relationshipColumns(shard: ShardSnapshot, relationships: Relationship[]): { from: (Column | undefined)[]; to: (Column | undefined)[] } {
  const hit = resolved.get(shard);
  if (hit && hit.relationships === relationships) return { from: hit.fromColumns, to: hit.toColumns };
  const catalog = shardCatalog(shard);
  return {
    from: relationships.map((r) => catalog.column(r.from.database, r.from.table, r.from.column)),
    to: relationships.map((r) => catalog.column(r.to.database, r.to.table, r.to.column)),
  };
}

function resolveUncached(shard: ShardSnapshot, config: CheckConfig, catalog: ShardCatalog): Resolved {
  // One relationship per referencing column: the strongest source wins. Each source is a function
  // of its own (the first is optimized while it runs, without the code of the others).
  const found = new Found(shard.name);
  addDeclared(found, shard, catalog);
  addConfigured(found, shard, catalog, config);
  addModel(found, shard, catalog, config);
  addVSchema(found, shard, catalog, config);
  addInferred(found, shard, catalog, config);
  return { relationships: found.relationships, fromColumns: found.fromColumns, toColumns: found.toColumns };
}

/** The relationships found so far, in the order in which each referencing column was first seen. */
class Found {
  readonly relationships: Relationship[] = [];
  readonly fromColumns: (Column | undefined)[] = [];
  readonly toColumns: (Column | undefined)[] = [];
  private readonly places = new ColumnPlaces();
  constructor(private readonly shard: string) {}

  /** `from` and `to`: the catalog's columns for the names in r.from and r.to. */
  add(r: Relationship, from: Column | undefined, to: Column | undefined): void {
    const at = this.places.claim(r.from, from, this.relationships);
    if (at === undefined) {
      this.relationships.push(r);
      this.fromColumns.push(from);
      this.toColumns.push(to);
    } else if (RELATION_PRECEDENCE[r.source] > RELATION_PRECEDENCE[this.relationships[at]!.source]) {
      this.relationships[at] = r;
      this.toColumns[at] = to;
    }
  }

  ref(database: string, table: string, column: string): ColumnRef {
    return { shard: this.shard, database, table, column };
  }
}

function addDeclared(found: Found, shard: ShardSnapshot, catalog: ShardCatalog): void {
  for (const d of shard.databases) {
    for (const t of d.tables) {
      if (t.foreignKeys.length === 0) continue;
      // The catalog's own table for these names (it is not when a database or table name repeats).
      const own = catalog.table(d.name, t.name) === t;
      for (const fk of t.foreignKeys) {
        for (let i = 0; i < fk.columns.length; i++) {
          const col = fk.columns[i]!;
          const toCol = fk.referencedColumns[i];
          if (!toCol) continue;
          const from = columnNamed(t, col);
          const to = catalog.column(fk.referencedDatabase, fk.referencedTable, toCol);
          if (!from || !to) continue; // not an integer pair
          found.add(
            {
              from: found.ref(d.name, t.name, col),
              to: found.ref(fk.referencedDatabase, fk.referencedTable, toCol),
              source: 'declared',
              evidence: `constraint ${fk.name}`,
            },
            own ? from : catalog.column(d.name, t.name, col),
            to,
          );
        }
      }
    }
  }
}

/** What the VSchema tells (src/vitess/relations.ts): co-located tables, lookup vindexes' owners. */
function addVSchema(found: Found, shard: ShardSnapshot, catalog: ShardCatalog, config: CheckConfig): void {
  for (const r of vschemaReferences(config.vitess, shard.name)) {
    const from = catalog.column(r.database, r.from.table, r.from.column);
    const to = catalog.column(r.database, r.to.table, r.to.column);
    if (!from || !to) continue; // not integer columns on this shard
    found.add({ from: found.ref(r.database, r.from.table, r.from.column), to: found.ref(r.database, r.to.table, r.to.column), source: 'vschema', evidence: r.evidence }, from, to);
  }
}

function addConfigured(found: Found, shard: ShardSnapshot, catalog: ShardCatalog, config: CheckConfig): void {
  for (const rc of config.relationships) {
    const fromParts = rc.column.split('.');
    const toParts = rc.references.split('.');
    const fromDbGlob = fromParts.length === 3 ? picomatch(fromParts[0]!) : () => true;
    const [fromTable, fromCol] = fromParts.slice(-2) as [string, string];
    const [toTable, toCol] = toParts.slice(-2) as [string, string];
    for (const d of shard.databases) {
      if (!fromDbGlob(d.name)) continue;
      const t = catalog.table(d.name, fromTable);
      const from = t && columnNamed(t, fromCol);
      if (!from) continue;
      const toDb = toParts.length === 3 ? toParts[0]! : d.name;
      const to = catalog.column(toDb, toTable, toCol);
      if (!to) continue;
      found.add({ from: found.ref(d.name, fromTable, fromCol), to: found.ref(toDb, toTable, toCol), source: 'configured', evidence: rc.origin }, from, to);
    }
  }
}

/** References a Rails app's associations declare (`rails:` / `--rails`), in the databases the app applies to. */
function addModel(found: Found, shard: ShardSnapshot, catalog: ShardCatalog, config: CheckConfig): void {
  const rails = railsForShard(shard, catalog, config);
  if (!rails) return;
  for (const r of rails.relationships) found.add(r.relationship, r.from, r.to);
}

function addInferred(found: Found, shard: ShardSnapshot, catalog: ShardCatalog, config: CheckConfig): void {
  const ignored = config.ignore.length ? ignoreMatcher(config.ignore) : undefined;
  // A column the models speak for (a reference to another table, a polymorphic id) is never guessed from its name.
  const rails = railsForShard(shard, catalog, config);
  for (const d of shard.databases) {
    const tables = catalog.databases.get(d.name)!;
    // The key a table name leads to in this database, looked up once per name (null: no table with
    // a Rails key); every relationship to it shares one ref object.
    const parents = new Map<string, { ref: ColumnRef; col: Column | undefined } | null>();
    for (const t of d.tables) {
      const own = tables.get(t.name) === t;
      for (const c of t.columns) {
        const naming = inferredNaming(c.name);
        if (!naming) continue;
        let to = parents.get(naming.table);
        if (to === undefined) {
          const parent = tables.get(naming.table);
          to = parent && isRailsKey(parent) ? { ref: found.ref(d.name, parent.name, 'id'), col: columnNamed(parent, 'id') } : null;
          parents.set(naming.table, to);
        }
        if (!to) continue;
        if (ignored && ignored(d.name, t.name, c.name)) continue;
        if (rails && rails.claimed(d.name, t.name, c.name)) continue;
        const from = own ? columnNamed(t, c.name) : catalog.column(d.name, t.name, c.name);
        found.add({ from: found.ref(d.name, t.name, c.name), to: to.ref, source: 'inferred', evidence: naming.evidence }, from, to.col);
      }
    }
  }
}

/**
 * Where each referencing column's relationship is in the output, by the column's names: database,
 * then table, then column. The names are the catalog's own strings (one per distinct name), so
 * these lookups hash nothing new and build no key string per relationship (a 100k-table shard has
 * ~130k of them). Columns cannot be told apart by object: tenants share their Column objects.
 */
class ColumnPlaces {
  private readonly places = new Map<string, Map<string, Map<string, number>>>();

  /**
   * The place of `ref`'s column in `out`; when it has none, it gets the next one (`out.length`) and
   * this returns undefined.
   */
  claim(ref: ColumnRef, _col: Column | undefined, out: readonly Relationship[]): number | undefined {
    let tables = this.places.get(ref.database);
    if (!tables) this.places.set(ref.database, (tables = new Map()));
    let columns = tables.get(ref.table);
    if (!columns) tables.set(ref.table, (columns = new Map()));
    const at = columns.get(ref.column);
    if (at === undefined) columns.set(ref.column, out.length);
    return at;
  }
}

function columnNamed(t: Table, name: string): Column | undefined {
  for (const c of t.columns) if (c.name === name) return c;
  return undefined;
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

