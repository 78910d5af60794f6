/**
 * Every step of every plan for a Rails-style fleet, executed for real, the way a person follows
 * the runbooks: pt-online-schema-change --dry-run then --execute, direct ALTERs, FK drop/re-add and
 * orphan checks, while a writer keeps inserting into parents and children. Twice, on two fresh
 * copies of the same fleet: once with the runbooks in index.md order, once in reverse.
 *
 * The fleet (one throwaway MariaDB, shard "shard-a"), built twice: <p>_001…<p>_003 (p = fa for
 * run 1, fb for run 2), each loaded with fixtures/sql/rails-app.sql (73 tables); <p>_001 and
 * <p>_003 also get rails-app-hot.sql (listings.id 88%, categories.id 90%, transactions.id BIGINT
 * past 2^31 with INT references, listing_shapes.id SMALLINT UNSIGNED 79%).
 *
 * Policy: tools [pt-online-schema-change], migrationUser root, directAlter.maxRows 10. The fixture
 * tables hold a handful of rows, so with the brief's maxRows 100000 every step would be a direct
 * ALTER and pt-online-schema-change would never run. Instead <p>_001 (the "big" tenant) gets 20
 * padding rows in every table of its groups that pt-online-schema-change can copy, so those go
 * through pt-osc, while the tables it refuses stay under 10 rows and get a direct ALTER: listings
 * (a trigger), listing_followers and category_listing_shapes (no PRIMARY/UNIQUE key),
 * `editors'_picks` (a quote in the name). <p>_003 (the "small" tenant) is not padded: every step
 * there is a direct ALTER. <p>_002 has no findings (same schema, cold counters).
 *
 * While a run's runbooks execute, one writer per hot tenant inserts, in transactions: a listing
 * and a listing_images row for it (declared FK); a category and a category_translations row
 * (declared FK); a transaction (id past 2^31) and a bookings row for it (INT until widened: those
 * fail with 1264 until the bookings step ran, which is the outage being fixed). Deadlocks (1213)
 * and lock wait timeouts (1205) are retried like an app would; every error is counted by code.
 *
 * Each runbook is read as a person would (test/support/runbook-runner.ts): section 3's pre-checks
 * (`headroom precheck runbooks/<runbook>` where the runbooks were generated, and every query as written), then
 * section 4's ```sql / ```sh blocks step by step, SQL through the stock `mariadb` client connected
 * as section 4 says, shell lines through `sh -c` (a `headroom` on PATH runs this checkout's CLI),
 * then section 5's queries and `headroom scan --only` lines. A pre-check or verify command that
 * fails is recorded and asserted, but the steps still run so everything else is measured; a step
 * that fails stops its runbook (as a person would) and is reported with its block and error.
 *
 * After each run: every plan member has its target type (and nothing else about the column
 * changed); every FK is there with the same name, table, columns, referenced table/columns and
 * rules, each constraint the plan names is on its table pointing at its key's table, and the
 * runbooks' own Verify expectations hold; no _*_new / _*_old tables and the same triggers as before
 * (the listings trigger, no pt_osc_*); every committed writer row present with its reference intact,
 * every table's row count = before + committed, and the listings trigger fired for every listing;
 * a write of each kind succeeds afterwards; and a full `headroom scan` exits 0 with no finding at
 * all (rails-app.sql alone plants none, so once every planted group is widened nothing may remain:
 * any finding left means a column the plans missed or left narrow).
 *
 * Each run prints one summary line ([fleet-runbooks] run …): runbooks, steps, blocks executed,
 * pt-osc executions, writer rows committed, application errors by MySQL error code, seconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSql, loadPlacements } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';
import {
  blockedStep,
  emptyStep,
  execCommand,
  fillVariables,
  mariadbArgs,
  parseRunbook,
  runSteps,
  type Connection,
  type ParsedRunbook,
  type RunStats,
  type StepFailure,
} from '../support/runbook-runner.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/headroom.js');
const SHARD = 'shard-a';
const MAX_DIRECT_ROWS = 10;
const PAD_ROWS = 20;
/** Tables of the planted groups that pt-online-schema-change can copy (a key, no trigger, no quote): padded past maxRows in the big tenant. */
const PAD_TABLES = [
  'bookings', 'categories', 'category_custom_fields', 'category_translations', 'comments', 'conversations',
  'custom_field_option_selections', 'custom_field_values', 'featured_listings', 'legacy_listings,archived',
  'listing_blocked_dates', 'listing_images', 'listing_shapes', 'listing_units', 'listing_working_time_slots',
  'locations', 'payouts', 'paypal_payments', 'shipping_addresses', 'stripe_payments', 'testimonials',
  'transaction_transitions', 'transactions',
];

