/**
 * `npm run bench`: headroom against the catalog floor, on throwaway MariaDB servers.
 *
 *   npm run bench                                   # 4 servers × 250 databases × 30 tables
 *   npm run bench -- --scale                        # 8 × 420 × 30 = 100,800 tables
 *   npm run bench -- --servers 2 --databases 50 --runs 3
 *
 * See bench/README.md for what is measured and how; results go to bench/RESULTS.md.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFleet, type TestServer } from '../test/support/mariadb.js';
import { loadInventory } from '../src/config/inventory.js';
import { loadSnapshot } from '../src/snapshot/file.js';
import { keyColumn } from '../src/model/keys.js';
import { resolveRelationships } from '../src/relations/relationships.js';
import { buildFleet, databaseDdl, PLANT_EVERY, SERVER_ARGS, tableDefs } from './fleet.js';
import { render, serverSql, type ServerSql } from './sql.js';
import { readDatabases } from '../src/introspect/queries.js';
import { summariseProfile, type ProfileSummary } from './profile.js';
import { phaseBreakdown, type PhaseTimes } from './phases.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'headroom.js');
const TIME = '/usr/bin/time';


// ---------------------------------------------------------------------------------------------
// Options

const HELP = `npm run bench -- [options]
  --servers N        MariaDB servers (default 4; 8 with --scale)
  --databases N      tenant databases per server (default 250; 420 with --scale)
  --tables N         tables per database (default 30)
  --scale            100k+ tables: 8 servers × 420 databases × 30 tables unless given
  --runs N           measured runs after one warm-up (default 5)
  --anchor-runs N    runs of the sys.schema_auto_increment_columns anchor (default: --runs)
  --concurrency N    connections per server, headroom and floor alike (default 4)
  --timeout N        headroom timeoutSeconds (default 120)
  --batch N          databases per CREATE round trip while building (default 10)
  --out FILE         results file (default bench/RESULTS.md); a section per fleet shape
  --skip-build       use dist/ as it is (default: tsc -p tsconfig.build.json first)
  --no-profile       skip the --cpu-prof run
  --help`;

const { values: opt } = parseArgs({
  options: {
    servers: { type: 'string' },
    databases: { type: 'string' },
    tables: { type: 'string' },
    scale: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'anchor-runs': { type: 'string' },
    concurrency: { type: 'string' },
    timeout: { type: 'string' },
    batch: { type: 'string' },
    out: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
const num = (v: string | undefined, d: number, name: string): number => {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} expects a whole number ≥ 1, got ${v}`);
    process.exit(2);
  }
  return n;
};
const SHAPE = {
  servers: num(opt.servers, opt.scale ? 8 : 4, 'servers'),
  databases: num(opt.databases, opt.scale ? 420 : 250, 'databases'),
  tables: num(opt.tables, 30, 'tables'),
};
const RUNS = num(opt.runs, 5, 'runs');
const ANCHOR_RUNS = Math.min(num(opt['anchor-runs'], RUNS, 'anchor-runs'), RUNS);
const CONCURRENCY = num(opt.concurrency, 4, 'concurrency');
const TIMEOUT = num(opt.timeout, 120, 'timeout');
const BATCH = num(opt.batch, 10, 'batch');
const OUT = path.resolve(opt.out ?? path.join(ROOT, 'bench', 'RESULTS.md'));
const TOTAL_TABLES = SHAPE.servers * SHAPE.databases * SHAPE.tables;
const PRESET =
  SHAPE.servers === 4 && SHAPE.databases === 250 && SHAPE.tables === 30
    ? 'default'
    : SHAPE.servers === 8 && SHAPE.databases === 420 && SHAPE.tables === 30
      ? 'scale'
      : `custom-${SHAPE.servers}x${SHAPE.databases}x${SHAPE.tables}`;

// ---------------------------------------------------------------------------------------------
// Cleanup: every server and child process this run started, also on error and Ctrl-C.

let servers: TestServer[] = [];
const children = new Set<ChildProcess>();
let stopping: Promise<void> | undefined;
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const c of children) {
      if (c.pid !== undefined && c.exitCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    if (servers.length) log(`stopped ${servers.length} servers`);
    servers = [];
  })();
  return stopping;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping every server this run started`);
    void stopAll().finally(() => {
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

interface ProcResult {
  code: number | null;
  seconds: number;
  stderr: string;
}

function runProc(cmd: string, args: string[], io: { stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const stdinFd = io.stdin ? fs.openSync(io.stdin, 'r') : 'ignore';
    const stdoutFd = io.stdout ? fs.openSync(io.stdout, 'w') : 'ignore'; // 'ignore' is /dev/null
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: [stdinFd, stdoutFd, 'pipe'], cwd: ROOT, env: io.env ?? process.env });
    } finally {
      if (typeof stdinFd === 'number') fs.closeSync(stdinFd);
      if (typeof stdoutFd === 'number') fs.closeSync(stdoutFd);
    }
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    child.on('error', (e) => {
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, seconds: (performance.now() - started) / 1000, stderr });
    });
  });
}

const HAVE_TIME = fs.existsSync(TIME);
const RSS_HOOK = path.join(ROOT, 'bench', 'maxrss-hook.mjs');
let tmpDir = '';
let buildWarning = '';

interface Measured {
  seconds: number;
  rssMb: number;
  /** user + system CPU seconds of the headroom process (from time -v; NaN without it). */
  cpu: number;
  code: number | null;
}

