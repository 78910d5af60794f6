/**
 * A Rails app's references (table and column names, src/rails/app.ts) applied to one shard's
 * catalog: in each database the app's `databases:` globs match, a reference whose two columns
 * exist (integer columns) becomes a relationship with source `model`; a polymorphic pair gets the
 * candidate keys that exist there; a model whose table is missing, or a reference whose column is
 * missing, is a warning for that shard. Pure; resolved once per shard and config.
 */
import picomatch from 'picomatch';
import type { CheckConfig } from '../config/types.js';
import type { Column, ColumnRef, Relationship, ShardSnapshot, Table } from '../model/types.js';
import type { PolymorphicCandidate, PolymorphicPair, RailsConfig, RelationWarning } from './types.js';

/** The catalog lookups this needs (ShardCatalog has them). */
export interface CatalogLike {
  readonly databases: Map<string, Map<string, Table>>;
  table(database: string, table: string): Table | undefined;
  column(database: string, table: string, column: string): Column | undefined;
}

export interface ShardPolymorphic {
  database: string;
  pair: PolymorphicPair;
  /** The id column (its type). Identity is by the names in `database` and `pair`. */
  column: Column;
  candidates: { candidate: PolymorphicCandidate; table: Table; column: Column }[];
}

export interface ShardRails {
  /** Relationships the models declare, in app, database and reference order; `from`/`to` the catalog's columns. */
  relationships: { relationship: Relationship; from: Column; to: Column }[];
  /** Whether the models speak for this column (a reference or a polymorphic id): naming must not guess it. */
  claimed(database: string, table: string, column: string): boolean;
  polymorphic: ShardPolymorphic[];
  /** What the models say that this shard's catalog does not have. */
  warnings: RelationWarning[];
}

const cache = new WeakMap<ShardSnapshot, { config: CheckConfig; rails: ShardRails }>();

/** The models' view of this shard, or undefined when the config has no Rails app. */
export function railsForShard(shard: ShardSnapshot, catalog: CatalogLike, config: CheckConfig): ShardRails | undefined {
  const apps = config.rails;
  if (!apps || apps.length === 0) return undefined;
  const hit = cache.get(shard);
  if (hit && hit.config === config) return hit.rails;
  const rails = resolve(shard, catalog, apps);
  cache.set(shard, { config, rails });
  return rails;
}

function resolve(shard: ShardSnapshot, catalog: CatalogLike, apps: readonly RailsConfig[]): ShardRails {
  const relationships: ShardRails['relationships'] = [];
  const polymorphic: ShardPolymorphic[] = [];
  const warnings: RelationWarning[] = [];
  // database → "table\0column" the models speak for.
  const claims = new Map<string, Set<string>>();
  for (const app of apps) {
    const models = app.models;
    if (!models) throw new Error(`internal: the Rails app ${app.label} was not read (loadRails)`);
    const applies = app.databases.length ? picomatch(app.databases, { dot: true }) : () => true;
    const databases = shard.databases.filter((d) => applies(d.name)).map((d) => d.name);
    if (databases.length === 0) continue;
    const claimedColumns = [...models.references.map((r) => `${r.from.table}\u0000${r.from.column}`), ...models.polymorphic.map((p) => `${p.table}\u0000${p.idColumn}`)];
    for (const db of databases) {
      let set = claims.get(db);
      if (!set) claims.set(db, (set = new Set()));
      for (const k of claimedColumns) set.add(k);
    }
    // Relationship refs and evidence strings are shared by every database's copy of a name.
    const refs = new Map<string, ColumnRef>();
    const ref = (database: string, table: string, column: string): ColumnRef => {
      const k = `${database}\u0000${table}\u0000${column}`;
      let r = refs.get(k);
      if (!r) refs.set(k, (r = { shard: shard.name, database, table, column }));
      return r;
    };
    for (const db of databases) {
      for (const r of models.references) {
        const from = catalog.column(db, r.from.table, r.from.column);
        const to = catalog.column(db, r.to.table, r.to.column);
        if (!from || !to) continue;
        relationships.push({ relationship: { from: ref(db, r.from.table, r.from.column), to: ref(db, r.to.table, r.to.column), source: 'model', evidence: r.evidence }, from, to });
      }
      for (const p of models.polymorphic) {
        const column = catalog.column(db, p.table, p.idColumn);
        if (!column) continue;
        const candidates: ShardPolymorphic['candidates'] = [];
        for (const c of p.candidates) {
          const table = catalog.table(db, c.table);
          const key = table?.columns.find((x) => x.name === c.column);
          if (table && key) candidates.push({ candidate: c, table, column: key });
        }
        polymorphic.push({ database: db, pair: p, column, candidates });
      }
    }
    warnings.push(...missingOnShard(shard.name, databases, catalog, app));
  }
  return {
    relationships,
    polymorphic,
    warnings,
    claimed: (database, table, column) => claims.get(database)?.has(`${table}\u0000${column}`) === true,
  };
}

