/**
 * Tiny builders for hand-made snapshots, so a test reads like the schema it is about:
 *
 *   shard('s1', db('app',
 *     table('users', { id: 'bigint unsigned auto' }, { autoIncrement: 124n }),
 *     table('posts', { id: 'int auto', user_id: 'int' }, { fks: { user_id: 'users.id' } }),
 *   ))
 *
 * A column spec is a COLUMN_TYPE (`int(10) unsigned`, `bigint`) plus optional
 * words `auto` (AUTO_INCREMENT) and `null` (nullable).
 */
import { DEFAULT_THRESHOLDS } from '../../src/config/inventory.js';
import type { CheckConfig, RelationshipConfig } from '../../src/config/types.js';
import type { Check } from '../../src/checks/types.js';
import { parseIntegerType } from '../../src/model/integers.js';
import type { Column, Database, Finding, ForeignKey, Index, ShardSnapshot, Snapshot, Table } from '../../src/model/types.js';
import { ShardCatalog, resolveRelationships } from '../../src/relations/relationships.js';

export interface TableOptions {
  /** information_schema.TABLES.AUTO_INCREMENT: the NEXT id. */
  autoIncrement?: bigint | null;
  /** Defaults to `['id']` when there is an `id` column. */
  primaryKey?: string[];
  /** MAX(column) reads; `null` = empty table. */
  max?: Record<string, bigint | null>;
  /** Declared single-column foreign keys: column → `table.column` or `db.table.column`. */
  fks?: Record<string, string>;
  /** Any other foreign key, as is (composite ones). */
  foreignKeys?: ForeignKey[];
  indexes?: Index[];
  rows?: bigint | null;
  triggers?: number;
}

export function column(name: string, spec: string): Column {
  const words = spec.trim().split(/\s+/);
  const autoIncrement = words.includes('auto');
  const nullable = words.includes('null');
  const columnType = words.filter((w) => w !== 'auto' && w !== 'null').join(' ');
  const type = parseIntegerType(columnType);
  if (!type) throw new Error(`builder: ${name}: not an integer type: ${spec}`);
  return { name, columnType, ...type, nullable, autoIncrement };
}

export function table(name: string, columns: Record<string, string>, opts: TableOptions = {}): Table {
  const cols = Object.entries(columns).map(([n, spec]) => column(n, spec));
  const primaryKey = opts.primaryKey ?? (columns.id ? ['id'] : []);
  const foreignKeys: ForeignKey[] = Object.entries(opts.fks ?? {}).map(([col, target]) => {
    const parts = target.split('.');
    const [refTable, refCol] = parts.slice(-2) as [string, string];
    return {
      name: `fk_${name}_${col}`,
      columns: [col],
      referencedDatabase: parts.length === 3 ? parts[0]! : '', // filled in by db()
      referencedTable: refTable,
      referencedColumns: [refCol],
    };
  });
  foreignKeys.push(...(opts.foreignKeys ?? []));
  const indexes: Index[] = [
    ...(primaryKey.length > 0 ? [{ name: 'PRIMARY', unique: true, columns: primaryKey }] : []),
    ...foreignKeys.map((fk) => ({ name: fk.name, unique: false, columns: fk.columns })),
    ...(opts.indexes ?? []),
  ];
  return {
    name,
    engine: 'InnoDB',
    rowsEstimate: opts.rows ?? null,
    dataBytes: null,
    indexBytes: null,
    autoIncrement: opts.autoIncrement ?? null,
    primaryKey,
    columns: cols,
    indexes,
    foreignKeys,
    triggers: opts.triggers ?? 0,
    maxValues: { ...opts.max },
  };
}

export function db(name: string, ...tables: Table[]): Database {
  for (const t of tables) for (const fk of t.foreignKeys) if (fk.referencedDatabase === '') fk.referencedDatabase = name;
  return { name, tables };
}

export function shard(name: string, ...databases: Database[]): ShardSnapshot {
  // MySQL 8: the server where every tool of the planner's tests can run (gh-ost cannot connect to MariaDB < 11.1).
  return { name, server: { flavor: 'mysql', version: '8.0.36' }, databases };
}

export function snapshot(...shards: ShardSnapshot[]): Snapshot {
  return { version: 1, takenAt: '2024-02-22T10:00:00.000Z', shards, errors: [] };
}

/** A `relationships:` entry as the inventory would produce it. */
export function configured(column: string, references: string): RelationshipConfig {
  return { column, references, origin: `test.yml ${column}` };
}

