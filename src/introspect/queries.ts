/**
 * Every statement headroom sends to a server is in this file.
 *
 * All of them are reads. Each catalog table is read ONCE per server for all
 * matched databases (never once per table): catalog scans over thousands of
 * schemas are what hurt production in mysqld_exporter#232/#261. Only the rows
 * and columns the checks need are selected.
 *
 * Raw rows keep the driver's types (strings for BIGINT because mysql2 runs with
 * `bigNumberStrings`); normalize.ts turns them into the model.
 */
import { sql, type Kysely } from 'kysely';
import { INT_TYPES } from '../model/integers.js';
import type { ServerFlavor } from '../model/types.js';

/** The columns of information_schema that headroom reads. Column names as the server spells them. */
export interface InformationSchema {
  'information_schema.SCHEMATA': { SCHEMA_NAME: string };
  'information_schema.TABLES': {
    TABLE_SCHEMA: string;
    TABLE_NAME: string;
    TABLE_TYPE: string;
    ENGINE: string | null;
    TABLE_ROWS: string | number | null;
    DATA_LENGTH: string | number | null;
    INDEX_LENGTH: string | number | null;
    AUTO_INCREMENT: string | number | null;
  };
  'information_schema.COLUMNS': {
    TABLE_SCHEMA: string;
    TABLE_NAME: string;
    COLUMN_NAME: string;
    ORDINAL_POSITION: number;
    DATA_TYPE: string;
    COLUMN_TYPE: string;
    IS_NULLABLE: string;
    EXTRA: string;
    COLUMN_DEFAULT: string | null;
    COLUMN_COMMENT: string;
  };
  'information_schema.STATISTICS': {
    TABLE_SCHEMA: string;
    TABLE_NAME: string;
    INDEX_NAME: string;
    NON_UNIQUE: number | string;
    SEQ_IN_INDEX: number;
    COLUMN_NAME: string;
  };
  'information_schema.KEY_COLUMN_USAGE': {
    CONSTRAINT_SCHEMA: string;
    CONSTRAINT_NAME: string;
    TABLE_SCHEMA: string;
    TABLE_NAME: string;
    COLUMN_NAME: string;
    ORDINAL_POSITION: number;
    REFERENCED_TABLE_SCHEMA: string | null;
    REFERENCED_TABLE_NAME: string | null;
    REFERENCED_COLUMN_NAME: string | null;
  };
  'information_schema.REFERENTIAL_CONSTRAINTS': {
    CONSTRAINT_SCHEMA: string;
    CONSTRAINT_NAME: string;
    TABLE_NAME: string;
    UPDATE_RULE: string;
    DELETE_RULE: string;
  };
  'information_schema.TRIGGERS': {
    EVENT_OBJECT_SCHEMA: string;
    EVENT_OBJECT_TABLE: string;
  };
}

export type Db = Kysely<InformationSchema>;

export interface RawServerRow {
  version: string;
  versionComment: string | null;
}

export interface RawServerVariablesRow {
  binlogFormat: string | null;
  binlogRowImage: string | null;
  readOnly: number | string | null;
  logBin: number | string | null;
}

export interface RawTableRow {
  db: string;
  tableName: string;
  engine: string | null;
  tableRows: string | number | null;
  dataLength: string | number | null;
  indexLength: string | number | null;
  autoIncrement: string | number | null;
}

export interface RawColumnRow {
  db: string;
  tableName: string;
  columnName: string;
  position: number | string;
  dataType: string;
  columnType: string;
  isNullable: string;
  extra: string;
  columnDefault: string | null;
  comment: string;
}

export interface RawIndexRow {
  db: string;
  tableName: string;
  indexName: string;
  nonUnique: number | string;
  seq: number | string;
  columnName: string;
}

export interface RawForeignKeyRow {
  db: string;
  tableName: string;
  constraintName: string;
  columnName: string;
  position: number | string;
  referencedDb: string;
  referencedTable: string;
  referencedColumn: string;
  updateRule: string | null;
  deleteRule: string | null;
}

export interface RawTriggerRow {
  db: string;
  tableName: string;
  triggers: number | string;
}

export interface RawMaxRow {
  i: number | string;
  v: string | null;
}

/** Databases that hold the server's own catalog: never scanned. */
export const SYSTEM_DATABASES = ['information_schema', 'performance_schema', 'mysql', 'sys'];

/**
 * Statements run once on every new connection, before any read.
 * Pure so that the MySQL 8 branch can be unit-tested without a MySQL 8 server.
 */
