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
  /** TABLE_ROWS: an estimate for InnoDB (can be off by 40–50%); an exact COUNT(*) when `rowsExact`. */
  rowsEstimate: bigint | null;
  /** Set by `plan --exact-rows`: `rowsEstimate` is a COUNT(*), not TABLE_ROWS. */
  rowsExact?: boolean;
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
  /** Vitess sequence table rows (id, next_id, cache): read only for tables a VSchema declares as sequences. */
  sequenceRows?: SequenceRow[];
  /** Set by the Vitess stage (not stored): this table's key gets its ids from a global sequence. */
  sequence?: TableSequence;
}

export interface SequenceRow {
  id: bigint | null;
  nextId: bigint | null;
  cache: bigint | null;
}

export interface TableSequence {
  keyspace: string;
  /** The sequence table, `keyspace.table`. */
  name: string;
  column: string;
  /** next_id − 1: ids up to it may already be handed out (the primary tablet reserves blocks of `cache`). */
  current: bigint | null;
  cache: bigint | null;
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
  /** What the session could and could not see (live reads only; absent in snapshot files). */
  coverage?: ShardCoverage;
  /**
   * Databases whose triggers the scan session cannot see (information_schema.TRIGGERS lists only
   * tables the account has the TRIGGER privilege on): their trigger counts are 0 by blindness, not
   * by fact. Kept in snapshot files. Absent: every trigger was visible (or triggers were not read).
   */
  triggersHidden?: string[];
}

/**
 * How much of what the inventory asked for a shard's session could read. information_schema
 * shows only what the user has privileges on, so a user without rights sees fewer tables, silently.
 */
export interface ShardCoverage {
  /** Databases the shard's globs match among those SHOW DATABASES lists (all of them only with the SHOW DATABASES privilege). */
  databasesMatched: number;
  /** Of those, the databases whose catalog the session could read in full. */
  databasesRead: number;
  /** Tables read from the catalog. */
  tablesRead: number;
  /** Every matched database read in full, every needed MAX() allowed, and the database list itself complete. */
  complete: boolean;
  /** What was missed, one line each (empty when complete). */
  gaps: string[];
  /** GRANT statements that would make the scan complete. */
  fix: string[];
}

/** A shard's coverage in the report summary. `databasesMatched` is null when the shard could not be read at all. */
export interface CoverageSummary {
  shard: string;
  databasesMatched: number | null;
  databasesRead: number;
  tablesRead: number;
  complete: boolean;
}

export interface ShardError {
  shard: string;
  message: string;
}

export interface Snapshot {
  /** Format version of the snapshot file. */
  version: 1;
  takenAt: string;
  /** Set when this is one part of a partitioned run (`--partition index/count`): `merge` checks that every part is there once. */
  partition?: PartOf;
  shards: ShardSnapshot[];
  errors: ShardError[];
}

export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

/** A broken Vitess sequence: vttablet cannot hand out (unique) ids from it. */
export type SequenceProblem = 'undeclared' | 'missing-table' | 'missing-row' | 'null-next-id' | 'bad-cache' | 'behind-data';

/** How a reference is known, strongest first: a constraint, the config, the Rails models (src/rails), Rails naming. */
export type RelationSource = 'declared' | 'configured' | 'model' | 'vschema' | 'inferred';

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
  /** Fleet-wide findings (Vitess): every shard affected. */
  shards?: string[];
  /** Vitess: the global sequence feeding this key. */
  sequence?: { keyspace: string; table: string };
  /**
   * `sequence-capacity`: what is broken about the sequence itself (widening fixes none of these;
   * the plan fixes the VSchema, the table or its row). Absent for a sequence that is only running out.
   */
  sequenceProblem?: SequenceProblem;
  /** Time to exhaustion of this finding's counter, from history (set by `applyForecasts`; docs/history-and-forecast.md). */
  forecast?: KeyForecast;
  /** `lint`: where the column is defined in the DDL files (path relative to the repository root, `/`-separated; 1-based line and column). */
  source?: { file: string; line: number; column: number };
  /** `polymorphic-capacity`: every table the polymorphic id can point at, with its key's current value (worst first). */
  candidates?: PolymorphicCandidateValue[];
}

/** One candidate of a polymorphic pair (`belongs_to :x, polymorphic: true`), measured. */
export interface PolymorphicCandidateValue {
  model: string;
  database: string;
  table: string;
  column: string;
  dataType: IntType;
  unsigned: boolean;
  current: bigint | null;
  evidence: string;
}

/** A counter's growth and the migration rule's verdict (pk-capacity and fk-capacity, with `--history`). */
export interface KeyForecast {
  /** `ok`: a rate; `unknown`: fewer than 2 usable observations; `not-growing`: rate ≤ 0; `exhausted`: no ids left. */
  status: 'ok' | 'unknown' | 'not-growing' | 'exhausted';
  /** `shard/database/table.column` of the counter: the key itself, or for fk-capacity the referenced key. */
  counter: string;
  /** Usable observations in the window. */
  observations: number;
  windowDays: number;
  /** Growth in ids per day (Theil–Sen); null unless `ok`. */
  idsPerDay: number | null;
  /** Days until `current` reaches `max` at that rate; 0 when exhausted; null when unknown or not growing. */
  daysLeft: number | null;
  /** `YYYY-MM-DD` (UTC) of `daysLeft`. */
  date: string | null;
  /** The planner's estimate for widening the counter's group, in days; null when it has none. */
  migrationDays: { low: number; high: number } | null;
  /** `migrationDays.high × policy.safetyFactor + policy.leadDays`: critical below it, warning below twice it. */
  criticalBelowDays: number | null;
  /** The rule that set `severity`: `ratio` (thresholds) or `migration` (days left vs. the fix's time). */
  rule: 'ratio' | 'migration';
  /** What the forecast dropped or assumed (a bad reading, a one-time jump, a reset), for people. */
  notes: string[];
}

export interface Summary {
  shards: number;
  databases: number;
  tables: number;
  findings: Record<Severity, number>;
  errors: number;
  /** Per shard: databases matched vs. read, tables read (reports built by runChecks always have it). */
  coverage?: CoverageSummary[];
}

/** `--partition index/count`: which part of a split run a report or snapshot is (1-based). */
export interface PartOf {
  index: number;
  count: number;
}

export interface Report {
  version: 1;
  /** When the catalog was read: the scan's start, or the snapshot's takenAt. */
  takenAt?: string;
  /** Set when this is one part of a partitioned run: `merge` checks that every part is there once. */
  partition?: PartOf;
  summary: Summary;
  findings: Finding[];
  errors: ShardError[];
  /** With Rails models (`rails:`, `--rails`): what the models say that headroom could not measure, with file:line. */
  relationWarnings?: RelationWarning[];
}

/** Something a Rails app's models say that headroom cannot turn into a measured reference (docs/rails.md). */
export interface RelationWarning {
  /** Path relative to the app's root (`app/models/post.rb`). */
  file: string;
  line: number;
  /** The class or module it is about, when there is one. */
  model?: string;
  message: string;
  /** Set when the warning is about one shard's catalog (a model's table missing there). */
  shard?: string;
}

/** Byte-order string comparison: the same order on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