interface Fleet {
  prefix: string;
  order: 'index' | 'reverse';
  dbs: string[];
  hot: string[];
  big: string;
  dir: string;
  config: string;
  plan: PlanJson;
  /** Runbook file names in the order this run follows them. */
  runbooks: string[];
}

interface MemberJson {
  ref: { shard: string; database: string; table: string; column: string };
  role: string;
  group?: string;
  current: { dataType: string; unsigned: boolean; columnType?: string };
  target?: { dataType: string; unsigned: boolean } | null;
  needsChange: boolean;
  source?: string;
  constraint?: string;
}
interface PlanJson {
  plans: { id: string; database: string; key: { table: string; column: string }; members: MemberJson[]; blocked: string[]; steps: { kind: string }[] }[];
}

let server: TestServer;
let work: string;
const fleets: Fleet[] = [];

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return execCommand(process.execPath, [BIN, ...args, '--no-defaults'], { timeoutMs: 90_000, cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
}

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const id = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
const inList = (xs: string[]): string => xs.map(q).join(', ');

/** 20 rows into each table, every NOT NULL column without a default given a plain value (a UNIQUE leading int column gets 1…20). */
async function pad(db: string, tables: string[]): Promise<void> {
  const cols = (await server.sql(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${q(db)} AND TABLE_NAME IN (${inList(tables)})
       AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  )) as { t: string; c: string; type: string }[];
  const unique = new Set(
    ((await server.sql(`SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS k FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ${q(db)} AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' AND SEQ_IN_INDEX = 1`)) as { k: string }[]).map((r) => r.k),
  );
  const value = (t: string, c: string, type: string): string => {
    if (/int$/.test(type)) return unique.has(`${t}.${c}`) ? 'seq' : '1';
    if (/date|time/.test(type)) return `'2024-01-01'`;
    if (/char|text/.test(type)) return `CONCAT('pad-', seq)`;
    return '0';
  };
  const statements = tables.map((t) => {
    const mine = cols.filter((r) => r.t === t);
    return `INSERT INTO ${id(db)}.${id(t)} (${mine.map((r) => id(r.c)).join(', ')}) SELECT ${mine.map((r) => value(t, r.c, r.type)).join(', ')} FROM seq_1_to_${PAD_ROWS};`;
  });
  await server.sql(statements.join('\n'), db);
}

function writeConfig(dir: string, dbGlob: string, maxRows: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'headroom.yaml');
  writeFileSync(
    file,
    [
      'shards:',
      `  - name: ${SHARD}`,
      '    host: 127.0.0.1',
      `    port: ${server.port}`,
      'defaults:',
      '  user: root',
      `  databases: ["${dbGlob}"]`,
      'relationships:',
      '  - column: payouts.source_txn',
      '    references: transactions.id',
      'policy:',
      '  migrationUser: root',
      '  tools: [pt-online-schema-change]',
      `  directAlter: { maxRows: ${maxRows} }`,
      '',
    ].join('\n'),
  );
  return file;
}