export function sessionSetup(server: RawServerRow, timeoutSeconds: number): string[] {
  const flavor = detectFlavor(server);
  const out = [
    // Refuses every write in this session (error 1792), whatever the grants.
    'SET SESSION TRANSACTION READ ONLY',
    // A catalog read or MAX() queued behind a metadata lock gives up instead of piling up.
    `SET SESSION lock_wait_timeout = ${timeoutSeconds}`,
  ];
  if (flavor === 'mariadb') {
    // MariaDB: seconds, applies to every statement (10.1+).
    out.push(`SET SESSION max_statement_time = ${timeoutSeconds}`);
  } else {
    const [major = 0, minor = 0, patch = 0] = server.version.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
    // MySQL: milliseconds, SELECT only (5.7.8+).
    if (major > 5 || (major === 5 && (minor > 7 || (minor === 7 && patch >= 8)))) {
      out.push(`SET SESSION max_execution_time = ${timeoutSeconds * 1000}`);
    }
    // MySQL 8.0.3+ caches TABLES.AUTO_INCREMENT and TABLE_ROWS for
    // information_schema_stats_expiry seconds (default 86400): up to a day stale.
    if (major > 8 || (major === 8 && (minor > 0 || patch >= 3))) out.push('SET SESSION information_schema_stats_expiry = 0');
  }
  return out;
}

export function detectFlavor(server: RawServerRow): ServerFlavor {
  const text = `${server.version} ${server.versionComment ?? ''}`.toLowerCase();
  return text.includes('mariadb') ? 'mariadb' : 'mysql';
}

export async function readServer(db: Db): Promise<RawServerRow> {
  const r = await sql<RawServerRow>`select @@version as version, @@version_comment as versionComment`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('the server returned no version');
  return row;
}

/** Settings the planner uses to pick a copy tool. Missing variables read as NULL. */
export async function readServerVariables(db: Db): Promise<RawServerVariablesRow> {
  const r = await sql<{ name: string; value: string | null }>`
    select VARIABLE_NAME as name, VARIABLE_VALUE as value
    from information_schema.GLOBAL_VARIABLES
    where VARIABLE_NAME in ('BINLOG_FORMAT', 'BINLOG_ROW_IMAGE', 'READ_ONLY', 'LOG_BIN')`
    .execute(db)
    .catch(() => ({ rows: [] as { name: string; value: string | null }[] }));
  const get = (n: string) => r.rows.find((x) => x.name.toUpperCase() === n)?.value ?? null;
  return { binlogFormat: get('BINLOG_FORMAT'), binlogRowImage: get('BINLOG_ROW_IMAGE'), readOnly: get('READ_ONLY'), logBin: get('LOG_BIN') };
}

/** What `SHOW DATABASES` would list, without the system ones. */
export async function readDatabases(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('information_schema.SCHEMATA')
    .select('SCHEMA_NAME as name')
    .where('SCHEMA_NAME', 'not in', SYSTEM_DATABASES)
    .orderBy('SCHEMA_NAME')
    .execute();
  return rows.map((r) => r.name);
}

/**
 * The catalog reads, as query builders: `read*` runs one and returns objects; collect.ts compiles
 * them and streams the rows as arrays (mysql2 `rowsAsArray`) into normalize.ts's CatalogBuilder,
 * which reads them by position: keep each select list in the order of its `*Tuple` type there
 * (a unit test compares them).
 */
export function tablesQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.TABLES')
    .select([
      'TABLE_SCHEMA as db',
      'TABLE_NAME as tableName',
      'ENGINE as engine',
      'TABLE_ROWS as tableRows',
      'DATA_LENGTH as dataLength',
      'INDEX_LENGTH as indexLength',
      'AUTO_INCREMENT as autoIncrement',
    ])
    .where('TABLE_SCHEMA', 'in', databases)
    // MariaDB reports system-versioned tables as their own type; they have keys like any other.
    .where('TABLE_TYPE', 'in', ['BASE TABLE', 'SYSTEM VERSIONED']);
}

/** Integer columns only: `WHERE DATA_TYPE IN (...)` keeps the rows to the ones that matter. */
export function integerColumnsQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.COLUMNS')
    .select([
      'TABLE_SCHEMA as db',
      'TABLE_NAME as tableName',
      'COLUMN_NAME as columnName',
      'ORDINAL_POSITION as position',
      'DATA_TYPE as dataType',
      'COLUMN_TYPE as columnType',
      'IS_NULLABLE as isNullable',
      'EXTRA as extra',
      'COLUMN_DEFAULT as columnDefault',
      'COLUMN_COMMENT as comment',
    ])
    .where('TABLE_SCHEMA', 'in', databases)
    .where('DATA_TYPE', 'in', [...INT_TYPES]);
}

