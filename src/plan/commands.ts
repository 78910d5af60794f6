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

function sqlString(s: string): string {
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

/** pt-online-schema-change: a dry run (creates and alters the new table, copies nothing), then the real run. */
export function ptOscCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy, parentFks: boolean): string[] {
  const dsn = [conn.socketPath ? `S=${conn.socketPath}` : `h=${conn.host},P=${conn.port}`, `u=${conn.user}`, `D=${database}`, `t=${table}`].join(',');
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

/** gh-ost: copy with a postponed cut-over; removing the flag file lets it swap. Password from --conf (a my.cnf). */
export function ghostCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy): string[] {
  const flag = ghostFlagFile(database, table, conn);
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
    '--max-load=Threads_running=25',
    '--critical-load=Threads_running=50',
    '--chunk-size=1000',
    '--max-lag-millis=1500',
    '--cut-over=default',
    `--cut-over-lock-timeout-seconds=${Math.min(policy.lockWaitTimeoutSeconds, 10)}`,
    `--postpone-cut-over-flag-file=${sh(flag)}`,
    `--serve-socket-file=${sh(ghostSocketFile(database, table, conn))}`,
    // Each gh-ost process must have its own server id when several run at once (doc/command-line-flags.md).
    `--replica-server-id=${replicaServerId(database, table)}`,
    '--verbose',
  ].join(' ');
  return [`touch ${sh(flag)}`, run, `${run} --execute`, `rm ${sh(flag)}    # when the copy is done and you are ready: gh-ost cuts over`];
}

export function spiritCommands(conn: Connection, database: string, table: string, clauses: string, policy: Policy): string[] {
  return [
    [
      'spirit migrate',
      `--host=${sh(`${conn.host}:${conn.port}`)}`,
      `--username=${sh(conn.user)}`,
      '--password="$SPIRIT_PASSWORD"',
      `--database=${sh(database)}`,
      `--table=${sh(table)}`,
      `--alter=${sh(clauses)}`,
      '--threads=4',
      '--target-chunk-time=500ms',
      `--lock-wait-timeout=${policy.lockWaitTimeoutSeconds}s`,
      '--replica-max-lag=10s',
      '--defer-cutover',
    ].join(' '),
    // Current Spirit names its sentinel _spirit_sentinel; releases before 2024 used _<table>_sentinel.
    `mysql -e ${sh(`DROP TABLE IF EXISTS ${qt(database, '_spirit_sentinel')}, ${qt(database, `_${table}_sentinel`)}`)}    # when ready: Spirit cuts over`,
  ];
}

export function vitessCommands(keyspace: string, table: string, clauses: string): string[] {
  return [
    `vtctldclient ApplySchema --ddl-strategy "vitess --postpone-completion" --sql ${sh(`ALTER TABLE ${q(table)} ${clauses}`)} ${sh(keyspace)}`,
    `vtctldclient OnlineDDL complete ${sh(keyspace)} <uuid printed above>    # when ready`,
  ];
}

/** A stable server id per table for gh-ost's replication client, away from gh-ost's default 99999. */
export function replicaServerId(database: string, table: string): number {
  return 100000 + (Number.parseInt(createHash('sha256').update(`${database}.${table}`).digest('hex').slice(0, 8), 16) % 2_000_000_000);
}
