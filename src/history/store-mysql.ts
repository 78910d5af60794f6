/**
 * The shared history store: one table on a MySQL/MariaDB server, for teams whose scans run on
 * different machines. Created if missing:
 *
 *   CREATE TABLE headroom_history (
 *     shard VARCHAR(128), db VARCHAR(64), tbl VARCHAR(64), col VARCHAR(64),
 *     observed_at DATETIME(3) (UTC), value DECIMAL(20,0),
 *     PRIMARY KEY (shard, db, tbl, col, observed_at), KEY (observed_at))
 *
 * This is the only write headroom does to a server, so it is guarded: the server must not be one
 * of the scanned shards (same host:port, or the same address after DNS) unless
 * `history.allowOnShard: true`. Shard sessions stay READ ONLY either way; this is a separate
 * connection.
 */
import { lookup } from 'node:dns/promises';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import type { ShardConfig } from '../config/types.js';
import { redactValues, redact, UsageError } from '../errors.js';
import type { MysqlTarget } from './config.js';
import type { Observation } from './observations.js';
import { MAX_POINTS } from '../forecast/forecast.js';
import type { HistoryStore } from './store.js';

const INSERT_BATCH = 1000;
const DELETE_BATCH = 10_000;

export function createTableSql(table: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${mysql.escapeId(table)} (\n` +
    '  shard VARCHAR(128) NOT NULL,\n' +
    '  db VARCHAR(64) NOT NULL,\n' +
    '  tbl VARCHAR(64) NOT NULL,\n' +
    '  col VARCHAR(64) NOT NULL,\n' +
    "  observed_at DATETIME(3) NOT NULL COMMENT 'UTC',\n" +
    "  value DECIMAL(20,0) NOT NULL COMMENT 'the counter: AUTO_INCREMENT - 1, or MAX(key)',\n" +
    '  PRIMARY KEY (shard, db, tbl, col, observed_at),\n' +
    '  KEY observed_at (observed_at)\n' +
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='headroom history: one row per key per scan (docs/history-and-forecast.md)'"
  );
}

export interface GuardOptions {
  allowOnShard: boolean;
  /** Resolve a host name to its addresses (DNS); injectable for tests. */
  resolve?: (host: string) => Promise<string[]>;
}

/**
 * Refuse a history server that is one of the scanned shards. Compares host:port, treating every
 * loopback spelling as one host, and the resolved addresses of both sides when DNS answers.
 */
export async function assertNotAShard(target: Pick<MysqlTarget, 'host' | 'port'>, shards: readonly Pick<ShardConfig, 'name' | 'host' | 'port' | 'socketPath'>[], options: GuardOptions): Promise<void> {
  if (options.allowOnShard) return;
  const resolve = options.resolve ?? resolveHost;
  const mine = await addresses(target.host, resolve);
  for (const s of shards) {
    if (s.socketPath || s.port !== target.port) continue;
    const theirs = await addresses(s.host, resolve);
    if ([...mine].some((a) => theirs.has(a))) {
      throw new UsageError(
        `history: refusing to write to ${target.host}:${target.port}: it is the scanned shard ${s.name} (${s.host}:${s.port}). ` +
          'Recording history is the only write headroom makes, and it does not make it on a production shard: the table would be ' +
          'replicated, backed up and restored with application data, and its writes would compete with the application\'s. ' +
          'Put history.url on a separate server, use a local directory (--history .headroom/history), or set history.allowOnShard: true to accept this.',
      );
    }
  }
}

async function resolveHost(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

const LOOPBACK = 'loopback';

async function addresses(host: string, resolve: (host: string) => Promise<string[]>): Promise<Set<string>> {
  const norm = (h: string) => {
    const x = h.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    return x === 'localhost' || x === '::1' || /^127\./.test(x) || x === '::ffff:127.0.0.1' ? LOOPBACK : x;
  };
  const out = new Set([norm(host)]);
  try {
    for (const a of await resolve(host.toLowerCase())) out.add(norm(a));
  } catch {
    /* not resolvable here: compare by name */
  }
  return out;
}

/** Connect, create the table if missing. Throws a UsageError naming the server, never the password. */
export async function openMysqlStore(target: MysqlTarget, timeoutSeconds = 30): Promise<MysqlStore> {
  const where = `${target.host}:${target.port}/${target.database}`;
  let conn: Connection;
  try {
    conn = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password.reveal(),
      database: target.database,
      connectTimeout: timeoutSeconds * 1000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
    });
  } catch (e) {
    throw new UsageError(`history ${where}: cannot connect: ${describe(e, target)}`);
  }
  conn.on('error', () => undefined);
  try {
    await conn.query("SET SESSION time_zone = '+00:00'");
    await conn.query(createTableSql(target.table));
  } catch (e) {
    await conn.end().catch(() => conn.destroy());
    throw new UsageError(`history ${where}: cannot create table ${target.table}: ${describe(e, target)} (the history user needs CREATE, INSERT, SELECT and DELETE on ${target.database})`);
  }
  return new MysqlStore(conn, target);
}

export class MysqlStore implements HistoryStore {
  constructor(
    private readonly conn: Connection,
    private readonly target: MysqlTarget,
  ) {}

  get description(): string {
    return `${this.target.host}:${this.target.port}/${this.target.database}.${this.target.table}`;
  }

  async append(observations: readonly Observation[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < observations.length; i += INSERT_BATCH) {
      const rows = observations.slice(i, i + INSERT_BATCH).map((o) => [o.shard, o.database, o.table, o.column, sqlTime(o.at), o.value.toString()]);
      // IGNORE: the same key at the same time twice (an import run twice) stays one row.
      const [res] = await this.run(() => this.conn.query(`INSERT IGNORE INTO ${mysql.escapeId(this.target.table)} (shard, db, tbl, col, observed_at, value) VALUES ?`, [rows]), 'write');
      written += (res as { affectedRows?: number }).affectedRows ?? 0;
    }
    return written;
  }

  async read(from: number, to: number, shards?: readonly string[]): Promise<Observation[]> {
    if (shards && shards.length === 0) return [];
    // At most MAX_POINTS rows per counter: the newest of each slice (store.ts sliceOf). A counter does not
    // go down, so MAX(value) is the slice's newest value (and a misread above it is dropped by the forecast).
    const width = Math.max(1, (to - from) / MAX_POINTS);
    const [rows] = await this.run(
      () =>
        this.conn.query(
          `SELECT shard, db, tbl, col, MAX(observed_at) AS observed_at, MAX(value) AS value FROM ${mysql.escapeId(this.target.table)} ` +
            `WHERE observed_at >= ? AND observed_at <= ?${shards ? ' AND shard IN (?)' : ''} ` +
            `GROUP BY shard, db, tbl, col, GREATEST(0, LEAST(${MAX_POINTS - 1}, FLOOR((UNIX_TIMESTAMP(observed_at) * 1000 - ?) / ?)))`,
          [sqlTime(from), sqlTime(to), ...(shards ? [shards] : []), from, width],
        ),
      'read',
    );
    return (rows as { shard: string; db: string; tbl: string; col: string; observed_at: string; value: string }[]).map((r) => ({
      shard: r.shard,
      database: r.db,
      table: r.tbl,
      column: r.col,
      at: Date.parse(`${r.observed_at.replace(' ', 'T')}Z`),
      value: BigInt(r.value),
    }));
  }

  async prune(before: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const [res] = await this.run(() => this.conn.query(`DELETE FROM ${mysql.escapeId(this.target.table)} WHERE observed_at < ? LIMIT ${DELETE_BATCH}`, [sqlTime(before)]), 'prune');
      const n = (res as { affectedRows?: number }).affectedRows ?? 0;
      removed += n;
      if (n < DELETE_BATCH) return removed;
    }
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => this.conn.destroy());
  }

  private async run<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new UsageError(`history ${this.description}: cannot ${what}: ${describe(e, this.target)}`);
    }
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, for a DATETIME(3) in a session at time_zone '+00:00'. */
function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function describe(e: unknown, target: MysqlTarget): string {
  const err = e as { message?: string; sqlMessage?: string };
  const msg = (err?.sqlMessage ?? err?.message ?? String(e)).split('\n')[0] ?? '';
  return redactValues(msg, [target.password.reveal()]);
}
