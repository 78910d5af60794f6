/**
 * Reads every shard of an inventory into a Snapshot. The only module that opens connections.
 *
 * - at most `shard.concurrency` connections per server, `inventory.shardConcurrency` servers at once;
 * - every session is READ ONLY with a statement timeout (see queries.sessionSetup);
 * - a shard that fails never stops the others: its error lands in `errors[]`.
 */
import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import picomatch from 'picomatch';
import { redact } from '../errors.js';
import type { CheckConfig, Inventory, ShardConfig } from '../config/types.js';
import { counterKnown, keyColumn, leadsIndex } from '../model/keys.js';
import type { Database, ServerInfo, ShardError, ShardSnapshot, Snapshot } from '../model/types.js';
import { referencedColumns, resolveRelationships } from '../relations/relationships.js';
import { applyMaxValues, normalizeCatalog } from './normalize.js';
import {
  detectFlavor,
  readDatabases,
  readForeignKeys,
  readIndexes,
  readIntegerColumns,
  readMaxValues,
  readServer,
  readServerVariables,
  readTables,
  readTriggers,
  sessionSetup,
  type Db,
  type InformationSchema,
  type MaxTarget,
} from './queries.js';

/** MAX() reads per statement (UNION ALL): one round trip for many index dives. */
const MAX_BATCH = 100;

export interface CollectProgress {
  shardsDone: number;
  shardsTotal: number;
  shard: string;
  ok: boolean;
}

export interface CollectOptions {
  /** Called after each shard finishes (for a progress line). */
  onProgress?: (p: CollectProgress) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

export async function collectSnapshot(inventory: Inventory, options: CollectOptions = {}): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const results: (ShardSnapshot | ShardError)[] = new Array(inventory.shards.length);
  let done = 0;
  await mapLimit(inventory.shards, inventory.shardConcurrency, async (shard, i) => {
    let result: ShardSnapshot | ShardError;
    try {
      result = await collectShard(shard, inventory);
    } catch (e) {
      result = { shard: shard.name, message: describeError(e, shard) };
    }
    results[i] = result;
    done++;
    options.onProgress?.({ shardsDone: done, shardsTotal: inventory.shards.length, shard: shard.name, ok: !('message' in result) });
  });
  const shards: ShardSnapshot[] = [];
  const errors: ShardError[] = [];
  for (const r of results) {
    if ('message' in r) errors.push(r);
    else shards.push(r);
  }
  return { version: 1, takenAt: now().toISOString(), shards, errors };
}

/** Read one server. Throws on any failure (the caller turns it into a ShardError). */
export async function collectShard(shard: ShardConfig, config: CheckConfig): Promise<ShardSnapshot> {
  const { db, pool } = openShard(shard);
  const deadlineMs = shard.timeoutSeconds * 1000 + 2000;
  try {
    const server = await withDeadline(readServer(db), deadlineMs, shard);
    const vars = await withDeadline(readServerVariables(db), deadlineMs, shard);
    const all = await withDeadline(readDatabases(db), deadlineMs, shard);
    const databases = selectDatabases(all, shard.databases, shard.exclude);
    if (databases.length === 0) {
      const what = shard.databases.length ? `databases: ${shard.databases.join(', ')}` : 'no database other than the system ones';
      throw new Error(`nothing to scan: ${shard.databases.length ? `no database matches ${what}` : `the server has ${what}`}` +
        (shard.exclude.length ? ` (exclude: ${shard.exclude.join(', ')})` : '') + ` — ${all.length} visible to this user`);
    }
    // Five catalog reads, each once for all matched databases, sharing the pool's connections.
    const [tables, columns, indexes, foreignKeys, triggers] = await Promise.all([
      withDeadline(readTables(db, databases), deadlineMs, shard),
      withDeadline(readIntegerColumns(db, databases), deadlineMs, shard),
      withDeadline(readIndexes(db, databases), deadlineMs, shard),
      withDeadline(readForeignKeys(db, databases), deadlineMs, shard),
      withDeadline(readTriggers(db, databases), deadlineMs, shard),
    ]);
    const dbs = normalizeCatalog({ tables, columns, indexes, foreignKeys, triggers }, databases);
    const info: ServerInfo = {
      flavor: detectFlavor(server),
      version: server.version,
      binlogFormat: vars.binlogFormat,
      binlogRowImage: vars.binlogRowImage,
      readOnly: onOff(vars.readOnly),
      logBin: onOff(vars.logBin),
    };
    if (server.versionComment) info.versionComment = server.versionComment;
    const snapshot: ShardSnapshot = { name: shard.name, server: info, databases: dbs };

    const targets = maxTargets(snapshot, config);
    const batches: MaxTarget[][] = [];
    for (let i = 0; i < targets.length; i += MAX_BATCH) batches.push(targets.slice(i, i + MAX_BATCH));
    await mapLimit(batches, shard.concurrency, async (batch) => {
      const rows = await withDeadline(readMaxValues(db, batch), deadlineMs, shard);
      applyMaxValues(dbs, batch, rows);
    });
    return snapshot;
  } finally {
    await closeQuietly(db, pool);
  }
}