/** Models whose table, and references whose integer column, this shard's databases lack: one warning per model or column, with counts. */
function missingOnShard(shard: string, databases: string[], catalog: CatalogLike, app: RailsConfig): RelationWarning[] {
  const out: RelationWarning[] = [];
  const models = app.models!;
  const where = (n: number) => (databases.length === 1 ? `database ${databases[0]}` : n === databases.length ? `all ${databases.length} databases` : `${n} of ${databases.length} databases`);
  const tablesSeen = new Set<string>();
  for (const m of models.models) {
    if (m.abstract || m.table === undefined || m.stiBase || tablesSeen.has(m.table)) continue;
    tablesSeen.add(m.table);
    const missing = databases.filter((d) => !catalog.table(d, m.table!)).length;
    if (missing > 0) out.push({ file: m.file, line: m.line, model: m.model, shard, message: `${m.model}: table ${m.table} does not exist on shard ${shard} (missing in ${where(missing)}); its references there are not measured` });
  }
  const columnsSeen = new Set<string>();
  const check = (table: string, column: string, file: string, line: number, model: string, what: string) => {
    const k = `${table}.${column}`;
    if (columnsSeen.has(k)) return;
    columnsSeen.add(k);
    const withTable = databases.filter((d) => catalog.table(d, table));
    if (withTable.length === 0) return; // the missing table is said once, above
    const missing = withTable.filter((d) => !catalog.column(d, table, column)).length;
    if (missing > 0) out.push({ file, line, model, shard, message: `${what}: ${table} has no integer column ${column} on shard ${shard} (in ${missing === withTable.length && withTable.length === databases.length ? where(missing) : `${missing} of the ${withTable.length} databases that have the table`}); not measured there` });
  };
  for (const r of models.references) {
    check(r.from.table, r.from.column, r.file, r.line, r.model, r.evidence.replace(/^\S+ /, ''));
    check(r.to.table, r.to.column, r.file, r.line, r.model, r.evidence.replace(/^\S+ /, ''));
  }
  for (const p of models.polymorphic) check(p.table, p.idColumn, p.file, p.line, p.model, p.evidence.replace(/^\S+ /, ''));
  return out;
}

/**
 * The polymorphic id columns as relationships to each candidate key (source `model`): the planner
 * puts the id column in every candidate key's widening group. Not checks' relationships: those
 * have one relationship per column, and polymorphic-capacity measures these pairs itself.
 */
export function polymorphicRelationships(rails: ShardRails, shard: string): { relationship: Relationship; from: Column; to: Column }[] {
  const out: { relationship: Relationship; from: Column; to: Column }[] = [];
  for (const p of rails.polymorphic) {
    for (const c of p.candidates) {
      out.push({
        relationship: {
          from: { shard, database: p.database, table: p.pair.table, column: p.pair.idColumn },
          to: { shard, database: p.database, table: c.candidate.table, column: c.candidate.column },
          source: 'model',
          evidence: `${p.pair.evidence}; candidate ${c.candidate.model}: ${c.candidate.evidence}`,
        },
        from: p.column,
        to: c.column,
      });
    }
  }
  return out;
}