/** Index structure: which key is primary or unique, and which columns lead an index (cheap MAX()). */
export function indexesQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.STATISTICS')
    .select([
      'TABLE_SCHEMA as db',
      'TABLE_NAME as tableName',
      'INDEX_NAME as indexName',
      'NON_UNIQUE as nonUnique',
      'SEQ_IN_INDEX as seq',
      'COLUMN_NAME as columnName',
    ])
    .where('TABLE_SCHEMA', 'in', databases);
}

/**
 * Declared foreign keys of the matched databases (the referenced side may be in any database):
 * two statements, joined in code. The server cannot join these two information_schema views by
 * index, and the LEFT JOIN opened every table twice (measured: 1.59 s vs 0.26 s + 0.20 s at
 * 7,500 tables; bench/RESULTS.md). Each of these opens every table of the matched databases once.
 */
export function foreignKeysQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.KEY_COLUMN_USAGE')
    .select([
      'TABLE_SCHEMA as db',
      'TABLE_NAME as tableName',
      'CONSTRAINT_NAME as constraintName',
      'COLUMN_NAME as columnName',
      'ORDINAL_POSITION as position',
      'REFERENCED_TABLE_SCHEMA as referencedDb',
      'REFERENCED_TABLE_NAME as referencedTable',
      'REFERENCED_COLUMN_NAME as referencedColumn',
    ])
    .where('TABLE_SCHEMA', 'in', databases)
    .where('REFERENCED_TABLE_NAME', 'is not', null);
}

/** ON UPDATE / ON DELETE of the constraints foreignKeysQuery reads. */
export function foreignKeyRulesQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.REFERENTIAL_CONSTRAINTS')
    .select(['CONSTRAINT_SCHEMA as db', 'TABLE_NAME as tableName', 'CONSTRAINT_NAME as constraintName', 'UPDATE_RULE as updateRule', 'DELETE_RULE as deleteRule'])
    .where('CONSTRAINT_SCHEMA', 'in', databases);
}

/** Trigger count per table (pt-online-schema-change refuses tables that have triggers). */
export function triggersQuery(db: Db, databases: string[]) {
  return db
    .selectFrom('information_schema.TRIGGERS')
    .select(['EVENT_OBJECT_SCHEMA as db', 'EVENT_OBJECT_TABLE as tableName', (eb) => eb.fn.countAll<number>().as('triggers')])
    .where('EVENT_OBJECT_SCHEMA', 'in', databases)
    .groupBy(['EVENT_OBJECT_SCHEMA', 'EVENT_OBJECT_TABLE']);
}

export async function readTables(db: Db, databases: string[]): Promise<RawTableRow[]> {
  return databases.length === 0 ? [] : tablesQuery(db, databases).execute();
}

export async function readIntegerColumns(db: Db, databases: string[]): Promise<RawColumnRow[]> {
  return databases.length === 0 ? [] : integerColumnsQuery(db, databases).execute();
}

export async function readIndexes(db: Db, databases: string[]): Promise<RawIndexRow[]> {
  return databases.length === 0 ? [] : indexesQuery(db, databases).execute();
}

export async function readForeignKeys(db: Db, databases: string[]): Promise<RawForeignKeyRow[]> {
  if (databases.length === 0) return [];
  const [keys, rules] = await Promise.all([foreignKeysQuery(db, databases).execute(), foreignKeyRulesQuery(db, databases).execute()]);
  return attachForeignKeyRules(keys as Omit<RawForeignKeyRow, 'updateRule' | 'deleteRule'>[], rules);
}

/** KEY_COLUMN_USAGE rows + their REFERENTIAL_CONSTRAINTS rules (ON UPDATE / ON DELETE). Pure. */
export function attachForeignKeyRules(
  keys: Omit<RawForeignKeyRow, 'updateRule' | 'deleteRule'>[],
  rules: { db: string; tableName: string; constraintName: string; updateRule: string; deleteRule: string }[],
): RawForeignKeyRow[] {
  const byName = new Map(rules.map((r) => [`${r.db}\u0000${r.tableName}\u0000${r.constraintName}`, r]));
  return keys.map((k) => {
    const r = byName.get(`${k.db}\u0000${k.tableName}\u0000${k.constraintName}`);
    return { ...k, updateRule: r?.updateRule ?? null, deleteRule: r?.deleteRule ?? null };
  });
}

export async function readTriggers(db: Db, databases: string[]): Promise<RawTriggerRow[]> {
  return databases.length === 0 ? [] : triggersQuery(db, databases).execute();
}

