/**
 * The exact SQL and command lines a plan emits. Pure.
 * Every DDL states ALGORITHM= and LOCK= so a wrong assumption fails fast
 * (errors 1846 / "LOCK=NONE is not supported") instead of silently locking harder.
 */
import { createHash } from 'node:crypto';
import type { Column, ForeignKey } from '../model/types.js';
import type { GroupMember, Policy } from './types.js';

export interface Connection {
  host: string;
  port: number;
  user: string;
  socketPath?: string;
  /** The shard's replicas (inventory `replicas:`), for lag throttling. */
  replicas?: { host: string; port: number }[];
}

export function q(id: string): string {
  return '`' + id.replace(/`/g, '``') + '`';
}

export function qt(database: string, table: string): string {
  return `${q(database)}.${q(table)}`;
}

/** Quote for a POSIX shell: single quotes, with embedded ones closed and reopened. */
export function sh(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A SQL string literal (backslashes and quotes escaped): for names inside information_schema queries and COMMENTs. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The full new definition of a column: type, sign, NULL-ness, default, AUTO_INCREMENT, comment kept. */
export function columnDefinition(col: Column, target: GroupMember['target']): string {
  const parts = [target.dataType.toUpperCase()];
  if (target.unsigned) parts.push('UNSIGNED');
  if (target.unsigned && col.zerofill) parts.push('ZEROFILL');
  parts.push(col.nullable ? 'NULL' : 'NOT NULL');
  const def = integerDefault(col.default);
  if (def !== undefined) parts.push(`DEFAULT ${def}`);
  if (col.autoIncrement) parts.push('AUTO_INCREMENT');
  if (col.comment) parts.push(`COMMENT ${sqlString(col.comment)}`);
  return parts.join(' ');
}

/** COLUMN_DEFAULT → SQL. MariaDB prints `NULL` and quotes literals; MySQL prints the bare value. */
export function integerDefault(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const v = raw.replace(/^'(.*)'$/, '$1');
  if (v.toUpperCase() === 'NULL') return 'NULL';
  return /^-?\d+$/.test(v) ? v : undefined;
}

export function modifyClauses(changes: { column: Column; target: GroupMember['target'] }[]): string {
  return changes.map((c) => `MODIFY ${q(c.column.name)} ${columnDefinition(c.column, c.target)}`).join(', ');
}

export function lockWait(policy: Policy): string {
  return `SET SESSION lock_wait_timeout = ${policy.lockWaitTimeoutSeconds};`;
}

export function directAlterSql(database: string, table: string, clauses: string, policy: Policy): string[] {
  return [lockWait(policy), `ALTER TABLE ${qt(database, table)} ${clauses}, ALGORITHM=COPY, LOCK=SHARED;`];
}

export function dropForeignKeySql(database: string, table: string, fk: ForeignKey, policy: Policy): string[] {
  return [lockWait(policy), `ALTER TABLE ${qt(database, table)} DROP FOREIGN KEY ${q(fk.name)}, ALGORITHM=INPLACE, LOCK=NONE;`];
}

export function orphanCheckSql(database: string, table: string, fk: ForeignKey): string {
  const on = fk.columns.map((c, i) => `p.${q(fk.referencedColumns[i]!)} = c.${q(c)}`).join(' AND ');
  const notNull = fk.columns.map((c) => `c.${q(c)} IS NOT NULL`).join(' AND ');
  return (
    `SELECT COUNT(*) AS orphans FROM ${qt(database, table)} c LEFT JOIN ${qt(fk.referencedDatabase, fk.referencedTable)} p ON ${on} ` +
    `WHERE ${notNull} AND p.${q(fk.referencedColumns[0]!)} IS NULL;`
  );
}

/** `ADD CONSTRAINT name FOREIGN KEY (…) REFERENCES …` with the constraint's rules, named `name`. */
export function foreignKeyClause(fk: ForeignKey, name: string = fk.name): string {
  const rules = [fk.onDelete && fk.onDelete !== 'RESTRICT' ? `ON DELETE ${fk.onDelete}` : '', fk.onUpdate && fk.onUpdate !== 'RESTRICT' ? `ON UPDATE ${fk.onUpdate}` : '']
    .filter(Boolean)
    .join(' ');
  return (
    `ADD CONSTRAINT ${q(name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${qt(fk.referencedDatabase, fk.referencedTable)} (${fk.referencedColumns.map(q).join(', ')})${rules ? ` ${rules}` : ''}`
  );
}

export function addForeignKeySql(database: string, table: string, fk: ForeignKey, policy: Policy): string[] {
  return [
    // Re-adding without re-checking every row keeps it INPLACE and fast; the orphan check above stands in for it.
    'SET SESSION foreign_key_checks = 0;',
    lockWait(policy),
    `ALTER TABLE ${qt(database, table)} ${foreignKeyClause(fk)}, ALGORITHM=INPLACE, LOCK=NONE;`,
    'SET SESSION foreign_key_checks = 1;',
  ];
}

/**
 * A DSN value for pt-online-schema-change: its parser splits on commas not preceded by a
 * backslash, then turns `\\,` back into `,` (percona-toolkit 3.2.1 DSNParser); nothing else is special.
 */
export function dsnValue(v: string): string {
  return v.replace(/,/g, '\\,');
}

/** pt-online-schema-change: a dry run (creates and alters the new table, copies nothing), then the real run. */
export function ptOscCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy, parentFks: boolean): string[] {
  const dsn = [
    conn.socketPath ? `S=${dsnValue(conn.socketPath)}` : `h=${dsnValue(conn.host)},P=${conn.port}`,
    `u=${dsnValue(conn.user)}`,
    `D=${dsnValue(database)}`,
    `t=${dsnValue(table)}`,
  ].join(',');
  const base = [
    'pt-online-schema-change',
    `--alter ${sh(clauses)}`,
    '--max-load Threads_running=25',
    '--critical-load Threads_running=50',
    '--chunk-time 0.5',
    `--set-vars lock_wait_timeout=${policy.lockWaitTimeoutSeconds}`,
    ...(parentFks ? ['--alter-foreign-keys-method rebuild_constraints'] : []),
    sh(dsn),
  ];
  const line = base.join(' ');
  return [`${line} --dry-run`, `${line} --execute`];
}

/** Per server, database and table: runs against several shards from one host must not share a flag or socket. */
function ghostName(database: string, table: string, conn?: Connection): string {
  const server = conn ? `${conn.socketPath ?? `${conn.host}_${conn.port}`}`.replace(/[^A-Za-z0-9_.-]+/g, '_') + '.' : '';
  return `${server}${database}.${table}`;
}

export function ghostFlagFile(database: string, table: string, conn?: Connection): string {
  return `/tmp/ghost.postpone.${ghostName(database, table, conn)}.flag`;
}

export function ghostSocketFile(database: string, table: string, conn?: Connection): string {
  return `/tmp/gh-ost.${ghostName(database, table, conn)}.sock`;
}

/**
 * gh-ost: copy with a postponed cut-over; removing the flag file lets it swap. Password from --conf
 * (a my.cnf). Flags as defined in github/gh-ost go/cmd/gh-ost/main.go (v1.1.10).
 */
export function ghostCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy): string[] {
  const flag = ghostFlagFile(database, table, conn);
  const replicas = conn.replicas?.length ? conn.replicas.map((r) => `${r.host}:${r.port}`).join(',') : undefined;
  const run = [
    'gh-ost',
    `--host=${sh(conn.host)}`,
    `--port=${conn.port}`,
    `--user=${sh(conn.user)}`,
    '--conf=$HOME/.my.cnf',
    `--database=${sh(database)}`,
    `--table=${sh(table)}`,
    `--alter=${sh(clauses)}`,
    '--allow-on-master',
    // With --allow-on-master, --max-lag-millis sees only the primary's own heartbeat: the replicas
    // to throttle on must be named (inventory replicas:), or replica lag is not throttled at all.
    ...(replicas ? [`--throttle-control-replicas=${sh(replicas)}`] : []),
    '--max-load=Threads_running=25',
    '--critical-load=Threads_running=50',
    // One reading above --critical-load aborts unless a second one, this much later, confirms it.
    '--critical-load-interval-millis=1000',
    '--chunk-size=1000',
    '--max-lag-millis=1500',
    '--cut-over=atomic',
    `--cut-over-lock-timeout-seconds=${Math.min(policy.lockWaitTimeoutSeconds, 10)}`,
    `--postpone-cut-over-flag-file=${sh(flag)}`,
    `--serve-socket-file=${sh(ghostSocketFile(database, table, conn))}`,
    // Each gh-ost process must have its own server id when several run at once (doc/command-line-flags.md).
    `--replica-server-id=${replicaServerId(database, table)}`,
    '--verbose',
  ].join(' ');
  return [`touch ${sh(flag)}`, run, `${run} --execute`, `rm ${sh(flag)}    # when the copy is done and you are ready: gh-ost cuts over`];
}

