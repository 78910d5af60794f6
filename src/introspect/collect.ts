/**
 * Reads every shard of an inventory into a Snapshot. The only module that opens connections.
 *
 * - at most `shard.concurrency` connections per server, `inventory.shardConcurrency` servers at once;
 * - every session is READ ONLY with a statement timeout (see queries.sessionSetup);
 * - a shard that fails never stops the others: its error lands in `errors[]`.
 */
import picomatch from 'picomatch';
import type { CheckConfig, Inventory, ShardConfig } from '../config/types.js';
import { assessCoverage, coverageMessage, mysqlActiveRoles } from '../connect/coverage.js';
import { Credentials } from '../connect/credentials.js';
import { Access, accountOf, parseGrants } from '../connect/grants.js';
import { describeError as describeConnectError, isPrivilegeError, openSession, step, StageError } from '../connect/session.js';
import { counterKnown, keyColumn, leadsIndex } from '../model/keys.js';
import type { Database, ServerInfo, ShardError, ShardSnapshot, Snapshot } from '../model/types.js';
import { referencedColumns, resolveRelationships } from '../relations/relationships.js';
import { applyMaxValues, CatalogBuilder, tableIndex, type ColumnTuple, type ForeignKeyRuleTuple, type ForeignKeyTuple, type IndexTuple, type TableTuple, type TriggerTuple } from './normalize.js';
import { toBigInt } from '../model/integers.js';
import { declaredSequences } from '../vitess/config.js';
import { inPartition, type Partition } from '../partition.js';
import {
  detectFlavor,
  foreignKeyRulesQuery,
  foreignKeysQuery,
  indexesQuery,
  integerColumnsQuery,
  readDatabases,
  readGrants,
  readMaxValues,
  readSequenceRows,
  readRowCount,
  readServer,
  readServerVariables,
  readSession,
  tablesQuery,
  triggersQuery,
  type Db,
  type MaxTarget,
} from './queries.js';

/** MAX() reads per statement (UNION ALL): one round trip for many index dives. */
const MAX_BATCH = 100;

export interface CollectProgress {
  shardsDone: number;
  shardsTotal: number;
  shard: string;
  ok: boolean;
  /** Databases read so far, over the shards done. */
  databases: number;
}

export interface CollectOptions {
  /** Called after each shard finishes (for a progress line). */
  onProgress?: (p: CollectProgress) => void;
  /** Only this stable share of the (shard, database) pairs (`--partition i/n`). */
  partition?: Partition;
  /** --gentle: pause (ms) between heavy catalog reads, one statement at a time per server. */
  gentleMs?: number;
  /**
   * Read information_schema.TRIGGERS (default true). Only the planner uses trigger counts (to pick
   * a copy tool); `scan` without history skips the read, one statement fewer per server.
   */
  triggers?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
}

export async function collectSnapshot(inventory: Inventory, options: CollectOptions = {}): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const results: ShardResult[] = new Array(inventory.shards.length);
  await collectFleet(inventory, options, (result, i) => {
    results[i] = result;
  });
  const shards: ShardSnapshot[] = [];
  const errors: ShardError[] = [];
  for (const r of results) {
    if (r.snapshot) shards.push(r.snapshot);
    if (r.error) errors.push(r.error);
  }
  return { version: 1, takenAt: now().toISOString(), shards, errors };
}

/** What reading one shard gave: its snapshot, its error, or both (a shard read only in part). */
export interface ShardResult {
  snapshot?: ShardSnapshot;
  error?: ShardError;
}

/**
 * Read every shard, `inventory.shardConcurrency` at once, and hand each result to `visit` as soon
 * as that shard is done (`index`: its place in the inventory). Holds nothing itself: a caller that
 * drops each shard after looking at it keeps memory flat in the size of the fleet.
 */
export async function collectFleet(inventory: Inventory, options: CollectOptions, visit: (result: ShardResult, index: number) => void): Promise<void> {
  const credentials = new Credentials();
  let done = 0;
  let databases = 0;
  await mapLimit(inventory.shards, inventory.shardConcurrency, async (shard, i) => {
    let result: ShardResult;
    try {
      const snapshot = await collectShard(shard, inventory, {
        credentials,
        ...(options.partition ? { partition: options.partition } : {}),
        ...(options.gentleMs !== undefined ? { gentleMs: options.gentleMs } : {}),
        ...(options.triggers === false ? { triggers: false } : {}),
      });
      // Partial results stay; a shard that saw less than it was asked to is still an error (exit 2).
      result = snapshot.coverage && !snapshot.coverage.complete ? { snapshot, error: { shard: shard.name, message: coverageMessage(snapshot.coverage) } } : { snapshot };
    } catch (e) {
      result = { error: { shard: shard.name, message: describeError(e, shard) } };
    }
    done++;
    databases += result.snapshot?.databases.length ?? 0;
    const ok = !result.error;
    visit(result, i);
    options.onProgress?.({ shardsDone: done, shardsTotal: inventory.shards.length, shard: shard.name, ok, databases });
  });
}

