/**
 * Where a scan's wall time goes, phase by phase: the same calls collect.ts makes (queries.ts
 * builders, normalizeCatalog, maxTargets, readMaxValues, runChecks, formatJson), with the same
 * pool settings, timed one by one in this process. Servers in parallel as headroom reads them.
 *
 * Not the product's code path (collectShard keeps its pool private), but the same functions
 * in the same order: good enough to say which phase holds the time.
 */
import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { runChecks } from '../src/checks/run.js';
import type { Inventory, ShardConfig } from '../src/config/types.js';
import { maxTargets, selectDatabases } from '../src/introspect/collect.js';
import { applyMaxValues, normalizeCatalog } from '../src/introspect/normalize.js';
import * as Q from '../src/introspect/queries.js';
import type { ShardSnapshot } from '../src/model/types.js';
import { formatJson } from '../src/report/json.js';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap in use after a full collection, MB. */
function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export interface PhaseTimes {
  /** phase → seconds, per server (wall from the phase's start to its end on that server). */
  perServer: Record<string, number>[];
  /** Whole-fleet phases (after every server is read). */
  fleet: Record<string, number>;
  wall: number;
  rows: Record<string, number>;
  /** Retained heap (MB, after GC) held by each stage's result. */
  memory: Record<string, number>;
}

const now = () => performance.now() / 1000;

function open(shard: ShardConfig) {
  const pool = createPool({
    host: shard.host,
    port: shard.port,
    user: shard.user,
    password: shard.password.reveal(),
    connectionLimit: shard.concurrency,
    maxIdle: shard.concurrency,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
  });
  const db = new Kysely<Q.InformationSchema>({
    dialect: new MysqlDialect({
      pool,
      onCreateConnection: async (conn) => {
        const r = await conn.executeQuery<{ version: string; versionComment: string | null }>(
          CompiledQuery.raw('select @@version as version, @@version_comment as versionComment'),
        );
        const server = r.rows[0] ?? { version: '', versionComment: null };
        for (const stmt of Q.sessionSetup(server, shard.timeoutSeconds)) await conn.executeQuery(CompiledQuery.raw(stmt));
      },
    }),
  });
  return db;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function phaseBreakdown(inventory: Inventory, maxBatch: number): Promise<PhaseTimes> {
  const memory: Record<string, number> = {};
  const base = heapMb();
  let rawHeld: unknown[] | undefined;
  const t0 = now();
  const rows: Record<string, number> = {};
  const count = (k: string, n: number) => (rows[k] = (rows[k] ?? 0) + n);
  const perServer = await Promise.all(
    inventory.shards.map(async (shard) => {
      const p: Record<string, number> = {};
      const db = open(shard);
      try {
        let t = now();
        const server = await Q.readServer(db);
        await Q.readServerVariables(db);
        const all = await Q.readDatabases(db);
        const databases = selectDatabases(all, shard.databases, shard.exclude);
        p['connect + discovery'] = now() - t;
        t = now();
        const timed = async <R>(name: string, f: Promise<R[]>): Promise<R[]> => {
          const r = await f;
          p[name] = now() - t;
          count(name, r.length);
          return r;
        };
        const [tables, columns, indexes, foreignKeys, triggers] = await Promise.all([
          timed('TABLES', Q.readTables(db, databases)),
          timed('COLUMNS', Q.readIntegerColumns(db, databases)),
          timed('STATISTICS', Q.readIndexes(db, databases)),
          timed('KEY_COLUMN_USAGE', Q.readForeignKeys(db, databases)),
          timed('TRIGGERS', Q.readTriggers(db, databases)),
        ]);
        p['catalog reads (all five)'] = now() - t;
        if (inventory.shards.length === 1) {
          // The raw rows of one server, as mysql2 returns them, before normalizeCatalog.
          rawHeld = [tables, columns, indexes, foreignKeys, triggers];
          memory['raw catalog rows as mysql2 returns them (before normalizeCatalog)'] = heapMb() - base;
        }
        t = now();
        const dbs = normalizeCatalog({ tables, columns, indexes, foreignKeys, triggers }, databases);
        p['normalizeCatalog'] = now() - t;
        const snap: ShardSnapshot = { name: shard.name, server: { flavor: Q.detectFlavor(server), version: server.version }, databases: dbs };
        t = now();
        const targets = maxTargets(snap, inventory);
        p['maxTargets'] = now() - t;
        count('MAX targets', targets.length);
        t = now();
        const batches: (typeof targets)[] = [];
        for (let i = 0; i < targets.length; i += maxBatch) batches.push(targets.slice(i, i + maxBatch));
        await mapLimit(batches, shard.concurrency, async (b) => applyMaxValues(dbs, b, await Q.readMaxValues(db, b)));
        p['MAX() batches'] = now() - t;
        return { p, snap };
      } finally {
        await db.destroy();
      }
    }),
  );
  const readWall = now() - t0;
  rawHeld = undefined;
  void rawHeld;
  memory['snapshot model of every server (Database/Table/Column objects)'] = heapMb() - base;
  const fleet: Record<string, number> = { 'read every server (wall)': readWall };
  let t = now();
  const report = runChecks({ version: 1, takenAt: new Date().toISOString(), shards: perServer.map((x) => x.snap), errors: [] }, inventory);
  fleet['runChecks (incl. resolveRelationships)'] = now() - t;
  memory['+ the report (findings)'] = heapMb() - base;
  t = now();
  const text = formatJson(report);
  fleet['formatJson'] = now() - t;
  count('JSON bytes', text.length);
  memory['+ the JSON text'] = heapMb() - base;
  void text;
  return { perServer: perServer.map((x) => x.p), fleet, wall: now() - t0, rows, memory };
}