export function config(overrides: Partial<CheckConfig> = {}): CheckConfig {
  return { thresholds: DEFAULT_THRESHOLDS, relationships: [], ignore: [], ...overrides };
}

/** Run one check alone on one shard, the way runChecks would. */
export function runCheck(check: Check, s: ShardSnapshot, cfg: CheckConfig = config()): Finding[] {
  const catalog = new ShardCatalog(s);
  return check.run({ shard: s, catalog, relationships: resolveRelationships(s, cfg, catalog), config: cfg });
}

// ---- Additions for the planner's tests (test/unit/plan). ----
import type { ServerInfo } from '../../src/model/types.js';
import { scanSnapshot } from '../../src/scan.js';
import { planWidenings, type PlanOptions } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';

/** Server facts as the introspection reads them. */
export const SERVERS = {
  mariadb: { flavor: 'mariadb', version: '10.11.6-MariaDB', binlogFormat: 'ROW', binlogRowImage: 'FULL', logBin: true },
  mysql80: { flavor: 'mysql', version: '8.0.36', binlogFormat: 'ROW', binlogRowImage: 'FULL', logBin: true },
  mysql57: { flavor: 'mysql', version: '5.7.44-log', binlogFormat: 'ROW', binlogRowImage: 'FULL', logBin: true },
} satisfies Record<string, ServerInfo>;

/** A copy of the shard with other server facts (`null`: unknown, as in a snapshot without them). */
export function withServer(s: ShardSnapshot, server: ServerInfo | null): ShardSnapshot {
  return { ...s, server };
}

/** A copy of a table with some fields replaced (sizes, indexes, primary key, triggers...). */
export function withTable(t: Table, patch: Partial<Table>): Table {
  return { ...t, ...patch };
}

/** A copy of a table where one column gets more attributes (default, comment, ...). */
export function withColumn(t: Table, name: string, patch: Partial<Column>): Table {
  if (!t.columns.some((c) => c.name === name)) throw new Error(`builder: ${t.name} has no column ${name}`);
  return { ...t, columns: t.columns.map((c) => (c.name === name ? { ...c, ...patch } : c)) };
}

/** Scan a snapshot and plan every finding, the way `headroom plan --snapshot` does. */
export function planOf(snap: Snapshot, cfg: CheckConfig = config(), options: PlanOptions = {}): Plan {
  return planWidenings(scanSnapshot(snap, cfg).findings, snap, cfg, options);
}

// ---- Additions for the Vitess checks' tests (test/unit/checks/{sequence-capacity,vitess-local-auto-increment,shard-type-drift}). ----
import type { KeyspaceConfig, VSchema, VitessConfig } from '../../src/vitess/config.js';
import type { SequenceRow } from '../../src/model/types.js';
import { applySequences } from '../../src/vitess/sequences.js';

/**
 * A Vitess sequence table as `create table x_seq(id bigint, next_id bigint, cache bigint, primary key(id))`
 * creates it, with the rows headroom read from it. Without `rows`: the one row `id = 0, next_id, cache`.
 * `rows: undefined` in the options object leaves `sequenceRows` unset (never read).
 */
export function sequenceTable(name: string, nextId: bigint | null, cache: bigint | null = 1000n, opts: { rows?: SequenceRow[] | undefined } = {}): Table {
  const t = table(name, { id: 'bigint', next_id: 'bigint null', cache: 'bigint null' });
  if ('rows' in opts) return opts.rows === undefined ? t : { ...t, sequenceRows: opts.rows };
  return { ...t, sequenceRows: [{ id: 0n, nextId, cache }] };
}

/** A keyspace of the inventory's `vitess:` block, VSchema given inline; database `vt_<name>` unless given. */
export function keyspace(name: string, shards: string[], vschema: VSchema, database = `vt_${name}`): KeyspaceConfig {
  return { name, database, shards, vschema, vschemaSource: `test vitess.keyspaces ${name}` };
}

export function vitessConfig(...keyspaces: KeyspaceConfig[]): VitessConfig {
  return { keyspaces };
}

/** Run one fleet-wide check (Vitess) alone, the way runChecks would: sequences applied first. */
export function runFleetCheck(check: Check, snap: Snapshot, cfg: CheckConfig = config()): Finding[] {
  if (!check.runFleet) throw new Error(`builder: ${check.id} has no runFleet`);
  return check.runFleet({ snapshot: cfg.vitess ? applySequences(snap, cfg.vitess) : snap, config: cfg });
}
