/**
 * Where a scan's wall time goes, phase by phase: the same calls collect.ts makes (queries.ts
 * builders streamed into a CatalogBuilder, maxTargets, readMaxValues, runChecks, formatJson), on
 * the same sessions, timed one by one in this process. Servers in parallel as headroom reads them.
 *
 * Not the product's code path (collectShard keeps its pool private), but the same functions
 * in the same order: good enough to say which phase holds the time.
 */
import { openSession } from '../src/connect/session.js';
import { runChecks } from '../src/checks/run.js';
import type { Inventory, ShardConfig } from '../src/config/types.js';
import { maxTargets, selectDatabases } from '../src/introspect/collect.js';
import { applyMaxValues, CatalogBuilder, tableIndex, type ColumnTuple, type ForeignKeyRuleTuple, type ForeignKeyTuple, type IndexTuple, type TableTuple, type TriggerTuple } from '../src/introspect/normalize.js';
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

/** The product's own session (READ ONLY, timeouts, streamed reads): openSession. */
const open = (shard: ShardConfig) => openSession(shard);

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
  const t0 = now();
  const rows: Record<string, number> = {};
  const count = (k: string, n: number) => (rows[k] = (rows[k] ?? 0) + n);
  const perServer = await Promise.all(
    inventory.shards.map(async (shard) => {
      const p: Record<string, number> = {};
      const session = await open(shard);
      const db = session.db;
      try {
        let t = now();
        const server = await Q.readServer(db);
        await Q.readServerVariables(db);
        const all = await Q.readDatabases(db);
        const databases = selectDatabases(all, shard.databases, shard.exclude);
        p['connect + discovery'] = now() - t;
        t = now();
        const builder = new CatalogBuilder();
        const timed = async (name: string, query: { sql: string; parameters: readonly unknown[] }, onRow: (r: unknown[]) => void): Promise<void> => {
          let n = 0;
          await session.stream(query, (r) => {
            n++;
            onRow(r);
          });
          p[name] = now() - t;
          count(name, n);
        };
        // The order collect.ts sends them in (longest first).
        await Promise.all([
          timed('REFERENTIAL_CONSTRAINTS', Q.foreignKeyRulesQuery(db, databases).compile(), (r) => builder.foreignKeyRule(r as ForeignKeyRuleTuple)),
          timed('TABLES', Q.tablesQuery(db, databases).compile(), (r) => builder.table(r as TableTuple)),
          timed('KEY_COLUMN_USAGE', Q.foreignKeysQuery(db, databases).compile(), (r) => builder.foreignKey(r as ForeignKeyTuple)),
          timed('COLUMNS', Q.integerColumnsQuery(db, databases).compile(), (r) => builder.column(r as ColumnTuple)),
          timed('STATISTICS', Q.indexesQuery(db, databases).compile(), (r) => builder.index(r as IndexTuple)),
          timed('TRIGGERS', Q.triggersQuery(db, databases).compile(), (r) => builder.trigger(r as TriggerTuple)),
        ]);
        p['catalog reads (all six, rows into the builder as they arrive)'] = now() - t;
        if (inventory.shards.length === 1) memory['one server\'s catalog in the builder, before finish()'] = heapMb() - base;
        t = now();
        const dbs = builder.finish(databases);
        p['CatalogBuilder.finish'] = now() - t;
        const snap: ShardSnapshot = { name: shard.name, server: { flavor: Q.detectFlavor(server), version: server.version }, databases: dbs };
        t = now();
        const targets = maxTargets(snap, inventory);
        p['maxTargets'] = now() - t;
        count('MAX targets', targets.length);
        t = now();
        const batches: (typeof targets)[] = [];
        for (let i = 0; i < targets.length; i += maxBatch) batches.push(targets.slice(i, i + maxBatch));
        const tables = tableIndex(dbs);
        await mapLimit(batches, shard.concurrency, async (b) => applyMaxValues(tables, b, await Q.readMaxValues(db, b)));
        p['MAX() batches'] = now() - t;
        return { p, snap };
      } finally {
        await session.close();
      }
    }),
  );
  const readWall = now() - t0;
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