/** Spirit's two command forms: `--table`/`--alter` up to v0.16.0, `--statement` after (block/spirit c15df3f0). */
export function spiritForm(policy: Policy): 'table-alter' | 'statement' {
  const v = policy.spirit.version;
  if (!v) return 'statement';
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major === 0 && minor <= 16 ? 'table-alter' : 'statement';
}

/**
 * Spirit migrate, flags as defined in block/spirit pkg/migration/migration.go (v0.16.0 for the
 * `--table`/`--alter` form, main e4b69b6e for `--statement`). The cut-over is released by dropping
 * `_spirit_sentinel` (v0.10.0 and later) on the same server.
 */
export function spiritCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy): string[] {
  const form = spiritForm(policy);
  const replica = conn.replicas?.[0];
  const change =
    form === 'statement'
      ? [`--statement=${sh(`ALTER TABLE ${q(table)} ${clauses}`)}`]
      : [`--table=${sh(table)}`, `--alter=${sh(clauses)}`, '--target-chunk-time=500ms'];
  return [
    [
      'spirit migrate',
      `--host=${sh(`${conn.host}:${conn.port}`)}`,
      `--username=${sh(conn.user)}`,
      '--password="$SPIRIT_PASSWORD"',
      `--database=${sh(database)}`,
      ...change,
      '--threads=4',
      `--lock-wait-timeout=${policy.lockWaitTimeoutSeconds}s`,
      // --replica-max-lag does nothing without --replica-dsn (a replica from the inventory).
      ...(replica ? [`--replica-dsn=${sh(`${conn.user}:$SPIRIT_PASSWORD@tcp(${replica.host}:${replica.port})/${database}`)}`, '--replica-max-lag=10s'] : []),
      '--defer-cutover',
    ].join(' '),
    `${mysqlClient(conn)} -e ${sh(`DROP TABLE IF EXISTS ${qt(database, '_spirit_sentinel')}`)}    # when ready: Spirit cuts over`,
  ];
}

