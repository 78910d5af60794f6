/**
 * The model every stage after introspection works on. Nothing here knows about
 * MySQL connections: a Snapshot can come from live servers or from a JSON file.
 *
 * Every integer key value is a `bigint` (BIGINT UNSIGNED max does not fit a JS number).
 */

export type IntType = 'tinyint' | 'smallint' | 'mediumint' | 'int' | 'bigint';

export interface IntegerType {
  dataType: IntType;
  unsigned: boolean;
  zerofill: boolean;
}

/** An integer column. Non-integer columns are not kept in the snapshot: no check needs them. */
export interface Column extends IntegerType {
  name: string;
  /** COLUMN_TYPE as the server printed it, e.g. `int(10) unsigned zerofill`. */
  columnType: string;
  nullable: boolean;
  autoIncrement: boolean;
  /** COLUMN_DEFAULT as the server printed it (MariaDB quotes literals and prints NULL as 'NULL'); null = none. */
  default?: string | null;
  /** COLUMN_COMMENT; kept so a generated MODIFY does not drop it. */
  comment?: string;
}

export interface ForeignKey {
  /** Constraint name as declared. */
  name: string;
  columns: string[];
  referencedDatabase: string;
  referencedTable: string;
  referencedColumns: string[];
  onUpdate?: string;
  onDelete?: string;
}

export interface Index {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface Table {
  name: string;
  engine: string | null;
  /** TABLE_ROWS: an estimate for InnoDB (can be off by 40–50%). */
  rowsEstimate: bigint | null;
  dataBytes: bigint | null;
  indexBytes: bigint | null;
  /** information_schema.TABLES.AUTO_INCREMENT: the NEXT value to be handed out (null when unknown). */
  autoIncrement: bigint | null;
  /** Primary key column names, in key order (empty when the table has none). */
  primaryKey: string[];
  /** Integer columns only. */
  columns: Column[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  triggers: number;
  /** MAX(column) read with an index dive, for the columns where it was needed. `null` = table empty. */
  maxValues: Record<string, bigint | null>;
}

export interface Database {
  name: string;
  tables: Table[];
}

export type ServerFlavor = 'mysql' | 'mariadb';

export interface ServerInfo {
  flavor: ServerFlavor;
  version: string;
  versionComment?: string;
  binlogFormat?: string | null;
  binlogRowImage?: string | null;
  /** Whether binary logging is on (gh-ost reads the binlog). */
  logBin?: boolean | null;
  readOnly?: boolean | null;
}

export interface ShardSnapshot {
  name: string;
  server: ServerInfo | null;
  databases: Database[];
}

export interface ShardError {
  shard: string;
  message: string;
}

export interface Snapshot {
  /** Format version of the snapshot file. */
  version: 1;
  takenAt: string;
  shards: ShardSnapshot[];
  errors: ShardError[];
}

export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

export type RelationSource = 'declared' | 'configured' | 'inferred';

export interface ColumnRef {
  shard: string;
  database: string;
  table: string;
  column: string;
}

/** A column that holds values of another (integer) key. */
export interface Relationship {
  from: ColumnRef;
  to: ColumnRef;
  source: RelationSource;
  /** What revealed it: constraint name, config line, or the naming rule. */
  evidence: string;
}

export interface Finding {
  /** Stable across runs: check, shard, database, table, column. */
  id: string;
  check: string;
  severity: Severity;
  shard: string;
  database: string;
  table: string;
  column: string;
  dataType: IntType;
  unsigned: boolean;
  max: bigint;
  /** For pk-capacity the key's own current value; for fk checks the referenced key's current value. */
  current: bigint | null;
  /** current / max, for display only: every decision is made on exact integers. */
  ratio: number | null;
  references?: {
    database: string;
    table: string;
    column: string;
    dataType: IntType;
    unsigned: boolean;
  };
  relationSource?: RelationSource;
  evidence?: string;
  message: string;
  /** Link to the runbook of this finding's widening group (set by `attachRunbookLinks`). */
  runbook?: string;
}

export interface Summary {
  shards: number;
  databases: number;
  tables: number;
  findings: Record<Severity, number>;
  errors: number;
}

export interface Report {
  version: 1;
  summary: Summary;
  findings: Finding[];
  errors: ShardError[];
}

/** Byte-order string comparison: the same order on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
