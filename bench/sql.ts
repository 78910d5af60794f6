/**
 * The SQL text headroom sends, rendered from its own query builders (src/introspect/queries.ts)
 * so the benchmark's floor can never drift from what headroom runs.
 *
 * A Kysely instance with a driver that records each compiled query instead of sending it; the
 * parameters are inlined with mysql2's `format`, which is what mysql2 itself does for
 * `query(sql, values)` (the call kysely's MysqlDialect makes): the server receives exactly
 * this text.
 */
import { CompiledQuery, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import mysql2 from 'mysql2';
import { maxTargets, selectDatabases } from '../src/introspect/collect.js';
import * as Q from '../src/introspect/queries.js';
import type { CheckConfig } from '../src/config/types.js';
import type { ShardSnapshot } from '../src/model/types.js';

class CaptureDriver implements Driver {
  constructor(private readonly out: string[]) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const out = this.out;
    return {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        out.push(mysql2.format(q.sql, q.parameters as Parameters<typeof mysql2.format>[1]));
        return { rows: [] };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error('not supported');
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** The statements `fn` sends, in order (errors after sending, e.g. "no rows", are ignored). */
export async function render(fn: (db: Q.Db) => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const db = new Kysely<Q.InformationSchema>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => new CaptureDriver(out),
      createIntrospector: (k) => new MysqlIntrospector(k),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
  });
  try {
    await fn(db);
  } catch {
    // readServer throws on the empty answer: the statement was captured before.
  }
  await db.destroy();
  return out;
}

/** What collect.ts sends on every new pool connection (its onCreateConnection). */
export const CONNECTION_PROBE = 'select @@version as version, @@version_comment as versionComment';

export interface ServerSql {
  /** Run on every connection first: the probe, then sessionSetup(). */
  prelude: string[];
  /** readServer, readServerVariables, readDatabases (one connection, in this order). */
  discovery: string[];
  /** The five catalog reads, each once for all matched databases. */
  catalog: { name: string; sql: string }[];
  /** The MAX() batches (UNION ALL of up to `batch` index dives). */
  maxBatches: string[];
}

/**
 * Every statement a scan of one server sends, given what the server holds:
 * `allDatabases` as readDatabases returns them, and the shard's snapshot (for the MAX() targets).
 */
export async function serverSql(opts: {
  version: { version: string; versionComment: string | null };
  timeoutSeconds: number;
  allDatabases: string[];
  include: string[];
  exclude: string[];
  shard: ShardSnapshot;
  config: CheckConfig;
  maxBatch: number;
}): Promise<ServerSql> {
  const databases = selectDatabases(opts.allDatabases, opts.include, opts.exclude);
  const one = async (fn: (db: Q.Db) => Promise<unknown>): Promise<string> => {
    const s = await render(fn);
    if (s.length !== 1) throw new Error(`expected one statement, got ${s.length}`);
    return s[0]!;
  };
  const targets = maxTargets(opts.shard, opts.config);
  const maxBatches: string[] = [];
  for (let i = 0; i < targets.length; i += opts.maxBatch) {
    maxBatches.push(await one((db) => Q.readMaxValues(db, targets.slice(i, i + opts.maxBatch))));
  }
  return {
    prelude: [CONNECTION_PROBE, ...Q.sessionSetup(opts.version, opts.timeoutSeconds)],
    discovery: [await one(Q.readServer), await one(Q.readServerVariables), await one(Q.readDatabases)],
    catalog: [
      { name: 'TABLES', sql: await one((db) => Q.readTables(db, databases)) },
      { name: 'COLUMNS', sql: await one((db) => Q.readIntegerColumns(db, databases)) },
      { name: 'STATISTICS', sql: await one((db) => Q.readIndexes(db, databases)) },
      // readForeignKeys sends KEY_COLUMN_USAGE and REFERENTIAL_CONSTRAINTS as two statements (joined in code).
      ...(await render((db) => Q.readForeignKeys(db, databases))).map((sql) => ({
        name: /REFERENTIAL_CONSTRAINTS/.test(sql) && !/KEY_COLUMN_USAGE/.test(sql) ? 'REFERENTIAL_CONSTRAINTS' : 'KEY_COLUMN_USAGE',
        sql,
      })),
      { name: 'TRIGGERS', sql: await one((db) => Q.readTriggers(db, databases)) },
    ],
    maxBatches,
  };
}
