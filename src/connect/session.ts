/**
 * Opening read-only sessions to one server, and saying in one line why it failed.
 *
 * Every session: the password resolved (literal, file, command or option file), TLS as
 * configured, READ ONLY with a statement timeout (queries.sessionSetup), bounded by
 * `concurrency` connections.
 */
import { Kysely, MysqlDialect, type MysqlPoolConnection } from 'kysely';
import { createPool, type ConnectionOptions, type Pool, type PoolConnection } from 'mysql2';
import type { ShardConfig } from '../config/types.js';
import { redact, redactValues } from '../errors.js';
import { sessionSetup, type Db, type InformationSchema } from '../introspect/queries.js';
import { CredentialError, Credentials } from './credentials.js';
import { explainTlsError, ipIdentityStream, mysqlSsl } from './tls.js';

/** An error with what headroom was doing when it happened ("reading the catalog"). */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly stage: string,
    override readonly cause: unknown,
  ) {
    super(`${stage}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** No answer from the client's side of the wire within the deadline. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

export interface Session {
  db: Db;
  pool: Pool;
  /**
   * Run one read and hand each row to `onRow` as it arrives, as an array in select-list order
   * (mysql2 `rowsAsArray`): nothing is buffered, so a catalog of 100k tables is never held as
   * raw rows. Runs on a pool connection set up exactly as the kysely ones (READ ONLY, timeouts).
   * `onRow` may throw: the first error rejects the read once the server has finished sending.
   */
  stream(query: { sql: string; parameters: readonly unknown[] }, onRow: (row: unknown[]) => void): Promise<void>;
  /** The password that was used (so errors can be scrubbed of it). */
  secrets: string[];
  close(): Promise<void>;
}

/**
 * mysql2 connection options for a shard: host or socket, user, the resolved password, TLS.
 * For code that needs its own connection (not a pool); never log the result.
 */
export async function connectionOptions(shard: ShardConfig, credentials = new Credentials()): Promise<ConnectionOptions> {
  const password = (await credentials.password(shard)).reveal();
  const stream = ipIdentityStream(shard);
  return {
    host: shard.host,
    port: shard.port,
    ...(shard.socketPath ? { socketPath: shard.socketPath } : {}),
    user: shard.user,
    password,
    ...(shard.ssl ? { ssl: mysqlSsl(shard.ssl) as ConnectionOptions['ssl'] } : {}),
    ...(stream ? { stream } : {}),
    connectTimeout: Math.min(shard.timeoutSeconds, 30) * 1000,
    // Without these, BIGINT values above 2^53 come back rounded.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
    // Only text queries are sent: mysql2's per-connection cache of prepared statements (an LRU
    // of 16,000 slots allocated up front, ~0.5 MB per connection) would hold nothing.
    maxPreparedStatements: 1,
  };
}

/** A pool of at most `shard.concurrency` read-only sessions. Nothing connects until the first query. */
/**
 * `--verbose`: every statement headroom sends, as sent (`?` placeholders and their values), on the
 * given writer, prefixed with the shard's name. Statements never hold a secret (passwords go in the
 * handshake, never in SQL); the text is put through redact() all the same.
 */
let statementLog: ((line: string) => void) | undefined;
export function setStatementLog(log: ((line: string) => void) | undefined): void {
  statementLog = log;
}

function logStatement(shard: ShardConfig, sqlText: string, parameters: readonly unknown[], secrets: readonly string[]): void {
  if (!statementLog) return;
  const params = parameters.length ? `  -- ${JSON.stringify(parameters.map((p) => (typeof p === 'bigint' ? p.toString() : p)))}` : '';
  statementLog(redact(`[${shard.name}] ${sqlText.replace(/\s+/g, ' ').trim()};${params}`, secrets));
}

export async function openSession(shard: ShardConfig, credentials = new Credentials()): Promise<Session> {
  let options: ConnectionOptions;
  try {
    options = await connectionOptions(shard, credentials);
  } catch (e) {
    throw new StageError('getting the password', e);
  }
  const pool = createPool({ ...options, connectionLimit: shard.concurrency, maxIdle: shard.concurrency });
  // A pool-level error (server gone) must not become an unhandled 'error' event.
  pool.on('error' as 'connection', () => undefined);
  // Every connection, whoever takes it from the pool (kysely, or `stream` below), is set up once
  // before its first use: READ ONLY, lock and statement timeouts (queries.sessionSetup).
  const ready = new WeakSet<PoolConnection>();
  const prepare = async (conn: PoolConnection) => {
    if (ready.has(conn)) return;
    const rows = (await rawQuery(conn, 'select @@version as version, @@version_comment as versionComment')) as { version: string; versionComment: string | null }[];
    const server = rows[0] ?? { version: '', versionComment: null };
    for (const stmt of sessionSetup(server, shard.timeoutSeconds)) {
      logStatement(shard, stmt, [], [options.password ?? '']);
      await rawQuery(conn, stmt);
    }
    ready.add(conn);
  };
  const acquire = () =>
    new Promise<PoolConnection>((resolve, reject) =>
      pool.getConnection((e, conn) => {
        if (e) return reject(e);
        prepare(conn).then(
          () => resolve(conn),
          (err: unknown) => {
            conn.destroy();
            reject(err);
          },
        );
      }),
    );
  const db = new Kysely<InformationSchema>({
    ...(statementLog ? { log: (event: { query: { sql: string; parameters: readonly unknown[] } }) => logStatement(shard, event.query.sql, event.query.parameters, [options.password ?? '']) } : {}),
    dialect: new MysqlDialect({
      pool: {
        getConnection: (callback) => void acquire().then((conn) => callback(null, conn as unknown as MysqlPoolConnection), (e: unknown) => callback(e, undefined as unknown as MysqlPoolConnection)),
        end: (callback) => pool.end(callback),
      },
    }),
  });
  const secrets = [options.password ?? ''];
  const stream: Session['stream'] = async (query, onRow) => {
    logStatement(shard, query.sql, query.parameters, secrets);
    const conn = await acquire();
    let broken = false;
    try {
      await new Promise<void>((resolve, reject) => {
        let failed: unknown;
        conn
          .query({ sql: query.sql, values: query.parameters as unknown[], rowsAsArray: true })
          .on('result', (row) => {
            if (failed !== undefined) return;
            try {
              onRow(row as unknown as unknown[]);
            } catch (e) {
              failed = e;
            }
          })
          .on('error', (e) => {
            broken = Boolean((e as { fatal?: boolean }).fatal);
            reject(e);
          })
          .on('end', () => (failed === undefined ? resolve() : reject(failed)));
      });
    } catch (e) {
      broken ||= Boolean((e as { fatal?: boolean })?.fatal);
      throw e;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  };
  return { db, pool, stream, secrets, close: () => closeQuietly(db, pool) };
}

function rawQuery(conn: PoolConnection, text: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => conn.query(text, (e, rows) => (e ? reject(e) : resolve(rows as unknown[]))));
}

async function closeQuietly(db: Db, pool: Pool): Promise<void> {
  const t = setTimeout(() => {
    // A server that stopped answering: do not wait for a polite goodbye.
    try {
      (pool as unknown as { _allConnections?: { toArray?: () => { destroy: () => void }[] } })._allConnections?.toArray?.().forEach((c) => c.destroy());
    } catch {
      /* already gone */
    }
  }, 2000);
  try {
    await db.destroy();
  } catch {
    /* the shard's error, if any, is already recorded */
  } finally {
    clearTimeout(t);
  }
}

/** Run `work` as `stage`, failing if no answer comes within the shard's timeout (+2 s for the server's own timeout to fire first). */
export async function step<T>(shard: ShardConfig, stage: string, work: () => Promise<T>): Promise<T> {
  const ms = shard.timeoutSeconds * 1000 + 2000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${shard.timeoutSeconds}s (timeoutSeconds)`)), ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } catch (e) {
    throw e instanceof StageError ? e : new StageError(stage, e);
  } finally {
    clearTimeout(timer);
  }
}