export interface RawSequenceRow {
  id: string | null;
  nextId: string | null;
  cache: string | null;
}

/** A Vitess sequence table's row(s): `next_id` is the next id to hand out, `cache` the block size. */
export async function readSequenceRows(db: Db, database: string, table: string): Promise<RawSequenceRow[]> {
  const r = await sql<RawSequenceRow>`select cast(id as char) as id, cast(next_id as char) as nextId, cast(cache as char) as cache from ${sql.id(database, table)} limit 10`.execute(db);
  return r.rows;
}

export interface MaxTarget {
  database: string;
  table: string;
  column: string;
}

/**
 * `MAX(col)` for several index-leading columns in one round trip (one index dive each).
 * Callers only pass columns that lead an index: on an unindexed column MAX() is a full scan.
 * Returned as CHAR so that BIGINT UNSIGNED values arrive exact.
 */
export async function readMaxValues(db: Db, targets: MaxTarget[]): Promise<RawMaxRow[]> {
  if (targets.length === 0) return [];
  const parts = targets.map(
    (t, i) => sql`select ${sql.lit(i)} as i, cast(max(${sql.id(t.column)}) as char) as v from ${sql.id(t.database, t.table)}`,
  );
  const r = await sql<RawMaxRow>`${sql.join(parts, sql` union all `)}`.execute(db);
  return r.rows;
}

// ---------------------------------------------------------------------------------------------
// The session itself: who it is, what it may read, how it is encrypted (coverage and `headroom doctor`).

export interface RawSessionRow {
  currentUser: string;
  /** MariaDB: the active role or NULL; MySQL 8: `NONE` or a list of `role`@`host`. */
  currentRole: string | null;
}

/** CURRENT_USER() (the account the server matched, e.g. `headroom@%`) and the active role(s). */
export async function readSession(db: Db): Promise<RawSessionRow> {
  const r = await sql<RawSessionRow>`select current_user() as currentUser, current_role() as currentRole`
    .execute(db)
    .catch(() => sql<RawSessionRow>`select current_user() as currentUser, null as currentRole`.execute(db));
  const row = r.rows[0];
  if (!row) throw new Error('the server did not say who this session is');
  return row;
}

/**
 * `SHOW GRANTS`: the session's own grants (always allowed). MariaDB includes the active role's
 * grants; MySQL 8 expands active roles only with `USING`, so pass them (from CURRENT_ROLE()).
 */
export async function readGrants(db: Db, mysqlRoles: string[] = []): Promise<string[]> {
  const stmt = mysqlRoles.length
    ? sql`show grants for current_user() using ${sql.raw(mysqlRoles.join(', '))}`
    : sql`show grants`;
  const r = await stmt.execute(db);
  return (r.rows as Record<string, string>[]).map((row) => String(Object.values(row)[0] ?? ''));
}

/** `SHOW DATABASES`, without the system ones: what the session can see (all of them only with SHOW DATABASES or a global privilege). */
export async function showDatabases(db: Db): Promise<string[]> {
  const r = await sql<Record<string, string>>`show databases`.execute(db);
  return r.rows.map((row) => String(Object.values(row)[0])).filter((d) => !SYSTEM_DATABASES.includes(d)).sort();
}

export interface RawTlsStatus {
  /** `TLSv1.3`, or '' on a plain connection. */
  version: string;
  cipher: string;
  /** @@have_ssl: YES, DISABLED, NO, or null when the server has no such variable. */
  haveSsl: string | null;
}

/** `SHOW SESSION STATUS LIKE 'Ssl_%'` (this connection's TLS) and whether the server offers TLS at all. */
export async function readTlsStatus(db: Db): Promise<RawTlsStatus> {
  const r = await sql<{ Variable_name: string; Value: string }>`show session status like 'Ssl_%'`.execute(db);
  const get = (n: string) => r.rows.find((x) => x.Variable_name.toLowerCase() === n)?.Value ?? '';
  const v = await sql<{ Variable_name: string; Value: string }>`show global variables like 'have_ssl'`.execute(db).catch(() => ({ rows: [] }));
  return { version: get('ssl_version'), cipher: get('ssl_cipher'), haveSsl: v.rows[0]?.Value ?? null };
}

/** `plan --exact-rows`: an exact row count (a full scan of the table's smallest index: slow on big tables). */
export async function readRowCount(db: Db, database: string, table: string): Promise<string> {
  const r = await sql<{ n: string | number }>`select cast(count(*) as char) as n from ${sql.id(database, table)}`.execute(db);
  return String(r.rows[0]?.n ?? '0');
}