/**
 * The stock client against the shard, as the migration user. No `-p`: the password comes from
 * ~/.my.cnf [client], as for the tools (with `-p` the client would ask even when that file has it,
 * and read piped SQL as the password).
 */
export function mysqlClient(conn: Connection): string {
  return `mysql ${conn.socketPath ? `-S ${sh(conn.socketPath)}` : `-h ${sh(conn.host)} -P ${conn.port}`} -u ${sh(conn.user)}`;
}

/**
 * The Online DDL id headroom chooses for a change (`ApplySchema --uuid`), so that the later commands
 * can name it: Vitess's form (go/vt/schema onlineDdlUUIDRegexp, `8_4_4_4_12` hex with underscores),
 * derived from the keyspace, table and change (the same plan gives the same id; Vitess treats a
 * resubmission of the same migration under its id as the same migration).
 */
export function onlineDdlUuid(keyspace: string, table: string, clauses: string): string {
  const h = createHash('sha256').update(`${keyspace}\u0000${table}\u0000${clauses}`).digest('hex');
  return `${h.slice(0, 8)}_${h.slice(8, 12)}_${h.slice(12, 16)}_${h.slice(16, 20)}_${h.slice(20, 32)}`;
}

/**
 * vtctldclient: submit with a postponed completion (returns at once), then complete when ready.
 * Flags as defined in vitessio/vitess go/cmd/vtctldclient/command/schema.go and onlineddl.go; the
 * root command refuses to run without `--server`.
 */
export function vitessCommands(keyspace: string, table: string, clauses: string, vtctld: { server: string; flags: string[] } = { server: '<vtctld host:port>', flags: [] }): string[] {
  const uuid = onlineDdlUuid(keyspace, table, clauses);
  const base = vtctldclient(vtctld);
  return [
    `${base} ApplySchema --ddl-strategy ${sh('vitess --postpone-completion')} --uuid ${uuid} --sql ${sh(`ALTER TABLE ${q(table)} ${clauses}`)} ${sh(keyspace)}`,
    `${base} OnlineDDL show ${sh(keyspace)} ${uuid}    # repeat until migration_status is ready_to_complete (or complete)`,
    `${base} OnlineDDL complete ${sh(keyspace)} ${uuid}    # when ready: cuts over on every shard`,
  ];
}

/** `vtctldclient --server host:port [flags]`: the root of every Vitess command. */
export function vtctldclient(vtctld: { server: string; flags: string[] }): string {
  return ['vtctldclient', '--server', sh(vtctld.server), ...vtctld.flags.map(sh)].join(' ');
}

/** A stable server id per table for gh-ost's replication client, away from gh-ost's default 99999. */
export function replicaServerId(database: string, table: string): number {
  return 100000 + (Number.parseInt(createHash('sha256').update(`${database}.${table}`).digest('hex').slice(0, 8), 16) % 2_000_000_000);
}