export interface CollectShardOptions {
  /** Shared by the shards of one run, so a `passwordCommand` runs once for all shards that use it. */
  credentials?: Credentials;
  partition?: Partition;
  /** --gentle: read the catalog one statement at a time (one connection), pausing this long between heavy reads. */
  gentleMs?: number;
  /**
   * Read information_schema.TRIGGERS (default true). Only the planner uses trigger counts (to pick
   * a copy tool); `scan` without history skips the read, one statement fewer per server.
   */
  triggers?: boolean;
}

/**
 * Read one server. Throws when it cannot be read at all (the caller turns it into a ShardError).
 * When the session may not see everything the inventory asks for, it still returns what it read,
 * with `coverage.complete = false` and the gaps.
 */
export async function collectShard(shard: ShardConfig, config: CheckConfig, options: CollectShardOptions = {}): Promise<ShardSnapshot> {
  const session = await openSession(shard, options.credentials);
  const { db } = session;
  try {
    const server = await step(shard, 'connecting', () => readServer(db));
    const vars = await step(shard, 'reading server variables', () => readServerVariables(db));
    const flavor = detectFlavor(server);
    // A proxy in front of the server may refuse these: then coverage cannot be verified (a gap), but the scan goes on.
    const who = await step(shard, 'reading the session user', () => readSession(db)).catch((e: unknown) =>
      refusedByServer(e) ? { currentUser: `${shard.user}@%`, currentRole: null } : Promise.reject(e),
    );
    let grantsError: string | undefined;
    const grantRows = await step(shard, 'reading the session grants (SHOW GRANTS)', () =>
      readGrants(db, flavor === 'mysql' ? mysqlActiveRoles(who.currentRole) : []),
    ).catch((e: unknown) => {
      if (!refusedByServer(e)) throw e;
      grantsError = describeConnectError(e, shard, session.secrets);
      return ['GRANT ALL PRIVILEGES ON *.* TO `unknown`@`%`']; // read everything the server shows; coverage says it is unverified
    });
    const access = new Access(parseGrants(grantRows));
    const all = await step(shard, 'listing databases', () => readDatabases(db));
    const globbed = selectDatabases(all, shard.databases, shard.exclude);
    if (globbed.length === 0) {
      const what = shard.databases.length ? `databases: ${shard.databases.join(', ')}` : 'no database other than the system ones';
      throw new Error(`nothing to scan: ${shard.databases.length ? `no database matches ${what}` : `the server has ${what}`}` +
        (shard.exclude.length ? ` (exclude: ${shard.exclude.join(', ')})` : '') + ` — ${all.length} visible to this user` +
        (access.listsAllDatabases ? '' : ' (it lists only databases it has privileges on: GRANT SHOW DATABASES ON *.* lets it see the others)'));
    }
    // With --partition, this process reads only its share of the databases; the other parts read the rest.
    const partition = options.partition;
    const matched = partition ? globbed.filter((d) => inPartition(shard.name, d, partition)) : globbed;
    // The catalog reads, each once for all matched databases, sharing the pool's connections;
    // rows go straight into the builder as they arrive (never all held as raw rows).
    // The server shows only what the user has privileges on; coverage below says what that left out.
    // --gentle: one catalog read at a time with a pause between them, instead of all at once.
    const gentle = options.gentleMs;
    const builder = new CatalogBuilder();
    const tablesByDatabase = new Map<string, number>();
    // Longest first (measured alone at 12,600 tables: REFERENTIAL_CONSTRAINTS and TABLES open every
    // table, ~0.28 s each; then KEY_COLUMN_USAGE, COLUMNS, STATISTICS, TRIGGERS): with 4
    // connections the short ones then fill in behind, and the last read ends soonest.
    const reads: (() => Promise<void>)[] = matched.length === 0 ? [] : [
      () => session.stream(foreignKeyRulesQuery(db, matched).compile(), (r) => builder.foreignKeyRule(r as ForeignKeyRuleTuple)),
      () =>
        session.stream(tablesQuery(db, matched).compile(), (r) => {
          const row = r as TableTuple;
          builder.table(row);
          tablesByDatabase.set(row[0], (tablesByDatabase.get(row[0]) ?? 0) + 1);
        }),
      () => session.stream(foreignKeysQuery(db, matched).compile(), (r) => builder.foreignKey(r as ForeignKeyTuple)),
      () => session.stream(integerColumnsQuery(db, matched).compile(), (r) => builder.column(r as ColumnTuple)),
      () => session.stream(indexesQuery(db, matched).compile(), (r) => builder.index(r as IndexTuple)),
      ...(options.triggers === false ? [] : [() => session.stream(triggersQuery(db, matched).compile(), (r) => builder.trigger(r as TriggerTuple))]),
    ];
    await step(shard, 'reading the catalog (information_schema)', async () => {
      if (gentle === undefined) return void (await Promise.all(reads.map((r) => r())));
      for (const [i, r] of reads.entries()) {
        if (i) await sleep(gentle);
        await r();
      }
    });
    // A database the session has no right on at all is not "empty": leave it out of the snapshot.
    const visible = matched.filter((d) => access.seesAllTables(d) || (tablesByDatabase.get(d) ?? 0) > 0 || access.tablesGrantedIn(d).length > 0);
    const dbs = builder.finish(visible);
    const info: ServerInfo = {
      flavor,
      version: server.version,
      binlogFormat: vars.binlogFormat,
      binlogRowImage: vars.binlogRowImage,
      readOnly: onOff(vars.readOnly),
      logBin: onOff(vars.logBin),
    };
    if (server.versionComment) info.versionComment = server.versionComment;
    const snapshot: ShardSnapshot = { name: shard.name, server: info, databases: dbs };
    // Triggers are listed only for tables the account has TRIGGER on: say where they were not.
    if (options.triggers !== false && !grantsError) {
      const hidden = dbs.map((d) => d.name).filter((d) => !seesTriggers(access, d));
      if (hidden.length) snapshot.triggersHidden = hidden;
    }

    const denied = await readAllMaxValues(shard, db, dbs, maxTargets(snapshot, config), access, gentle);
    for (const t of sequenceTargets(snapshot, config)) {
      const rows = await step(shard, `reading the sequence table ${t.database}.${t.table}`, () => readSequenceRows(db, t.database, t.table));
      const table = dbs.find((d) => d.name === t.database)?.tables.find((x) => x.name === t.table);
      if (table) table.sequenceRows = rows.map((r) => ({ id: toBigInt(r.id), nextId: toBigInt(r.nextId), cache: toBigInt(r.cache) }));
    }
    snapshot.coverage = assessCoverage({
      access,
      ...(grantsError ? { grantsError } : {}),
      account: accountOf(who.currentUser),
      matched,
      globs: shard.databases,
      tablesByDatabase,
      deniedMax: denied,
    });
    return snapshot;
  } catch (e) {
    throw rememberSecrets(e, session.secrets);
  } finally {
    await session.close();
  }
}