/** `node bin/headroom.js ARGS > /dev/null`, wall time (from here) and peak RSS (/usr/bin/time -v). */
async function headroom(args: string[], nodeFlags: string[] = []): Promise<Measured> {
  const rssFile = path.join(tmpDir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const r = HAVE_TIME
    ? await runProc(TIME, ['-v', '-o', rssFile, process.execPath, ...nodeFlags, BIN, ...args])
    : await runProc(process.execPath, ['--import', RSS_HOOK, ...nodeFlags, BIN, ...args], { env: { ...process.env, HEADROOM_BENCH_RSS_FILE: rssFile } });
  let rssMb = NaN;
  let cpu = NaN;
  try {
    const text = await fsp.readFile(rssFile, 'utf8');
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text) ?? /^(\d+)$/m.exec(text);
    if (m) rssMb = Number(m[1]) / 1024;
    const u = /User time \(seconds\): ([\d.]+)/.exec(text);
    const sy = /System time \(seconds\): ([\d.]+)/.exec(text);
    if (u && sy) cpu = Number(u[1]) + Number(sy[1]);
    await fsp.rm(rssFile, { force: true });
  } catch {
    /* no rss */
  }
  if (r.code !== 0 && r.code !== 1) throw new Error(`headroom ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return { seconds: r.seconds, rssMb, cpu, code: r.code };
}

function clientArgs(server: TestServer): string[] {
  return ['--no-defaults', '--protocol=TCP', '-h', server.host, '-P', String(server.port), '-u', 'root', '--batch', '--quick', '--raw', '--skip-column-names'];
}
const MARIADB = ['/usr/bin/mariadb', '/usr/bin/mysql'].find((p) => fs.existsSync(p)) ?? 'mariadb';

async function client(server: TestServer, sqlFile: string, stdout?: string): Promise<number> {
  const r = await runProc(MARIADB, clientArgs(server), { stdin: sqlFile, ...(stdout ? { stdout } : {}) });
  if (r.code !== 0) throw new Error(`${MARIADB} < ${sqlFile} on ${server.name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.seconds;
}

// ---------------------------------------------------------------------------------------------
// Stats

interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}
function stat(xs: number[]): Stat {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}
const median = (xs: number[]) => stat(xs).median;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const statText = (s: Stat, unit = 's', fmt = f2) => `${fmt(s.median)} ${unit} (${fmt(s.min)}–${fmt(s.max)})`;

// ---------------------------------------------------------------------------------------------

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** 1-minute load average: other work on the machine shows up here (the servers' own work too). */
function loadAvg(): number {
  return os.loadavg()[0] ?? NaN;
}

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    cpu: model,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    git: sh('git', ['rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['status', '--porcelain', '--', 'src', 'bin']).split('\n').filter(Boolean).length,
  };
}

/** Inline code that may itself contain backticks. */
const code = (t: string) => (t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``);

/** A short name for a statement: the catalog table it reads, or what it is. */
export function statementKind(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (/\bmax\(/i.test(t)) {
    const n = (t.match(/\bunion all\b/gi)?.length ?? 0) + 1;
    return `MAX() batch (${n} index dive${n === 1 ? '' : 's'})`;
  }
  const from = [...t.matchAll(/\b(?:from|join)\s+`?(information_schema|mysql|performance_schema|sys)`?\.`?(\w+)`?/gi)].map((m) => `${m[1]}.${m[2]!.toUpperCase()}`);
  if (from.length) return from.join(' ⟕ ');
  return t.length > 70 ? `${t.slice(0, 67)}…` : t;
}

/** A statement for a document: long IN lists and UNION ALL chains shortened. */
export function abbreviate(text: string): string {
  let t = text.replace(/\s+/g, ' ').trim();
  t = t.replace(/\bin \(((?:'[^']*', ){4,}'[^']*')\)/gi, (_m, list: string) => `in (…${list.split("', '").length} values…)`);
  const parts = t.split(/ union all /i);
  if (parts.length > 2) t = `${parts[0]} union all … (${parts.length} selects, one per column)`;
  return t;
}

/** LPT: longest item first onto the least-loaded lane. */
function lanes<T extends { cost: number }>(items: T[], count: number): T[][] {
  const out: { load: number; items: T[] }[] = Array.from({ length: Math.max(1, Math.min(count, items.length)) }, () => ({ load: 0, items: [] }));
  for (const it of [...items].sort((a, b) => b.cost - a.cost)) {
    const lane = out.reduce((a, b) => (b.load < a.load ? b : a));
    lane.items.push(it);
    lane.load += it.cost;
  }
  return out.map((l) => l.items);
}

function yamlFor(list: TestServer[], shardConcurrency = Math.max(8, list.length)): string {
  return [
    '# generated by bench/run.ts',
    'shards:',
    ...list.map((s) => `  - { name: ${s.name}, host: ${s.host}, port: ${s.port} }`),
    'defaults:',
    '  user: root',
    `  concurrency: ${CONCURRENCY}`,
    `  timeoutSeconds: ${TIMEOUT}`,
    `  shardConcurrency: ${shardConcurrency}`,
    '',
  ].join('\n');
}

async function globalStatus(server: TestServer, names: string[]): Promise<Record<string, number>> {
  const rows = (await server.sql(`SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map((n) => `'${n}'`).join(',')})`)) as { Variable_name: string; Value: string }[];
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

async function main(): Promise<void> {
  const started = performance.now();
  const mach = machine();
  tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'headroom-bench-'));
  log(`fleet ${SHAPE.servers} servers × ${SHAPE.databases} databases × ${SHAPE.tables} tables = ${int(TOTAL_TABLES)} tables; ${RUNS} runs after a warm-up`);
  if (!HAVE_TIME) log(`${TIME} not found (Debian package "time"): peak RSS read through ${path.relative(ROOT, RSS_HOOK)} instead`);

  if (!opt['skip-build']) {
    log('building dist/ (tsc -p tsconfig.build.json)');
    const b = await runProc(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
    // tsc still emits on type errors: measure what was emitted, but say so.
    if (b.code !== 0) {
      buildWarning = `tsc reported errors (dist/ emitted anyway): ${(b.stderr || '').split('\n').slice(0, 3).join(' ')}`;
      log(buildWarning);
    }
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'bin.js'))) throw new Error('dist/ is missing: npm run build');

  // --- servers and fleet
  let t0 = performance.now();
  servers = await startFleet(SHAPE.servers, { namePrefix: 'shard', extraArgs: SERVER_ARGS });
  const startSeconds = (performance.now() - t0) / 1000;
  const mariadbVersion = String(((await servers[0]!.sql('SELECT @@version AS v')) as { v: string }[])[0]?.v);
  log(`${servers.length} servers up in ${f2(startSeconds)} s (MariaDB ${mariadbVersion}); building the fleet`);
  let lastLog = 0;
  const progress = new Array<number>(servers.length).fill(0);
  const build = await buildFleet(servers, SHAPE, {
    batch: BATCH,
    onProgress: (s, done) => {
      progress[s] = done;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  built ${int(progress.reduce((a, b) => a + b, 0))} of ${int(SHAPE.databases * SHAPE.servers)} databases`);
      }
    },
  });
  log(`fleet built in ${f2(build.seconds)} s (${int(TOTAL_TABLES / build.seconds)} tables/s)`);
  const counted = (await servers[0]!.sql(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE 'ws\\_%' AND TABLE_TYPE = 'BASE TABLE'",
  )) as { n: string }[];
  if (Number(counted[0]?.n) !== SHAPE.databases * SHAPE.tables) throw new Error(`server 1 holds ${counted[0]?.n} tables, expected ${SHAPE.databases * SHAPE.tables}`);

  // --- configs
  const allYaml = path.join(tmpDir, 'fleet.yaml');
  await fsp.writeFile(allYaml, yamlFor(servers));
  const singleYaml = servers.map((s, i) => path.join(tmpDir, `single-${i + 1}.yaml`));
  await Promise.all(servers.map((s, i) => fsp.writeFile(singleYaml[i]!, yamlFor([s]))));
  const scanArgs = (cfg: string) => ['scan', '--config', cfg, '--format', 'json', '--quiet'];

  // --- one scan to a file (sanity: no shard errors, the planted findings are there) with the
  //     server-side counters around it, then the snapshot for plan and for the floor's MAX() list
  log('first scan (checked, with server status counters around it)');
  const statusNames = ['Questions', 'Opened_tables', 'Opened_table_definitions', 'Bytes_sent', 'Created_tmp_disk_tables', 'Created_tmp_tables', 'Handler_read_key', 'Handler_read_rnd_next'];
  const before = await Promise.all(servers.map((s) => globalStatus(s, statusNames)));
  const reportFile = path.join(tmpDir, 'report.json');
  t0 = performance.now();
  const firstScan = await runProc(process.execPath, [BIN, ...scanArgs(allYaml)], { stdout: reportFile });
  const firstScanSeconds = (performance.now() - t0) / 1000;
  const after = await Promise.all(servers.map((s) => globalStatus(s, statusNames)));
  if (firstScan.code !== 0 && firstScan.code !== 1) throw new Error(`headroom scan failed (${firstScan.code}): ${firstScan.stderr}`);
  const report = JSON.parse(await fsp.readFile(reportFile, 'utf8')) as {
    summary: Record<string, unknown>;
    findings: { check: string; severity: string }[];
    errors: unknown[];
  };
  if (report.errors.length) throw new Error(`headroom reported shard errors: ${JSON.stringify(report.errors)}`);
  const findingCounts = new Map<string, number>();
  for (const f of report.findings) findingCounts.set(`${f.check} ${f.severity}`, (findingCounts.get(`${f.check} ${f.severity}`) ?? 0) + 1);
  // Each status counter delta, per server (the SHOW itself counts as one question).
  const serverCost = statusNames.map((n) => ({ name: n, perServer: servers.map((_, i) => (after[i]![n] ?? 0) - (before[i]![n] ?? 0) - (n === 'Questions' ? 1 : 0)) }));

  const snapFile = path.join(tmpDir, 'fleet-snapshot.json');
  const snapRun = await headroom(['snapshot', '--config', allYaml, '--out', snapFile, '--quiet']);
  const snapBytes = (await fsp.stat(snapFile)).size;
  const snapshot = await loadSnapshot(snapFile);
  const inventory = await loadInventory(allYaml, process.env);

  // What headroom covers vs the anchor: keys with a counter, and referencing columns.
  let keys = 0;
  let autoKeys = 0;
  let references = 0;
  for (const shard of snapshot.shards) {
    for (const d of shard.databases) for (const t of d.tables) {
      const k = keyColumn(t);
      if (k) keys++;
      if (k?.autoIncrement) autoKeys++;
    }
    references += resolveRelationships(shard, inventory).length;
  }

  // --- the statements headroom sends, two ways:
  //  1. captured: one scan with the general query log on (log_output=TABLE), per server and per
  //     connection, exactly as the server received them. The floor replays these.
  //  2. rendered from headroom's own builders (bench/sql.ts), as a cross-check that the log and
  //     src/introspect/queries.ts agree.
  log('capturing the statements of one scan from the general query log');
  const harnessThread = await Promise.all(servers.map(async (s) => Number(((await s.sql('SELECT CONNECTION_ID() AS id')) as { id: string }[])[0]!.id)));
  await Promise.all(servers.map((s) => s.sql("SET GLOBAL log_output = 'TABLE'; TRUNCATE TABLE mysql.general_log; SET GLOBAL general_log = 1")));
  const capRun = await runProc(process.execPath, [BIN, ...scanArgs(allYaml)]);
  await Promise.all(servers.map((s) => s.sql('SET GLOBAL general_log = 0')));
  if (capRun.code !== 0 && capRun.code !== 1) throw new Error(`capture scan failed (${capRun.code}): ${capRun.stderr}`);
  /** Per server: the statements of each headroom connection, in order. */
  const captured: string[][][] = [];
  for (const [i, s] of servers.entries()) {
    const rows = (await s.sql(
      `SELECT thread_id AS t, CAST(argument AS CHAR CHARACTER SET utf8mb4) AS a FROM mysql.general_log WHERE command_type = 'Query' AND thread_id <> ${harnessThread[i]}`,
    )) as { t: string; a: string }[];
    const byThread = new Map<string, string[]>();
    for (const r of rows) {
      if (/^\s*(SET GLOBAL general_log|SELECT CONNECTION_ID\(\))/i.test(r.a)) continue;
      byThread.set(r.t, [...(byThread.get(r.t) ?? []), r.a]);
    }
    captured[i] = [...byThread.values()];
    await s.sql('TRUNCATE TABLE mysql.general_log');
  }
  /** Leading statements of a connection up to its last SET SESSION: run again on every new connection. */
  const splitPrelude = (stmts: string[]): [string[], string[]] => {
    let last = -1;
    for (let j = 0; j < stmts.length; j++) {
      if (/^\s*set\s+session\b/i.test(stmts[j]!)) last = j;
      else if (last >= 0) break;
    }
    return [stmts.slice(0, last + 1), stmts.slice(last + 1)];
  };

  const maxBatch = Number(/const MAX_BATCH = (\d+)/.exec(await fsp.readFile(path.join(ROOT, 'src', 'introspect', 'collect.ts'), 'utf8'))?.[1] ?? 100);
  const serverSqls: ServerSql[] = [];
  // readDatabases as headroom sends it, to get the list in the server's own order.
  const serverSqlDiscovery = (await render(readDatabases))[0]!;
  for (const [i, s] of servers.entries()) {
    const version = ((await s.sql('select @@version as version, @@version_comment as versionComment')) as { version: string; versionComment: string | null }[])[0]!;
    const all = ((await s.sql(serverSqlDiscovery)) as { name: string }[]).map((r) => r.name);
    const shard = snapshot.shards.find((x) => x.name === s.name);
    if (!shard) throw new Error(`no ${s.name} in the snapshot`);
    serverSqls[i] = await serverSql({ version, timeoutSeconds: TIMEOUT, allDatabases: all, include: inventory.shards[i]!.databases, exclude: inventory.shards[i]!.exclude, shard, config: inventory, maxBatch });
  }
  const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
  const rendered = new Set(
    serverSqls.flatMap((q) => [...q.prelude, ...q.discovery, ...q.catalog.map((c) => c.sql), ...q.maxBatches]).map(squash),
  );
  const sqlDir = path.join(tmpDir, 'sql');
  await fsp.mkdir(sqlDir);
  const asScript = (stmts: string[]) => stmts.map((s) => `${s};\n`).join('');
  const writeSql = async (name: string, stmts: string[]) => {
    const file = path.join(sqlDir, name);
    await fsp.writeFile(file, asScript(stmts));
    return file;
  };

  // --- cost of each statement alone (one server at a time, each statement its own client, with
  //     the prelude), rows it returns; the costs place statements on the floor's lanes
  log('timing each statement alone (also a warm-up)');
  interface Item {
    name: string;
    sql: string;
    cost: number;
    rows: number;
    rendered: boolean;
  }
  const items: Item[][] = [];
  const preludes: string[][] = [];
  let capturedTotal = 0;
  let capturedRendered = 0;
  const connections: number[] = [];
  for (const [i] of servers.entries()) {
    const threads = captured[i]!.map(splitPrelude);
    connections[i] = threads.length;
    preludes[i] = threads[0]?.[0] ?? [];
    const list: Item[] = [];
    for (const [pre, rest] of threads) {
      for (const t of [...pre, ...rest]) {
        capturedTotal++;
        if (rendered.has(squash(t))) capturedRendered++;
      }
      for (const t of rest) list.push({ name: statementKind(t), sql: t, cost: 0, rows: 0, rendered: rendered.has(squash(t)) });
    }
    items[i] = list;
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const [i, s] of servers.entries()) {
      for (const [j, it] of items[i]!.entries()) {
        const file = await writeSql(`item-${i}-${j}.sql`, [...preludes[i]!, it.sql]);
        const outFile = path.join(tmpDir, 'item-out.txt');
        it.cost = await client(s, file, outFile);
        const text = await fsp.readFile(outFile, 'utf8');
        const preludeRows = preludes[i]!.filter((p) => /^\s*select/i.test(p)).length;
        it.rows = text.split('\n').filter(Boolean).length - preludeRows;
      }
    }
  }
  // The slowest statement split in two (what readForeignKeys could send instead), measured the
  // same way on server 1: not part of the floor, evidence for a suggested change.
  const inList = /`TABLE_SCHEMA` in \(([^)]*)\)/.exec(serverSqls[0]!.catalog.find((c) => c.name === 'TABLES')!.sql)?.[1] ?? "''";
  const alternatives = [
    {
      name: 'KEY_COLUMN_USAGE alone',
      sql: `select TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME from information_schema.KEY_COLUMN_USAGE where TABLE_SCHEMA in (${inList}) and REFERENCED_TABLE_NAME is not null`,
      cost: 0,
      rows: 0,
      opened: 0,
    },
    {
      name: 'REFERENTIAL_CONSTRAINTS alone',
      sql: `select CONSTRAINT_SCHEMA, CONSTRAINT_NAME, TABLE_NAME, UPDATE_RULE, DELETE_RULE from information_schema.REFERENTIAL_CONSTRAINTS where CONSTRAINT_SCHEMA in (${inList})`,
      cost: 0,
      rows: 0,
      opened: 0,
    },
  ];
  // Only while headroom still sends the join (readForeignKeys now sends the two statements above).
  const joinItem = items[0]!.find((it) => /KEY_COLUMN_USAGE/.test(it.name) && /left join/i.test(it.sql));
  const joinOpened = { opened: 0 };
  for (const alt of [...alternatives, ...(joinItem ? [{ name: 'join', sql: joinItem.sql, cost: 0, rows: 0, opened: 0 }] : [])]) {
    const file = await writeSql(`alt-${alt.name.replace(/\W+/g, '-')}.sql`, [...preludes[0]!, alt.sql]);
    const outFile = path.join(tmpDir, 'alt-out.txt');
    for (let pass = 0; pass < 2; pass++) {
      const a = await globalStatus(servers[0]!, ['Opened_tables']);
      alt.cost = await client(servers[0]!, file, outFile);
      const b = await globalStatus(servers[0]!, ['Opened_tables']);
      alt.opened = (b['Opened_tables'] ?? 0) - (a['Opened_tables'] ?? 0);
    }
    alt.rows = (await fsp.readFile(outFile, 'utf8')).split('\n').filter(Boolean).length - preludes[0]!.filter((p) => /^\s*select/i.test(p)).length;
    if (alt.name === 'join') joinOpened.opened = alt.opened;
  }

  // The prelude alone (connect + session setup) as the fixed cost of a lane.
  const preludeFile = await writeSql('prelude.sql', preludes[0]!.length ? preludes[0]! : ['SELECT 1']);
  const preludeCost = stat(await Promise.all([0, 1, 2].map(async () => client(servers[0]!, preludeFile)))).median;
  const laneFiles: string[][] = [];
  for (const [i] of servers.entries()) {
    const plan = lanes(items[i]!, CONCURRENCY);
    laneFiles[i] = await Promise.all(plan.map((lane, l) => writeSql(`lane-${i}-${l}.sql`, [...preludes[i]!, ...lane.map((it) => it.sql)])));
  }
  const floor = async (idx: number[]): Promise<number> => {
    const t = performance.now();
    await Promise.all(idx.flatMap((i) => laneFiles[i]!.map((f) => client(servers[i]!, f))));
    return (performance.now() - t) / 1000;
  };
  const anchorFile = await writeSql('anchor.sql', ['SELECT * FROM sys.schema_auto_increment_columns']);
  const anchor = async (idx: number[], out?: (i: number) => string): Promise<number> => {
    const t = performance.now();
    await Promise.all(idx.map((i) => client(servers[i]!, anchorFile, out?.(i))));
    return (performance.now() - t) / 1000;
  };

  // --- measured runs (run 0 is the warm-up and is not counted)
  const all = servers.map((_, i) => i);
  const m = {
    floor: [] as number[],
    scan: [] as Measured[],
    anchor: [] as number[],
    plan: [] as Measured[],
    singleScan: servers.map(() => [] as Measured[]),
    singleFloor: servers.map(() => [] as number[]),
  };
  let anchorRows = 0;
  const loads: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const warm = run === 0;
    loads.push(loadAvg());
    log(`${warm ? 'warm-up' : `run ${run}/${RUNS}`}: floor, headroom scan, ${run <= ANCHOR_RUNS ? 'anchor, ' : ''}plan, each server alone`);
    const fl = await floor(all);
    const sc = await headroom(scanArgs(allYaml));
    let an = NaN;
    if (run <= ANCHOR_RUNS) {
      an = await anchor(all, warm ? (i) => path.join(tmpDir, `anchor-${i}.txt`) : undefined);
      if (warm) {
        for (const i of all) anchorRows += (await fsp.readFile(path.join(tmpDir, `anchor-${i}.txt`), 'utf8')).split('\n').filter(Boolean).length;
      }
    }
    const pl = await headroom(['plan', '--snapshot', snapFile, '--config', allYaml]);
    const singles: string[] = [];
    for (const i of all) {
      const sf = await floor([i]);
      const ss = await headroom(scanArgs(singleYaml[i]!));
      if (!warm) {
        m.singleFloor[i]!.push(sf);
        m.singleScan[i]!.push(ss);
      }
      singles.push(`${f2(ss.seconds)}/${f2(sf)}`);
    }
    log(`  load ${loads[loads.length - 1]!.toFixed(1)} · floor ${f2(fl)} s · scan ${f2(sc.seconds)} s (cpu ${f2(sc.cpu)} s) ${int(sc.rssMb)} MB · anchor ${f2(an)} s · plan ${f2(pl.seconds)} s ${int(pl.rssMb)} MB · single scan/floor ${singles.join(' ')}`);
    if (warm) continue;
    m.floor.push(fl);
    m.scan.push(sc);
    if (Number.isFinite(an)) m.anchor.push(an);
    m.plan.push(pl);
  }

  // --- profiles (not counted in the medians)
  let scanProfile: ProfileSummary | undefined;
  let planProfile: ProfileSummary | undefined;
  if (!opt['no-profile']) {
    log('profiling one scan and one plan (node --cpu-prof)');
    const profDir = path.join(tmpDir, 'prof');
    const one = async (name: string, args: string[]) => {
      const dir = path.join(profDir, name);
      await headroom(args, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      const file = (await fsp.readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
      return file ? summariseProfile(path.join(dir, file), ROOT) : undefined;
    };
    scanProfile = await one('scan', scanArgs(allYaml));
    planProfile = await one('plan', ['plan', '--snapshot', snapFile, '--config', allYaml]);
  }
  // Is the RSS what the scan needs, or V8 growing its heap because it may? One scan with a capped old space.
  log('one scan with --max-old-space-size=96');
  const capped = await headroom(scanArgs(allYaml), ['--max-old-space-size=96']).then(
    (r) => `${f2(r.seconds)} s, peak RSS ${f2(r.rssMb)} MB, CPU ${f2(r.cpu)} s`,
    (e: Error) => `failed: ${e.message.split('\n').slice(0, 3).join(' ').slice(0, 300)}`,
  );

  // What Node and headroom's modules take before any work: `headroom --version`.
  const idle = await headroom(['--version']);

  // --- memory against servers in flight: the same fleet read 1, 2, 4 … servers at a time. A scan
  //     holds the servers it is reading, not the fleet: with one at a time its peak should be about
  //     that of one server alone.
  const inFlight: { c: number; m: Measured }[] = [];
  for (const c of [1, 2, 4].filter((x) => x < servers.length)) {
    log(`one scan with shardConcurrency ${c}`);
    const y = path.join(tmpDir, `fleet-c${c}.yaml`);
    await fsp.writeFile(y, yamlFor(servers, c));
    inFlight.push({ c, m: await headroom(scanArgs(y)) });
  }

  // --- phase breakdown (in this process, same functions as collect.ts), all servers and server 1 alone
  log('phase breakdown (in-process, same calls as collect.ts)');
  await phaseBreakdown(inventory, maxBatch); // warm-up
  const phasesAll = await phaseBreakdown(inventory, maxBatch);
  const phasesOne = await phaseBreakdown({ ...inventory, shards: [inventory.shards[0]!] }, maxBatch);

  const names = servers.map((s) => s.name);
  await stopAll();

  // --- results
  const floorS = stat(m.floor);
  const scanS = stat(m.scan.map((x) => x.seconds));
  const rssS = stat(m.scan.map((x) => x.rssMb));
  const anchorS = stat(m.anchor);
  const planS = stat(m.plan.map((x) => x.seconds));
  const planRss = stat(m.plan.map((x) => x.rssMb));
  const scanCpu = stat(m.scan.map((x) => x.cpu));
  const planCpu = stat(m.plan.map((x) => x.cpu));
  const singleScan = m.singleScan.map((xs) => stat(xs.map((x) => x.seconds)));
  const singleFloor = m.singleFloor.map((xs) => stat(xs));
  const slowestSingle = Math.max(...singleScan.map((s) => s.median));
  const slowestSingleFloor = Math.max(...singleFloor.map((s) => s.median));
  const ratioScan = scanS.median / floorS.median;
  const ratioScanMin = scanS.min / floorS.min;
  const ratioAnchor = anchorS.median / floorS.median;
  const ratioParallel = scanS.median / slowestSingle;
  const ratioParallelFloor = floorS.median / slowestSingleFloor;
  const perRunRatios = m.scan.map((s, i) => s.seconds / m.floor[i]!);
  const at100k = TOTAL_TABLES >= 100_000;

  const rows: [string, string, string][] = [
    ['floor (mariadb client, same SQL, all servers)', statText(floorS), '1.00×'],
    ['headroom scan --format json (all servers)', statText(scanS), `${f2(ratioScan)}×`],
    ['anchor sys.schema_auto_increment_columns', statText(anchorS), `${f2(ratioAnchor)}×`],
    ['headroom scan, slowest single server', `${f2(slowestSingle)} s`, `all/single ${f2(ratioParallel)}×`],
    ['floor, slowest single server', `${f2(slowestSingleFloor)} s`, `all/single ${f2(ratioParallelFloor)}×`],
    ['headroom scan CPU (user+sys of the headroom process)', statText(scanCpu), `${pct(scanCpu.median / scanS.median)} of its wall time${scanCpu.median > scanS.median ? ' (over 100%: V8 collects garbage and compiles on helper threads)' : ''}`],
    ['headroom scan peak RSS', statText(rssS, 'MB', (x) => x.toFixed(0)), ''],
    ['headroom plan --snapshot (whole fleet)', statText(planS), `CPU ${f2(planCpu.median)} s, peak RSS ${planRss.median.toFixed(0)} MB`],
  ];
  console.log('');
  console.log(`headroom bench: ${SHAPE.servers} servers × ${SHAPE.databases} databases × ${SHAPE.tables} tables = ${int(TOTAL_TABLES)} tables, median (min–max) of ${RUNS} runs`);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const r of rows) console.log(`  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);

  const verdict = (ok: boolean, text: string) => `${ok ? '**met**' : '**missed**'}: ${text}`;
  const targets: string[] = [];
  targets.push(
    `| headroom ≤ 1.15× floor | ${f2(ratioScan)}× of medians; ${f2(ratioScanMin)}× of the fastest runs; per-run ratios ${perRunRatios.map(f2).join(', ')} | ` +
      verdict(ratioScan <= 1.15, ratioScan <= 1.15 ? `${f2(scanS.median - floorS.median)} s above the floor` : `by ${pct(ratioScan / 1.15 - 1)}; headroom takes ${f2(scanS.median - floorS.median)} s more than the floor (the floor allows ${f2(floorS.median * 1.15)} s)`) +
      ' |',
  );
  targets.push(
    `| ${SHAPE.servers} servers in parallel ≤ 1.3× slowest single server (target stated for 8) | ${f2(ratioParallel)}× (${f2(scanS.median)} s vs ${f2(slowestSingle)} s); the floor itself: ${f2(ratioParallelFloor)}× | ` +
      verdict(ratioParallel <= 1.3, ratioParallel <= 1.3 ? 'within' : `by ${pct(ratioParallel / 1.3 - 1)}; with ${mach.nproc} cores shared by ${SHAPE.servers} mariadbd and the client, the floor's own all/single ratio is ${f2(ratioParallelFloor)}×`) +
      ' |',
  );
  targets.push(
    `| peak RSS ≤ 150 MB at 100k tables | ${f2(rssS.median)} MB at ${int(TOTAL_TABLES)} tables | ` +
      (at100k ? verdict(rssS.median <= 150, rssS.median <= 150 ? 'within' : `by ${pct(rssS.median / 150 - 1)} (${f2(rssS.median - 150)} MB over)`) : `not judged at this size (target is for 100k tables; run --scale)${rssS.median > 150 ? `; already ${f2(rssS.median - 150)} MB over at ${int(TOTAL_TABLES)} tables` : ''}`) +
      ' |',
  );
  targets.push(
    `| plan ≤ 2 s for a 100k-table snapshot | ${f2(planS.median)} s at ${int(TOTAL_TABLES)} tables | ` +
      (at100k ? verdict(planS.median <= 2, planS.median <= 2 ? 'within' : `by ${pct(planS.median / 2 - 1)} (${f2(planS.median - 2)} s over)`) : `not judged at this size (run --scale)${planS.median > 2 ? `; already ${f2(planS.median - 2)} s over at ${int(TOTAL_TABLES)} tables` : ''}`) +
      ' |',
  );

  const profileMd = (p: ProfileSummary | undefined, title: string): string[] => {
    if (!p) return [];
    const busy = p.totalMs - p.idleMs;
    return [
      `#### ${title}`,
      '',
      `Profile length ${f2(p.totalMs / 1000)} s: idle (waiting on the servers) ${f2(p.idleMs / 1000)} s, on CPU ${f2(busy / 1000)} s, of which garbage collection ${f2(p.gcMs / 1000)} s.`,
      '',
      '| self time by owner | ms | share |',
      '|---|---:|---:|',
      ...p.byOwner.slice(0, 8).map((o) => `| ${o.owner} | ${int(o.ms)} | ${pct(o.share)} |`),
      '',
      '| top self time | where | ms | share |',
      '|---|---|---:|---:|',
      ...p.self.map((r) => `| \`${r.fn}\` | ${r.where} | ${int(r.ms)} | ${pct(r.share)} |`),
      '',
      '| headroom function (incl. callees) | where | ms | share |',
      '|---|---|---:|---:|',
      ...p.inclusive.slice(0, 12).map((r) => `| \`${r.fn}\` | ${r.where} | ${int(r.ms)} | ${pct(r.share)} |`),
      '',
    ];
  };

  const byKind = new Map<string, { count: number; rows: number; seconds: number; example: string; rendered: boolean }>();
  for (const it of items[0]!) {
    const k = byKind.get(it.name) ?? { count: 0, rows: 0, seconds: 0, example: it.sql, rendered: true };
    k.count++;
    k.rows += it.rows;
    k.seconds += it.cost;
    k.rendered &&= it.rendered;
    byKind.set(it.name, k);
  }
  const costLines = [
    `| statement (server 1; each alone in its own client, incl. connect + prelude) | times per scan | rows returned | seconds alone |`,
    '|---|---:|---:|---:|',
    `| connect + prelude: ${preludes[0]!.map((p) => code(abbreviate(p))).join('; ')} | ${connections[0]} (once per connection) | ${preludes[0]!.filter((p) => /^\s*select/i.test(p)).length} | ${f3(preludeCost)} |`,
    ...[...byKind].map(([k, v]) => `| ${k}${v.rendered ? '' : ' (not rendered by bench/sql.ts)'} | ${v.count} | ${int(v.rows)} | ${f3(v.seconds)} |`),
    '',
    `The same statements, shortened (long IN lists and UNION ALL chains abbreviated), server 1:`,
    '',
    ...[...byKind].map(([k, v]) => `- ${k}: ${code(abbreviate(v.example))}`),
    '',
    joinItem
      ? `The slowest statement, split in two (not what headroom sends; measured the same way on server 1, second of two runs each): ` +
        alternatives.map((a) => `${a.name} ${f3(a.cost)} s, ${int(a.rows)} rows, ${int(a.opened)} table opens`).join('; ') +
        `; the join as headroom sends it: ${int(joinOpened.opened)} table opens.`
      : `The foreign-key statements headroom sends, measured alone the same way on server 1 (second of two runs each): ` +
        alternatives.map((a) => `${a.name} ${f3(a.cost)} s, ${int(a.rows)} rows, ${int(a.opened)} table opens`).join('; ') +
        '.',
    '',
    `Captured from the general query log of one scan: ${int(capturedTotal)} statements on ${int(connections.reduce((a, b) => a + b, 0))} connections (${connections.join(', ')} per server); ${int(capturedRendered)} of them are identical to what bench/sql.ts renders from src/introspect/queries.ts. \`Questions\` below also counts each connection's COM_QUIT (one per connection), which the general log does not list as a statement.`,
  ];
  const serverCostLines = [
    `| counter (SHOW GLOBAL STATUS delta over one scan) | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...serverCost.map((c) => `| ${c.name} | ${c.perServer.map(int).join(' | ')} |`),
  ];

  const phaseMd = (all: PhaseTimes, one: PhaseTimes): string[] => {
    const keysOf = Object.keys(all.perServer[0] ?? {});
    const slowest = (pt: PhaseTimes, k: string) => Math.max(...pt.perServer.map((p) => p[k] ?? NaN));
    return [
      `| phase | ${SHAPE.servers} servers at once: slowest server, s | one server alone, s | rows (all servers) |`,
      '|---|---:|---:|---:|',
      ...keysOf.map((k) => `| ${k} | ${f3(slowest(all, k))} | ${f3(slowest(one, k))} | ${all.rows[k] !== undefined ? int(all.rows[k]!) : ''} |`),
      ...Object.keys(all.fleet).map((k) => `| ${k} | ${f3(all.fleet[k]!)} | ${f3(one.fleet[k] ?? NaN)} | |`),
      `| total in-process | ${f3(all.wall)} | ${f3(one.wall)} | |`,
      '',
      `Retained JavaScript heap (MB above the bench process's own, after a full GC, in the same pass). The peak RSS of a scan is Node with headroom's modules loaded (\`headroom --version\`: ${f2(idle.rssMb)} MB RSS), these, and whatever garbage V8 lets pile up before collecting:`,
      '',
      `| held | ${SHAPE.servers} servers | one server |`,
      '|---|---:|---:|',
      ...[...new Set([...Object.keys(one.memory), ...Object.keys(all.memory)])].map((k) => `| ${k} | ${f2(all.memory[k] ?? NaN)} | ${f2(one.memory[k] ?? NaN)} |`),
      '',
      `One scan of the whole fleet with \`node --max-old-space-size=96\` (not counted above): ${capped}.`,
      '',
      `Peak RSS against servers read at once (\`shardConcurrency\`), the whole fleet of ${int(TOTAL_TABLES)} tables each time (one scan each; the last row is the measured runs' median; one server alone holds ${int(TOTAL_TABLES / SHAPE.servers)} tables):`,
      '',
      '| servers read at once | wall, s | CPU, s | peak RSS, MB |',
      '|---:|---:|---:|---:|',
      `| one server alone (median of the single-server runs) | ${f2(median(m.singleScan.flat().map((x) => x.seconds)))} | ${f2(median(m.singleScan.flat().map((x) => x.cpu)))} | ${f2(median(m.singleScan.flat().map((x) => x.rssMb)))} |`,
      ...inFlight.map((x) => `| ${x.c} | ${f2(x.m.seconds)} | ${f2(x.m.cpu)} | ${f2(x.m.rssMb)} |`),
      `| ${SHAPE.servers} (all) | ${f2(median(m.scan.map((x) => x.seconds)))} | ${f2(median(m.scan.map((x) => x.cpu)))} | ${f2(median(m.scan.map((x) => x.rssMb)))} |`,
      '',
    ];
  };

  const section = [
    `## ${PRESET === 'default' ? 'Default fleet' : PRESET === 'scale' ? 'Scale fleet (--scale)' : `Custom fleet (${PRESET})`}: ${int(TOTAL_TABLES)} tables`,
    '',
    ...(buildWarning ? [`> ${buildWarning}`, ''] : []),
    `Run ${new Date().toISOString()} by \`npm run bench${PRESET === 'default' ? '' : ` -- ${process.argv.slice(2).join(' ')}`}\`, headroom at ${mach.git}${mach.dirty ? ` with ${mach.dirty} uncommitted change(s) in src/ or bin/` : ''}; the whole run took ${f2((performance.now() - started) / 60_000)} min.`,
    '',
    '**Machine**',
    '',
    `- ${mach.nproc} CPUs (${mach.cpu}), ${mach.memoryGiB.toFixed(1)} GiB memory, ${mach.kernel}`,
    `- MariaDB ${mariadbVersion} (\`mariadbd\` and the \`${path.basename(MARIADB)}\` client), Node ${mach.node}`,
    `- peak RSS from ${HAVE_TIME ? '`/usr/bin/time -v` (Debian package `time`)' : 'process.resourceUsage().maxRSS in the child (bench/maxrss-hook.mjs)'}`,
    '',
    '**Fleet**',
    '',
    `- ${SHAPE.servers} servers × ${SHAPE.databases} databases × ${SHAPE.tables} tables = ${int(TOTAL_TABLES)} tables (${int(SHAPE.databases * SHAPE.tables)} per server), Rails-style: see bench/fleet.ts`,
    `- headroom sees ${int(keys)} keys (${int(autoKeys)} AUTO_INCREMENT) and ${int(references)} referencing columns (declared, inferred); near-limit values planted in ${build.plantedDatabases} databases (every ${PLANT_EVERY}th per server)`,
    `- findings: ${[...findingCounts].sort().map(([k, n]) => `${k} ${int(n)}`).join(', ')}`,
    `- built in ${f2(build.seconds)} s (${int(TOTAL_TABLES / build.seconds)} tables/s; servers started in ${f2(startSeconds)} s; one ${int(databaseDdl(SHAPE.tables).length)}-byte DDL text replayed ${int(SHAPE.databases * SHAPE.servers)} times in batches of ${BATCH} databases per round trip, servers in parallel)`,
    `- snapshot: \`headroom snapshot\` once, ${f2(snapRun.seconds)} s, ${f2(snapBytes / 1024 / 1024)} MB file, peak RSS ${f2(snapRun.rssMb)} MB`,
    '',
    '**Settings**',
    '',
    `- mariadbd: harness defaults (test/support/mariadb.ts) plus \`${SERVER_ARGS.join(' ')}\``,
    `- headroom: \`concurrency: ${CONCURRENCY}\` connections per server, \`timeoutSeconds: ${TIMEOUT}\`, all servers at once; command \`node bin/headroom.js scan --config fleet.yaml --format json --quiet > /dev/null\``,
    `- floor: the statements headroom sends (captured from the general query log of one scan; see "Cost per statement" for the cross-check against src/introspect/queries.ts), per server on ${CONCURRENCY} \`${path.basename(MARIADB)} --batch --quick\` clients in parallel, each opening with headroom's connection prelude, statements placed on the clients longest-first by their cost alone; all servers in parallel, output to /dev/null. It knows the database list and the MAX() targets in advance, so it has no round trips between phases: a lower bound`,
    `- anchor: \`SELECT * FROM sys.schema_auto_increment_columns\` per server, servers in parallel (${ANCHOR_RUNS} runs): ${int(anchorRows)} rows on the fleet, AUTO_INCREMENT columns only, no referencing columns: less than headroom reports (${int(keys)} keys + ${int(references)} references)`,
    `- ${RUNS} measured runs after one warm-up, each run: floor, scan, anchor, plan, then each server alone (floor, scan)`,
    `- 1-minute load average at the start of the warm-up and of each measured run: ${loads.map((l) => l.toFixed(1)).join(', ')} on ${mach.nproc} CPUs (other sessions share this machine; spread between runs comes from there)`,
    '',
    '**Results** (median, min–max)',
    '',
    '| measure | time | ratio |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r[0]} | ${r[1]} | ${r[2]} |`),
    '',
    `Single servers, scan / floor medians: ${names.map((n, i) => `${n} ${f2(singleScan[i]!.median)} / ${f2(singleFloor[i]!.median)} s`).join(' · ')}.`,
    '',
    '**Targets (issue 6)**',
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    ...targets,
    '',
    '**Cost per statement**',
    '',
    ...costLines,
    '',
    `What one full scan cost each server (first scan, SHOW GLOBAL STATUS before and after; ${int(SHAPE.databases * SHAPE.tables)} tables per server):`,
    '',
    ...serverCostLines,
    '',
    '**Where the time goes**',
    '',
    'Phase by phase, timed in the bench process with the same calls collect.ts makes (bench/phases.ts); the catalog reads run at once on the pool, so each read\'s time is from the start of the six to its own end:',
    '',
    ...phaseMd(phasesAll, phasesOne),
    ...(scanProfile || planProfile ? [...profileMd(scanProfile, 'headroom scan (all servers), node --cpu-prof'), ...profileMd(planProfile, 'headroom plan --snapshot, node --cpu-prof')] : []),
  ].join('\n');

  await writeBlock(OUT, PRESET, section, RESULTS_HEADER);
  log(`results written to ${path.relative(process.cwd(), OUT)} (section "${PRESET}")`);
  // docs/scan-cost.md carries the measured cost tables of the default and --scale fleets.
  const costDoc = path.join(ROOT, 'docs', 'scan-cost.md');
  if ((PRESET === 'default' || PRESET === 'scale') && !opt.out && fs.existsSync(costDoc)) {
    const doc = [
      `Measured by \`npm run bench${PRESET === 'scale' ? ' -- --scale' : ''}\` on ${new Date().toISOString().slice(0, 10)}: MariaDB ${mariadbVersion}, ${SHAPE.servers} servers × ${SHAPE.databases} databases × ${SHAPE.tables} tables (${int(SHAPE.databases * SHAPE.tables)} tables per server), ${mach.nproc} CPUs; \`${SERVER_ARGS.slice(0, 2).join(' ')}\`. Full results: bench/RESULTS.md.`,
      '',
      ...costLines.map((l) => l.replace(' (not rendered by bench/sql.ts)', '')),
      '',
      `Server counters over one full scan (SHOW GLOBAL STATUS before and after, per server):`,
      '',
      ...serverCostLines,
      '',
      `Whole fleet, median of ${RUNS} runs: headroom scan ${f2(scanS.median)} s, the same statements through the \`mariadb\` client ${f2(floorS.median)} s, \`sys.schema_auto_increment_columns\` ${f2(anchorS.median)} s.`,
    ].join('\n');
    await writeBlock(costDoc, `cost:${PRESET}`, doc);
    log(`measured cost tables written to docs/scan-cost.md (block "cost:${PRESET}")`);
  }
  void firstScanSeconds;
  void tableDefs;
}

const RESULTS_HEADER = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/run.ts): every number below is measured by that run, never typed.',
  'How it measures: bench/README.md. What a scan sends and costs a server: docs/scan-cost.md.',
  '',
].join('\n');

/** Replace (or append) the block between `<!-- bench:KEY -->` and `<!-- /bench:KEY -->` in FILE. */
async function writeBlock(file: string, key: string, content: string, header = ''): Promise<void> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    text = header;
  }
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const block = `${start}\n${content}\n${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  await fsp.writeFile(file, text.trimEnd() + '\n');
}

try {
  await main();
} catch (e) {
  log(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (tmpDir) await fsp.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
}