const TIMEOUT_CODES = new Set(['ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT', 'ER_QUERY_INTERRUPTED']);
const GONE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ECONNABORTED']);

/** Access-denied errors that mean "this object is off limits", as opposed to "cannot log in". */
export function isPrivilegeError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_COLUMNACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR';
}

/**
 * One line, naming what failed and what to do, never the password. (The caller puts the shard's
 * name next to it.)
 */
export function describeError(e: unknown, shard: ShardConfig, secrets: readonly string[] = []): string {
  let stage: string | undefined;
  let err: unknown = e;
  while (err instanceof StageError) {
    stage ??= err.stage;
    err = err.cause;
  }
  const x = (err ?? {}) as { code?: string; errno?: number; message?: string; sqlMessage?: string };
  const firstLine = (s: string) => s.split('\n')[0] ?? s;
  const secretsAll = [shard.password.reveal(), ...secrets];
  // Secrets are taken out of what the server or driver said, before headroom's own words go around it.
  const raw = redactValues(firstLine(x.sqlMessage ?? x.message ?? String(err)), secretsAll);
  const where = shard.socketPath ? `socket ${shard.socketPath}` : `${shard.host}:${shard.port}`;
  const t = shard.timeoutSeconds;
  let msg: string;
  const tls = err instanceof CredentialError ? undefined : explainTlsError(err, shard);
  if (err instanceof CredentialError) {
    msg = redact(err.message, secretsAll);
  } else if (tls) {
    msg = tls;
  } else if (x.code === 'ER_ACCESS_DENIED_ERROR' || x.errno === 1045) {
    msg = `authentication failed: ${raw}`;
    if (shard.passwordFrom) msg += ` (the password came from ${shard.passwordFrom})`;
    // MariaDB and MySQL answer an account that REQUIRE SSL/X509 reached without TLS with the same error.
    if (!shard.ssl && !shard.socketPath) msg += ' — a wrong user or password, or an account that requires TLS (REQUIRE SSL): then set ssl for this shard';
  } else if (x.code === 'ER_CON_COUNT_ERROR' || x.errno === 1040) {
    msg = `the server refused the connection: ${raw} (max_connections is reached: retry later, or ask for a connection slot)`;
  } else if (x.code === 'ER_USER_LIMIT_REACHED' || x.code === 'ER_TOO_MANY_USER_CONNECTIONS' || x.errno === 1226 || x.errno === 1203) {
    msg = `the server refused the connection: ${raw} (lower concurrency for this shard)`;
  } else if (x.code === 'ECONNREFUSED') {
    msg = `connect ECONNREFUSED ${where}: nothing accepts connections there (is the server up, the port or socket right?)`;
  } else if (x.code === 'ENOENT' && shard.socketPath) {
    msg = `no socket at ${shard.socketPath} (is the server running on this machine, and is that its socket?)`;
  } else if (x.code === 'EACCES' && shard.socketPath) {
    msg = `permission denied on socket ${shard.socketPath}`;
  } else if (x.code === 'ENOTFOUND' || x.code === 'EAI_AGAIN' || x.code === 'EAI_NONAME' || x.code === 'EAI_FAIL') {
    msg = `unknown host ${shard.host}: the name does not resolve (${x.code})`;
  } else if (x.code === 'ETIMEDOUT' || x.code === 'EHOSTUNREACH' || x.code === 'ENETUNREACH') {
    msg = x.code === 'ETIMEDOUT' ? `connect to ${where} timed out after ${Math.min(t, 30)}s` : `cannot reach ${where} (${x.code})`;
  } else if (err instanceof DeadlineError || TIMEOUT_CODES.has(x.code ?? '') || x.errno === 1969 || x.errno === 3024 || /max_statement_time|maximum statement execution time/i.test(raw)) {
    msg = `${stage ?? 'a statement'} took longer than ${t}s (timeoutSeconds): ${raw}`;
    stage = undefined;
  } else if (x.code === 'ER_LOCK_WAIT_TIMEOUT' || x.errno === 1205) {
    msg = `${stage ?? 'a statement'} waited longer than ${t}s (timeoutSeconds) for a lock another session holds: ${raw}`;
    stage = undefined;
  } else if (GONE_CODES.has(x.code ?? '')) {
    msg = `the connection to ${where} was lost${stage ? ` while ${stage}` : ''} (${x.code}): the server stopped, restarted or closed the connection`;
    stage = undefined;
  } else {
    msg = raw;
  }
  if (stage && !['getting the password', 'connecting'].includes(stage)) msg = `${stage}: ${msg}`;
  // URLs with a password in them (mysql://u:p@h) are masked wherever they appear.
  return redact(msg);
}