async function runbooksIn(fleetDir: string, config: string, out: string): Promise<string[]> {
  const r = await cli(['runbook', '--config', config, '--out', out], fleetDir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const index = readFileSync(join(fleetDir, out, 'index.md'), 'utf8');
  return [...index.matchAll(/\]\(([^)]+\.md)\)/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  // A server that cannot start fails the file (beforeAll throws): never a skip.
  server = await startServer({ name: SHARD, extraArgs: ['--innodb-stats-auto-recalc=OFF'] });
  work = mkdtempSync(join(tmpdir(), 'headroom-fleet-runbooks-'));
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'headroom'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@" --no-defaults\n`, { mode: 0o755 });
  shellEnv = { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  const specs = [
    { prefix: 'fa', order: 'index' as const },
    { prefix: 'fb', order: 'reverse' as const },
  ];
  const all = specs.flatMap((s) => [1, 2, 3].map((i) => `${s.prefix}_00${i}`));
  await loadPlacements(server, [{ file: 'rails-app.sql', databases: all }]);
  const hotSql = fixtureSql('rails-app-hot.sql');
  await server.sql(specs.flatMap((s) => [`${s.prefix}_001`, `${s.prefix}_003`]).map((db) => `USE ${id(db)};\n${hotSql}`).join('\n'));
  for (const s of specs) await pad(`${s.prefix}_001`, PAD_TABLES);
  const tables = (await server.sql(
    `SELECT CONCAT('\`', TABLE_SCHEMA, '\`.\`', REPLACE(TABLE_NAME, '\`', '\`\`'), '\`') AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${inList(all)}) AND TABLE_TYPE = 'BASE TABLE'`,
  )) as { t: string }[];
  expect(tables).toHaveLength(all.length * 73);
  await server.sql(`ANALYZE TABLE ${tables.map((r) => r.t).join(', ')}`);

  // Plans and runbooks for both fleets, before anything runs (what the on-call engineer has in hand).
  for (const s of specs) {
    const dir = join(work, s.prefix);
    const config = writeConfig(dir, `${s.prefix}_*`, MAX_DIRECT_ROWS);
    const plan = await cli(['plan', '--config', config, '--format', 'json'], dir);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const order = await runbooksIn(dir, config, 'runbooks');
    fleets.push({
      prefix: s.prefix,
      order: s.order,
      dbs: [1, 2, 3].map((i) => `${s.prefix}_00${i}`),
      hot: [`${s.prefix}_001`, `${s.prefix}_003`],
      big: `${s.prefix}_001`,
      dir,
      config,
      plan: JSON.parse(plan.stdout) as PlanJson,
      runbooks: s.order === 'index' ? order : [...order].reverse(),
    });
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The writer.

interface Committed {
  db: string;
  parent: string;
  parentId: string;
  child: string;
  childId: string;
  column: string;
}

type Kind = 'listing' | 'category' | 'transaction';
const KINDS: Kind[] = ['listing', 'category', 'transaction'];

const TXN: Record<Kind, { parent: string; child: string; column: string; parentSql: string; childSql: string }> = {
  listing: {
    parent: 'listings',
    child: 'listing_images',
    column: 'listing_id',
    parentSql: `INSERT INTO listings (community_id, author_id, category_id, listing_shape_id, title, created_at, updated_at) VALUES (1, 1, 2, 1, 'writer', NOW(6), NOW(6))`,
    childSql: `INSERT INTO listing_images (listing_id, author_id, position, image_file_name, created_at, updated_at) VALUES (?, 1, 0, 'w.jpg', NOW(6), NOW(6))`,
  },
  category: {
    parent: 'categories',
    child: 'category_translations',
    column: 'category_id',
    parentSql: `INSERT INTO categories (community_id, parent_id, url, created_at, updated_at) VALUES (1, 1, 'writer', NOW(6), NOW(6))`,
    childSql: `INSERT INTO category_translations (category_id, locale, name, created_at, updated_at) VALUES (?, 'en', 'Writer', NOW(6), NOW(6))`,
  },
  transaction: {
    parent: 'transactions',
    child: 'bookings',
    column: 'transaction_id',
    parentSql: `INSERT INTO transactions (community_id, listing_id, starter_id, listing_author_id, current_state, created_at, updated_at) VALUES (1, 1, 2, 1, 'free', NOW(6), NOW(6))`,
    childSql: `INSERT INTO bookings (transaction_id, start_on, end_on, created_at, updated_at) VALUES (?, '2024-03-01', '2024-03-02', NOW(6), NOW(6))`,
  },
};

interface Writer {
  committed: Committed[];
  errors: Map<string, number>;
  attempts: number;
  retried: number;
  failedTxns: number;
  stop(): Promise<void>;
  /** One more transaction of each kind in each database; returns the ones that did not commit. */
  finalRound(): Promise<string[]>;
}

const RETRYABLE = new Set([1213, 1205]);

function startWriter(dbs: string[], maxMs: number): Writer {
  const w: Writer = { committed: [], errors: new Map(), attempts: 0, retried: 0, failedTxns: 0, stop: async () => undefined, finalRound: async () => [] };
  let stop = false;
  const count = (e: unknown): number | undefined => {
    const err = e as { errno?: number; code?: string };
    const key = err.errno ? `${err.errno} ${err.code ?? ''}`.trim() : (err.code ?? String(e));
    w.errors.set(key, (w.errors.get(key) ?? 0) + 1);
    return err.errno;
  };
  const connect = async (db: string) => {
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: 'root', database: db, supportBigNumbers: true, bigNumberStrings: true });
    c.on('error', () => undefined);
    await c.query('SET SESSION lock_wait_timeout = 5, innodb_lock_wait_timeout = 5');
    return c;
  };
  const conns = new Map<string, Promise<mysql.Connection>>();
  const conn = (db: string) => {
    if (!conns.has(db)) conns.set(db, connect(db));
    return conns.get(db)!;
  };
  /** One business transaction, retried on deadlock / lock wait timeout; true when committed. */
  const txn = async (db: string, kind: Kind): Promise<boolean> => {
    const t = TXN[kind];
    for (let attempt = 1; attempt <= 8; attempt++) {
      w.attempts++;
      let c: mysql.Connection;
      try {
        c = await conn(db);
      } catch (e) {
        conns.delete(db);
        count(e);
        await sleep(50);
        continue;
      }
      try {
        await c.query('START TRANSACTION');
        const [p] = (await c.query(t.parentSql)) as unknown as [{ insertId: number | string }];
        const parentId = String(p.insertId);
        const [ch] = (await c.query(t.childSql, [parentId])) as unknown as [{ insertId: number | string }];
        await c.query('COMMIT');
        w.committed.push({ db, parent: t.parent, parentId, child: t.child, childId: String(ch.insertId), column: t.column });
        return true;
      } catch (e) {
        const errno = count(e);
        if ((e as { fatal?: boolean }).fatal) conns.delete(db);
        else await c.query('ROLLBACK').catch(() => conns.delete(db));
        if (errno !== undefined && RETRYABLE.has(errno)) {
          w.retried++;
          await sleep(10 * attempt);
          continue;
        }
        w.failedTxns++; // not retryable (e.g. 1264 out of range before the column is widened): the app shows an error
        return false;
      }
    }
    w.failedTxns++;
    return false;
  };
  const started = Date.now();
  const loops = dbs.map(async (db) => {
    for (let i = 0; !stop && Date.now() - started < maxMs; i++) {
      await txn(db, KINDS[i % KINDS.length]!);
      await sleep(4);
    }
  });
  w.stop = async () => {
    stop = true;
    await Promise.all(loops);
  };
  w.finalRound = async () => {
    const failed: string[] = [];
    for (const db of dbs) for (const kind of KINDS) if (!(await txn(db, kind))) failed.push(`${db} ${kind}`);
    await Promise.all([...conns.values()].map((p) => p.then((c) => c.end()).catch(() => undefined)));
    return failed;
  };
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// What the catalog says.

interface State {
  fks: string[];
  triggers: string[];
  tables: string[];
  columns: Map<string, { type: string; dataType: string; nullable: string; dflt: string | null; extra: string }>;
  counts: Map<string, number>;
  listingsCount: Map<string, number>;
}

async function state(fleet: Fleet): Promise<State> {
  const dbs = inList(fleet.dbs);
  const fks = (await server.sql(
    `SELECT CONCAT_WS(' | ', rc.CONSTRAINT_SCHEMA, rc.CONSTRAINT_NAME, rc.TABLE_NAME,
        GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), '->', k.REFERENCED_TABLE_SCHEMA, rc.REFERENCED_TABLE_NAME,
        GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION), CONCAT('ON UPDATE ', rc.UPDATE_RULE), CONCAT('ON DELETE ', rc.DELETE_RULE)) AS fk
     FROM information_schema.REFERENTIAL_CONSTRAINTS rc
     JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME
     WHERE rc.CONSTRAINT_SCHEMA IN (${dbs})
     GROUP BY rc.CONSTRAINT_SCHEMA, rc.CONSTRAINT_NAME, rc.TABLE_NAME, k.REFERENCED_TABLE_SCHEMA, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE
     ORDER BY 1`,
  )) as { fk: string }[];
  const triggers = (await server.sql(
    `SELECT CONCAT_WS(' | ', TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT) AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${dbs}) ORDER BY 1`,
  )) as { t: string }[];
  const tables = (await server.sql(`SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${dbs}) ORDER BY 1`)) as { t: string }[];
  const cols = (await server.sql(
    `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, '.', COLUMN_NAME) AS k, COLUMN_TYPE AS type, DATA_TYPE AS dataType, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${dbs}) AND DATA_TYPE LIKE '%int'`,
  )) as { k: string; type: string; dataType: string; nullable: string; dflt: string | null; extra: string }[];
  const base = tables.map((r) => r.t).filter((t) => fleet.hot.includes(t.split('.')[0]!));
  const counts = (await server.sql(
    base.map((t) => { const [db, ...rest] = t.split('.'); return `SELECT ${q(t)} AS t, COUNT(*) AS n FROM ${id(db!)}.${id(rest.join('.'))}`; }).join(' UNION ALL '),
  )) as { t: string; n: string }[];
  const people = (await server.sql(fleet.hot.map((db) => `SELECT ${q(db)} AS db, SUM(listings_count) AS n FROM ${id(db)}.people`).join(' UNION ALL '))) as { db: string; n: string }[];
  return {
    fks: fks.map((r) => r.fk),
    triggers: triggers.map((r) => r.t),
    tables: tables.map((r) => r.t),
    columns: new Map(cols.map((r) => [r.k, r])),
    counts: new Map(counts.map((r) => [r.t, Number(r.n)])),
    listingsCount: new Map(people.map((r) => [r.db, Number(r.n)])),
  };
}

const memberKey = (m: MemberJson): string => `${m.ref.database}.${m.ref.table}.${m.ref.column}`;

// ---------------------------------------------------------------------------------------------

function newStats(): RunStats & { sectionCommands: number } {
  return { steps: 0, blocks: 0, sqlBlocks: 0, shellLines: 0, ptoscExecutes: 0, orphanChecks: 0, sectionCommands: 0 };
}

/** PATH with a `headroom` that runs this checkout's CLI (the runbooks call it by name, as an installed tool). */
let shellEnv: NodeJS.ProcessEnv;

/**
 * The unlabelled fences of section 3 (pre-checks) or 5 (verify), as a person would use them: SQL
 * (SELECT / SHOW) through the client, `headroom …` lines through the shell from the directory the
 * runbooks were generated in (where the runbook says to run them), each expected to succeed (exit 0). An empty
 * fence is a problem: the reader is told to run something that is not there.
 */
async function runSection(name: string, section: number, parsed: ParsedRunbook, conn: Connection, cwd: string, problems: string[]): Promise<number> {
  let ran = 0;
  for (const text of parsed.plainBlocks(section)) {
    if (!text.trim()) {
      problems.push(`${name} section ${section}: an empty query block (after: ${JSON.stringify(parsed.section(section).split(/```\n```/)[0]!.trim().split('\n').pop())})`);
      continue;
    }
    if (/^\s*(SELECT|SHOW)\b/i.test(text)) {
      ran++;
      const r = await execCommand('mariadb', mariadbArgs(conn, text), { timeoutMs: 60_000 });
      if (r.code !== 0) problems.push(`${name} section ${section}: ${r.stderr.trim().split('\n').filter((l) => /^ERROR/.test(l)).join(' ')} — in: ${text.trim().slice(0, 120)}…`);
    } else if (/^\s*headroom /.test(text)) {
      for (const line of text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))) {
        ran++;
        const r = await execCommand('sh', ['-c', line], { timeoutMs: 90_000, cwd, env: shellEnv });
        if (r.code !== 0) {
          const out = (r.stdout + r.stderr).split('\n').filter((l) => /FAIL|error|headroom:/i.test(l)).map((l) => l.trim().slice(0, 200)).join(' | ');
          problems.push(`${name} section ${section}: \`${line.trim()}\` exit ${r.code}: ${out || (r.stdout + r.stderr).slice(0, 400)}`);
        }
      }
    }
  }
  return ran;
}

/** The Verify section's constraint expectation: `name` on `table` (→ `referenced`, when it says). */
function expectedConstraints(parsed: ParsedRunbook): { name: string; table: string; ref?: string }[] {
  const sec = parsed.section(5);
  const at = sec.indexOf('Constraints exist');
  if (at < 0) return [];
  const line = /^Expect\b[^:]*: (.*)$/m.exec(sec.slice(at))?.[1] ?? '';
  return [...line.matchAll(/`([^`]+)` on `([^`]+)`(?: → `([^`]+)`)?/g)].map((m) => ({ name: m[1]!, table: m[2]!, ...(m[3] ? { ref: m[3] } : {}) }));
}

async function runFleet(fleet: Fleet): Promise<void> {
  const started = Date.now();
  const before = await state(fleet);
  const failures: StepFailure[] = [];
  const problems: string[] = []; // pre-check / verify section problems, in the runbooks' own words
  const stats = newStats();
  const parsedAll = fleet.runbooks.map((f) => ({ file: f, parsed: parseRunbook(readFileSync(join(fleet.dir, 'runbooks', f), 'utf8')) }));

  // Fill-ins a person would know (none are needed today: the runbooks carry real hosts and users).
  const fill = { '<migration user>': 'root', [`<host of ${SHARD}>`]: server.host, [`<port of ${SHARD}>`]: String(server.port) };

  const writer = startWriter(fleet.hot, 150_000);
  await sleep(150);
  // `headroom …` lines run where the runbooks were generated (beside the config), as the runbook says.
  const rbDir = fleet.dir;
  for (const { file, parsed } of parsedAll) {
    const conn = parsed.connection ?? { host: server.host, port: server.port, user: 'root' };
    expect.soft(parsed.connection, `${file}: section 4 says how to connect for SQL blocks`).toEqual({ host: server.host, port: server.port, user: 'root' });
    // Pre-checks: recorded, but the steps run even if one fails, so the rest is still measured.
    stats.sectionCommands += await runSection(file, 3, parsed, conn, rbDir, problems);
    const variables = parsed.variables ? fillVariables(parsed.variables, fill) : '';
    const failure = await runSteps(file, parsed, conn, { variables, stats, env: shellEnv });
    if (failure) {
      failures.push(failure);
      continue; // a person stops this runbook here; the others are independent groups
    }
    stats.sectionCommands += await runSection(file, 5, parsed, conn, rbDir, problems);
    // "Constraints exist under their own names and point at the right tables": the runbook's own expectation holds.
    const db = /__([^_].*?)__/.exec(file)?.[1] ?? '';
    for (const c of expectedConstraints(parsed)) {
      const fk = (await server.sql(
        `SELECT REFERENCED_TABLE_NAME AS ref FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ${q(db)} AND TABLE_NAME = ${q(c.table)} AND CONSTRAINT_NAME = ${q(c.name)}`,
      )) as { ref: string }[];
      if (fk.length !== 1) problems.push(`${file} section 5: expects constraint ${c.name} on ${c.table}; found ${fk.length}`);
      else if (c.ref && fk[0]!.ref !== c.ref) problems.push(`${file} section 5: expects ${c.name} on ${c.table} → ${c.ref}; it points at ${fk[0]!.ref}`);
    }
  }
  await sleep(150);
  await writer.stop();
  const finalFailed = await writer.finalRound();

  const after = await state(fleet);
  const plans = fleet.plan.plans;

  // Every member of every group has its target type; nothing else about the column changed.
  const wrongTypes: string[] = [];
  for (const m of plans.flatMap((p) => p.members)) {
    const k = memberKey(m);
    const was = before.columns.get(k);
    const now = after.columns.get(k);
    if (!now || !was) {
      wrongTypes.push(`${k}: column missing`);
      continue;
    }
    if (m.needsChange && m.target) {
      const unsigned = /unsigned/.test(now.type);
      if (now.dataType !== m.target.dataType || unsigned !== m.target.unsigned) wrongTypes.push(`${k}: ${now.type}, plan said ${m.target.dataType}${m.target.unsigned ? ' unsigned' : ''}`);
    } else if (now.type !== was.type) wrongTypes.push(`${k}: ${was.type} → ${now.type} but the plan said no change`);
    if (now.nullable !== was.nullable || now.dflt !== was.dflt || now.extra !== was.extra) {
      wrongTypes.push(`${k}: NULL/DEFAULT/EXTRA changed: ${JSON.stringify([was.nullable, was.dflt, was.extra])} → ${JSON.stringify([now.nullable, now.dflt, now.extra])}`);
    }
  }
  expect.soft(plans.filter((p) => p.blocked.length > 0).map((p) => `${p.id}: ${p.blocked.join('; ')}`), 'blocked plans').toEqual([]);
  const changing = plans.flatMap((p) => p.members).filter((m) => m.needsChange).length;
  expect(changing, 'plan members that change').toBeGreaterThan(50);
  expect.soft(wrongTypes, 'members without their target type').toEqual([]);

  // Every constraint that existed before: same name, table, columns, referenced table/columns, rules.
  expect(before.fks.length, 'foreign keys in the fleet before the run').toBeGreaterThanOrEqual(fleet.dbs.length * 6);
  expect.soft(after.fks, 'foreign keys after the run (name | table | columns -> referenced)').toEqual(before.fks);
  // The constraint names the plan gave its declared members exist, on that table, pointing at the group's key table.
  const named = plans.flatMap((p) => p.members.filter((m) => m.constraint).map((m) => ({ m, keyTable: (m.group ?? p.id).split('/').pop()!.split('.')[0]! })));
  const missingNamed = named
    .filter(({ m, keyTable }) => !after.fks.some((fk) => fk.startsWith(`${m.ref.database} | ${m.constraint} | ${m.ref.table} | ${m.ref.column} | -> | ${m.ref.database} | ${keyTable} |`)))
    .map(({ m, keyTable }) => `${m.ref.database}.${m.ref.table}: ${m.constraint} (${m.ref.column}) → ${keyTable}`);
  expect.soft(named.length, 'declared members with a constraint name in the plans').toBeGreaterThan(0);
  expect.soft(missingNamed, 'constraints the plan named, not found as named').toEqual([]);

  // No tool tables, nothing missing, the same triggers (the listings trigger, no pt_osc_*).
  expect.soft(after.tables.filter((t) => /\._.*_(new|old)$|\._/.test(t)), 'tool tables left').toEqual([]);
  expect.soft(after.tables, 'tables').toEqual(before.tables);
  expect.soft(after.triggers.filter((t) => / \| pt_osc_/.test(t)), 'pt_osc triggers left').toEqual([]);
  expect.soft(after.triggers, 'triggers').toEqual(before.triggers);
  expect.soft(before.triggers.filter((t) => / \| listings_count_on_insert \| listings \| /.test(t)).length).toBe(fleet.dbs.length);

  // Every committed writer row is there, with the reference it was written with.
  const missing: string[] = [];
  for (const db of fleet.hot) {
    for (const kind of KINDS) {
      const t = TXN[kind];
      const mine = writer.committed.filter((c) => c.db === db && c.parent === t.parent);
      if (mine.length === 0) continue;
      const parents = new Set(((await server.sql(`SELECT id FROM ${id(db)}.${id(t.parent)} WHERE id IN (${mine.map((c) => c.parentId).join(',')})`)) as { id: string }[]).map((r) => String(r.id)));
      const children = new Map(
        ((await server.sql(`SELECT id, ${id(t.column)} AS ref FROM ${id(db)}.${id(t.child)} WHERE id IN (${mine.map((c) => c.childId).join(',')})`)) as { id: string; ref: string }[]).map((r) => [String(r.id), String(r.ref)]),
      );
      for (const c of mine) {
        if (!parents.has(c.parentId)) missing.push(`${db}.${t.parent} id ${c.parentId}`);
        if (children.get(c.childId) !== c.parentId) missing.push(`${db}.${t.child} id ${c.childId} (${t.column} ${children.get(c.childId) ?? 'missing'}, wrote ${c.parentId})`);
      }
    }
  }
  expect.soft(missing, 'committed writer rows missing or changed').toEqual([]);
  // Row counts: before + what the writer committed, in every table of the hot tenants (a copy lost nothing).
  const wrongCounts: string[] = [];
  for (const [t, n] of before.counts) {
    const [db, ...rest] = t.split('.');
    const table = rest.join('.');
    const added = writer.committed.filter((c) => c.db === db && (c.parent === table || c.child === table)).length;
    if (after.counts.get(t) !== n + added) wrongCounts.push(`${t}: ${n} + ${added} committed, now ${after.counts.get(t)}`);
  }
  expect.soft(wrongCounts, 'row counts').toEqual([]);
  // The listings trigger fired for every committed listing, through the ALTER of listings.
  for (const db of fleet.hot) {
    const listings = writer.committed.filter((c) => c.db === db && c.parent === 'listings').length;
    expect.soft(after.listingsCount.get(db)! - before.listingsCount.get(db)!, `${db}: people.listings_count grew by the listings committed`).toBe(listings);
  }
  // Once the runbooks are done every kind of write works again (bookings holds ids past 2^31).
  expect.soft(finalFailed, 'writes that still fail after the run').toEqual([]);

  // Rescan: no finding at all (see the header: the fixture plants nothing else).
  const scan = await cli(['scan', '--config', fleet.config, '--format', 'json'], fleet.dir);
  const findings = (JSON.parse(scan.stdout || '{"findings":[]}') as { findings: { id: string; table: string; column: string; database: string; references?: { table: string; column: string } }[] }).findings;
  const widened = new Set(plans.flatMap((p) => p.members.map(memberKey)));
  expect.soft(findings.filter((f) => widened.has(`${f.database}.${f.table}.${f.column}`) || (f.references && widened.has(`${f.database}.${f.references.table}.${f.references.column}`))).map((f) => f.id), 'findings on widened columns').toEqual([]);
  expect.soft(findings.map((f) => f.id), 'findings left anywhere in the fleet').toEqual([]);
  expect.soft(scan.code, `rescan exit code (${scan.stderr.trim()})`).toBe(0);

  expect.soft(problems, 'pre-check / verify commands that fail as written').toEqual([]);
  expect(failures, 'runbook steps that failed').toEqual([]);

  const errors = [...writer.errors].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  const rows = writer.committed.length * 2;
  console.log(
    `[fleet-runbooks] run ${fleet.prefix} (${fleet.order} order): ${fleet.runbooks.length} runbooks, ${stats.steps} steps, ${stats.blocks} blocks executed ` +
      `(${stats.sqlBlocks} sql, ${stats.shellLines} shell lines, ${stats.ptoscExecutes} pt-osc --execute, ${stats.orphanChecks} orphan checks), ${stats.sectionCommands} pre-check/verify commands; ${changing} columns to widen, ${before.fks.length} FKs compared; ` +
      `writer: ${rows} rows committed in ${writer.committed.length} transactions (${writer.attempts} attempts, ${writer.retried} retried, ${writer.failedTxns} failed); ` +
      `application errors: ${errors}; step failures: ${failures.length}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const f of failures) console.log(`[fleet-runbooks]   FAILED ${f.runbook} step ${f.step} (${f.title}) block ${f.block}: ${f.command}\n      ${f.error}`);
  for (const p of problems) console.log(`[fleet-runbooks]   section problem: ${p}`);
  expect(writer.committed.length).toBeGreaterThan(30);
  expect(stats.ptoscExecutes).toBeGreaterThan(0);
}

describe('every runbook of a Rails fleet, executed under a concurrent writer', () => {
  it('has an executable block in every step (but the application step)', () => {
    const empty: string[] = [];
    for (const f of fleets) {
      expect(f.runbooks.length).toBeGreaterThanOrEqual(4);
      for (const file of f.runbooks) {
        const parsed = parseRunbook(readFileSync(join(f.dir, 'runbooks', file), 'utf8'));
        expect(parsed.steps.length, file).toBeGreaterThan(0);
        for (const s of parsed.steps.filter(emptyStep)) empty.push(`${f.prefix}/${file} step ${s.n}: ${s.title}`);
      }
    }
    expect(empty).toEqual([]);
  });

  it('with a stricter policy (directAlter.maxRows 2) that leaves some tables to no tool, no step is empty either', async () => {
    // Generated only, not run: listings (trigger), listing_followers and category_listing_shapes (no key) are then over
    // maxRows and pt-osc refuses them. Their steps must say so (blocked, do not start) rather than be empty.
    const f = fleets[1]!;
    const dir = join(work, 'strict');
    const config = writeConfig(dir, `${f.prefix}_*`, 2);
    const files = await runbooksIn(dir, config, 'runbooks');
    const empty: string[] = [];
    let blocked = 0;
    for (const file of files) {
      const text = readFileSync(join(dir, 'runbooks', file), 'utf8');
      const parsed = parseRunbook(text);
      for (const s of parsed.steps.filter(emptyStep)) empty.push(`${file} step ${s.n}: ${s.title}`);
      const mine = parsed.steps.filter(blockedStep);
      blocked += mine.length;
      if (mine.length > 0) expect.soft(text, `${file}: a blocked plan says so before section 1`).toMatch(/^[\s\S]*?Do not start[\s\S]*?## 1\. /);
    }
    expect(blocked).toBeGreaterThan(0);
    expect(empty).toEqual([]);
  });

  it('run 1: runbooks in index.md order', async () => {
    await runFleet(fleets[0]!);
  }, 150_000);

  it('run 2: a fresh copy of the fleet, runbooks in reverse order', async () => {
    await runFleet(fleets[1]!);
  }, 150_000);
});