/**
 * The columns whose current value needs a MAX() read: keys without a usable
 * counter (no AUTO_INCREMENT, or the counter reads NULL as on MySQL 8 for a
 * table not opened since restart), and referenced columns that are not their
 * table's counter. Only index-leading columns: MAX() on anything else is a full scan.
 */
export function maxTargets(shard: ShardSnapshot, config: CheckConfig): MaxTarget[] {
  const out: MaxTarget[] = [];
  const seen = new Set<string>();
  const push = (database: string, table: string, column: string) => {
    const k = `${database}\u0000${table}\u0000${column}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ database, table, column });
    }
  };
  const byName = new Map<string, Database>(shard.databases.map((d) => [d.name, d]));
  for (const d of shard.databases) {
    for (const t of d.tables) {
      const k = keyColumn(t);
      if (k && !counterKnown(t, k) && leadsIndex(t, k.name)) push(d.name, t.name, k.name);
    }
  }
  for (const r of referencedColumns(resolveRelationships(shard, config))) {
    const t = byName.get(r.database)?.tables.find((x) => x.name === r.table);
    if (!t) continue;
    const k = keyColumn(t);
    if (k && k.name === r.column && counterKnown(t, k)) continue;
    if (leadsIndex(t, r.column)) push(r.database, r.table, r.column);
  }
  return out;
}

export function selectDatabases(all: string[], include: string[], exclude: string[]): string[] {
  const inc = include.length ? picomatch(include) : () => true;
  const exc = exclude.length ? picomatch(exclude) : () => false;
  return all.filter((d) => inc(d) && !exc(d));
}

function openShard(shard: ShardConfig): { db: Db; pool: Pool } {
  const pool = createPool({
    host: shard.host,
    port: shard.port,
    ...(shard.socketPath ? { socketPath: shard.socketPath } : {}),
    user: shard.user,
    password: shard.password.reveal(),
    connectionLimit: shard.concurrency,
    maxIdle: shard.concurrency,
    connectTimeout: Math.min(shard.timeoutSeconds, 30) * 1000,
    // Without these, BIGINT values above 2^53 come back rounded.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
  });
  // A pool-level error (server gone) must not become an unhandled 'error' event.
  pool.on('error' as 'connection', () => undefined);
  const db = new Kysely<InformationSchema>({
    dialect: new MysqlDialect({
      pool,
      onCreateConnection: async (conn) => {
        const r = await conn.executeQuery<{ version: string; versionComment: string | null }>(
          CompiledQuery.raw('select @@version as version, @@version_comment as versionComment'),
        );
        const server = r.rows[0] ?? { version: '', versionComment: null };
        for (const stmt of sessionSetup(server, shard.timeoutSeconds)) await conn.executeQuery(CompiledQuery.raw(stmt));
      },
    }),
  });
  return { db, pool };
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

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number, shard: ShardConfig): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${shard.timeoutSeconds}s (timeoutSeconds)`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** One line, naming what failed, never the password. */
export function describeError(e: unknown, shard: ShardConfig): string {
  const err = e as { code?: string; errno?: number; message?: string; sqlMessage?: string };
  let msg = err?.sqlMessage ?? err?.message ?? String(e);
  if (err?.code === 'ER_STATEMENT_TIMEOUT' || /max_statement_time|maximum statement execution time/i.test(msg)) {
    msg = `a catalog read exceeded ${shard.timeoutSeconds}s (timeoutSeconds): ${msg}`;
  } else if (err?.code === 'ETIMEDOUT') {
    msg = `connect to ${shard.host}:${shard.port} timed out`;
  } else if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') {
    msg = `unknown host ${shard.host}`;
  }
  msg = msg.split('\n')[0] ?? msg;
  return redact(msg, [shard.password.reveal()]);
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function onOff(v: string | number | null): boolean | null {
  return v === null ? null : ['1', 'ON'].includes(String(v).toUpperCase());
}