/** information_schema.TRIGGERS shows the database's triggers to this account (TRIGGER, or ALL, on it). */
function seesTriggers(access: Access, database: string): boolean {
  const p = access.databasePrivileges(database);
  return p.has('TRIGGER') || p.has('ALL') || p.has('ALL PRIVILEGES');
}

/**
 * MAX() reads in batches of MAX_BATCH. A read the server refuses for lack of privilege is not a
 * failure of the shard: it is returned (a coverage gap). Columns the grants say are off limits are
 * probed once per database, not once per column.
 */
async function readAllMaxValues(shard: ShardConfig, db: Db, dbs: Database[], targets: MaxTarget[], access: Access, gentleMs?: number): Promise<MaxTarget[]> {
  const denied: MaxTarget[] = [];
  const tables = tableIndex(dbs);
  const allowed = targets.filter((t) => access.canSelect(t.database, t.table, t.column));
  const doubtful = targets.filter((t) => !access.canSelect(t.database, t.table, t.column));
  const label = (batch: MaxTarget[]) =>
    batch.length === 1 ? `reading MAX(${batch[0]!.column}) of ${batch[0]!.database}.${batch[0]!.table}` : `reading MAX() of ${batch.length} columns`;
  /** Read a batch; on a privilege error, column by column. */
  const read = async (batch: MaxTarget[]): Promise<void> => {
    try {
      const rows = await step(shard, label(batch), () => readMaxValues(db, batch));
      applyMaxValues(tables, batch, rows);
    } catch (e) {
      const cause = e instanceof StageError ? e.cause : e;
      if (!isPrivilegeError(cause)) throw e;
      if (batch.length === 1) {
        denied.push(batch[0]!);
        return;
      }
      for (const t of batch) await read([t]);
    }
  };
  const batches: MaxTarget[][] = [];
  for (let i = 0; i < allowed.length; i += MAX_BATCH) batches.push(allowed.slice(i, i + MAX_BATCH));
  if (gentleMs === undefined) await mapLimit(batches, shard.concurrency, read);
  else {
    for (const [i, b] of batches.entries()) {
      if (i) await sleep(gentleMs);
      await read(b);
    }
  }
  // Grants say no: try one column per database; if the server agrees, the rest of that database is denied too.
  const byDb = new Map<string, MaxTarget[]>();
  for (const t of doubtful) byDb.set(t.database, [...(byDb.get(t.database) ?? []), t]);
  await mapLimit([...byDb.values()], shard.concurrency, async (list) => {
    const before = denied.length;
    await read([list[0]!]);
    if (denied.length > before) denied.push(...list.slice(1));
    else for (let i = 1; i < list.length; i += MAX_BATCH) await read(list.slice(i, i + MAX_BATCH));
  });
  return denied.sort((a, b) => (a.database + a.table + a.column < b.database + b.table + b.column ? -1 : 1));
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

/** Vitess sequence tables that live on this shard (declared in a VSchema of a keyspace this shard holds). */
export function sequenceTargets(shard: ShardSnapshot, config: CheckConfig): { database: string; table: string }[] {
  if (!config.vitess) return [];
  const out: { database: string; table: string }[] = [];
  for (const ks of config.vitess.keyspaces) {
    if (!ks.shards.includes(shard.name)) continue;
    const d = shard.databases.find((x) => x.name === ks.database);
    if (!d) continue;
    for (const s of declaredSequences({ keyspaces: [ks] })) {
      if (d.tables.some((t) => t.name === s.table)) out.push({ database: ks.database, table: s.table });
    }
  }
  return out;
}

export function selectDatabases(all: string[], include: string[], exclude: string[]): string[] {
  const inc = include.length ? picomatch(include) : () => true;
  const exc = exclude.length ? picomatch(exclude) : () => false;
  return all.filter((d) => inc(d) && !exc(d));
}

/** The server answered with an error packet (it refused the statement), as opposed to a lost connection or a timeout. */
function refusedByServer(e: unknown): boolean {
  const cause = e instanceof StageError ? e.cause : e;
  const x = cause as { errno?: unknown; sqlState?: unknown; code?: string };
  return typeof x?.errno === 'number' && typeof x.sqlState === 'string' && !['ER_STATEMENT_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT', 'ER_QUERY_TIMEOUT'].includes(x.code ?? '');
}

const SECRETS = new WeakMap<object, readonly string[]>();

/** Keep the password a failed read used, so its message can be scrubbed of it. */
function rememberSecrets(e: unknown, secrets: readonly string[]): unknown {
  if (e && typeof e === 'object') SECRETS.set(e, secrets);
  return e;
}

/** One line, naming what failed and what to do, never the password. */
export function describeError(e: unknown, shard: ShardConfig): string {
  const secrets = e && typeof e === 'object' ? SECRETS.get(e) : undefined;
  return describeConnectError(e, shard, secrets ?? []);
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

/**
 * `plan --exact-rows`: COUNT(*) the given tables, one at a time per shard (each is a full
 * index scan), and return a copy of the snapshot with those row counts marked exact.
 */
export async function countRows(inventory: Inventory, snapshot: Snapshot, tables: Map<string, { database: string; table: string }[]>): Promise<Snapshot> {
  const counts = new Map<string, bigint>();
  const credentials = new Credentials();
  const errors: ShardError[] = [];
  await mapLimit([...tables.keys()], inventory.shardConcurrency, async (shardName) => {
    const shard = inventory.shards.find((s) => s.name === shardName);
    if (!shard) return;
    const session = await openSession(shard, credentials);
    try {
      for (const t of tables.get(shardName) ?? []) {
        const n = await step(shard, `counting rows of ${t.database}.${t.table}`, () => readRowCount(session.db, t.database, t.table));
        counts.set(`${shardName}\u0000${t.database}\u0000${t.table}`, BigInt(n));
      }
    } catch (e) {
      errors.push({ shard: shardName, message: `--exact-rows: ${describeError(e, shard)}` });
    } finally {
      await session.close();
    }
  });
  return {
    ...snapshot,
    errors: [...snapshot.errors, ...errors],
    shards: snapshot.shards.map((s) => ({
      ...s,
      databases: s.databases.map((d) => ({
        ...d,
        tables: d.tables.map((t) => {
          const n = counts.get(`${s.name}\u0000${d.name}\u0000${t.name}`);
          return n === undefined ? t : { ...t, rowsEstimate: n, rowsExact: true };
        }),
      })),
    })),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
