/**
 * Throwaway MariaDB servers for tests, benchmarks and the demo-capture script.
 *
 * Every server is a private `mariadbd` with its own base dir (data/, tmp/, socket, pid file,
 * error log) under os.tmpdir(), listening on a free 127.0.0.1 port, with root reachable over
 * TCP with an empty password and the grant tables enabled. `--no-defaults` keeps /etc/mysql
 * out of it, so the shared MariaDB on 127.0.0.1:3306 (its config, data dir, socket and port)
 * is never touched.
 *
 * How it stays fast: `mariadb-install-db` runs at most once per machine (not even once per
 * process when the cache is warm). It builds a template data dir under
 * os.tmpdir()/headroom-mariadb-template-<version>-<options hash>, built in a temp dir,
 * verified by booting a server on it, then renamed into place atomically, so concurrent
 * vitest workers can race for it safely. Each server gets a recursive copy of that template.
 *
 * Timings measured on the 2-core dev/CI machine (MariaDB 10.11.19, ext4, os.tmpdir()=/tmp),
 * from HEADROOM_MARIADB_DEBUG=1 output; the higher ends are with other work running:
 *   mariadb-install-db into an empty dir ....... 0.55-0.9 s (2-4 s when 3 processes race to
 *                                                 build it); once per machine, cached after
 *   verifying the template (boot, checks, stop)  0.17-0.3 s, with the install only
 *   copying the template (26 MB, ~200 files) ... 30-90 ms per server with `cp -a`
 *                                                 (fs.cp took 85-150 ms)
 *   server start until it answers a query ...... 0.12-0.35 s alone; a fleet of 2 in ~0.2 s,
 *                                                 of 4 in ~0.35 s (started in parallel)
 *   graceful stop (SIGTERM until exit) ......... 20-70 ms
 * So a cold process pays ~0.2-0.5 s per server, plus ~1 s once if the template is missing.
 *
 * Surprises met on the way (MariaDB 10.11 on Debian 12):
 *  - concurrent mariadb-install-db runs sharing /tmp fail now and then (about 1 in 9 with 3 at
 *    once): "Could not remove temporary table '/tmp/#sql-temptable-...'" then "Unknown table
 *    'mysql.tmp_user_sys'". Giving each its own --tmpdir fixed it (0 failures in 18).
 *  - install-db also creates root@<hostname> accounts that --skip-name-resolve then warns about
 *    at every start; the template drops them.
 *  - every integer system variable (@@port, @@server_id, @@log_bin...) is a BIGINT, so with
 *    bigNumberStrings sql() returns it as a string: '1', not 1.
 *  - a trailing comment after the last `;` counts as one more (empty) statement, so
 *    sql('SELECT 1; -- done') returns [].
 *
 * Cleanup, in layers:
 *  - stop() shuts a server down gracefully and removes its base dir;
 *  - a process 'exit' handler SIGKILLs every server still running and removes its base dir;
 *  - each mariadbd is started through a tiny `sh` wrapper that `exec`s into mariadbd (so the
 *    child pid IS mariadbd) after forking a watchdog that holds the read end of a control
 *    pipe (fd 3) from this process. If this process dies without running 'exit' handlers
 *    (SIGKILL, a fatal signal, a vitest worker torn down), the pipe hits EOF and the watchdog
 *    SIGKILLs the server (if it still is the watchdog's parent, so a recycled pid is never
 *    hit) and removes its base dir. stop() writes "disarm" to the pipe, so a dir kept with
 *    stop({ keep: true }) survives the process exit. The control pipe is deliberately not
 *    stdin: Node destroys a child's stdin as soon as the child exits.
 *
 * Debugging: HEADROOM_MARIADB_DEBUG=1 prints timings to stderr. HEADROOM_MARIADBD and
 * HEADROOM_MARIADB_INSTALL_DB override the binaries (default: /usr/sbin/mariadbd and
 * /usr/bin/mariadb-install-db, else found on PATH).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';

export interface TestServer {
  name: string; // e.g. "shard-1"
  host: string; // "127.0.0.1"
  port: number; // a free loopback port picked at start
  socket: string; // unix socket path inside its own dir
  baseDir: string; // its own dir holding data/ tmp/ and logs
  url: string; // `mysql://root@127.0.0.1:${port}`
  /**
   * Run SQL (may contain many statements) as root via a mysql2 connection with
   * multipleStatements:true. Returns rows of the last statement ([] when the last statement
   * returns no rows, e.g. INSERT or CREATE; a comment after the last `;` counts as one).
   *
   * One connection per server is opened lazily and reused; calls are serialized on it. When
   * `database` is given the connection switches to it (USE) first, and stays there: a later
   * call without `database` runs in the last database selected (none until one is given), so
   * qualify table names when you omit it. Session state (user variables, temporary tables,
   * SET SESSION) carries over between calls. After kill() or a lost connection, the next call
   * reconnects (and fails if the server is gone).
   */
  sql(text: string, database?: string): Promise<unknown[]>;
  /** Graceful stop (SIGTERM, wait for exit, up to ~20s then SIGKILL); removes baseDir unless keep is true. Idempotent. */
  stop(opts?: { keep?: boolean }): Promise<void>;
  /** SIGKILL the server right now (for "server dies mid-scan" tests). */
  kill(): void;
}

export interface StartOptions {
  /** Label used in errors and logs; default "mariadb-<n>". */
  name?: string;
  /**
   * Extra mariadbd options, appended last so they override the harness defaults (for
   * example `--log-bin=mysql-bin`, which also drops the default `--skip-log-bin`). Do not
   * pass --port, --socket, --datadir, --tmpdir, --pid-file or --log-error: the harness owns them.
   */
  extraArgs?: string[];
  /** Parent dir for the server's base dir; default os.tmpdir(). */
  rootDir?: string;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const INSTALL_TIMEOUT_MS = 120_000;
const PORT_ATTEMPTS = 5;
const LOG_TAIL_LINES = 20;
/** Linux sun_path is 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
/** mariadbd refuses to run as root without --user=root; as anyone else --user only warns. */
const USER_ARGS = IS_ROOT ? ['--user=root'] : [];

/**
 * Sizes that shape the files on disk: they must be the same at install time and at run time
 * (a different redo log size makes InnoDB rebuild the log at every start).
 */
const STORAGE_ARGS = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=64M'];

/** Options that make a throwaway server start, run DDL and stop quickly. */
const FAST_ARGS = [
  '--skip-name-resolve',
  '--innodb-flush-log-at-trx-commit=2', // fsync once a second; survives a mariadbd SIGKILL
  '--innodb-doublewrite=0',
  '--innodb-buffer-pool-dump-at-shutdown=0',
  '--innodb-buffer-pool-load-at-startup=0',
  '--innodb-temp-data-file-path=ibtmp1:1M:autoextend', // default 12M is written out at every start
  '--performance-schema=0',
  '--character-set-server=utf8mb4',
  '--collation-server=utf8mb4_general_ci',
];

const INSTALL_ARGS = [
  '--auth-root-authentication-method=normal', // root@localhost/127.0.0.1/::1 with no password
  '--skip-test-db',
  '--skip-name-resolve',
];

/** Bump when the template's layout or setup changes, to stop reusing old templates. */
const TEMPLATE_FORMAT = 1;
const TEMPLATE_MARKER = 'TEMPLATE_COMPLETE.json';

const DEBUG = Boolean(process.env['HEADROOM_MARIADB_DEBUG']);
function debug(message: string): void {
  if (DEBUG) process.stderr.write(`[headroom mariadb] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup of every server this process started.

interface LiveServer {
  name: string;
  child: ChildProcess;
  baseDir: string;
  exited: boolean;
}

const live = new Set<LiveServer>();

process.on('exit', () => {
  for (const server of live) {
    if (!server.exited && server.child.pid !== undefined) {
      try {
        process.kill(server.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      fs.rmSync(server.baseDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {
      // best effort: the watchdog removes it too
    }
  }
});

/**
 * Runs as `sh -c WRAPPER sh <baseDir> <mariadbd> <args...>` with fd 3 = a control pipe from
 * this process. Forks a watchdog holding the pipe, then execs mariadbd (same pid as the
 * shell). In the watchdog, `$$` is still the shell's pid, i.e. mariadbd's, and mariadbd is
 * the watchdog's parent for as long as it lives (field 4 of /proc/self/stat; `read` is a
 * builtin, so /proc/self is the watchdog itself).
 */
const WRAPPER = `
base="$1"; shift
(
  if read -r line <&3 && [ "$line" = disarm ]; then exit 0; fi
  read -r stat </proc/self/stat && set -- $stat
  if [ "$4" = "$$" ]; then kill -9 $$; sleep 1; fi
  rm -rf "$base"
) </dev/null >/dev/null 2>&1 &
exec "$@" 3<&-
`;

// ---------------------------------------------------------------------------------------------
// Small helpers.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function findBinary(envVar: string, names: string[]): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir && !dirs.includes(dir)) dirs.push(dir);
  }
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // keep looking
      }
    }
  }
  throw new Error(
    `${names[0]} not found (looked for ${names.join(', ')} in ${dirs.join(':')}; set ${envVar} to override). ` +
      'Install MariaDB server, e.g. `apt-get install -y mariadb-server`.',
  );
}

let binaries: { mariadbd: string; installDb: string } | undefined;
function getBinaries(): { mariadbd: string; installDb: string } {
  binaries ??= {
    mariadbd: findBinary('HEADROOM_MARIADBD', ['mariadbd', 'mysqld']),
    installDb: findBinary('HEADROOM_MARIADB_INSTALL_DB', ['mariadb-install-db', 'mysql_install_db']),
  };
  return binaries;
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-LOG_TAIL_LINES).join('\n');
        reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${output}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

async function logTail(file: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(could not read ${file}: ${(error as Error).message})`;
  }
}

/**
 * Recursive copy. GNU `cp -a` is 2-5x faster here than fs.cp (~20-70 ms vs ~85-150 ms for the
 * 26 MB template: fs.cp does per-file work in JS), so use it and fall back to fs.cp.
 */
async function copyTree(src: string, dst: string): Promise<void> {
  try {
    await run('cp', ['-a', '--reflink=auto', src, dst], 60_000);
  } catch (error) {
    debug(`cp -a failed, falling back to fs.cp: ${(error as Error).message}`);
    await removeDir(dst);
    await fsp.cp(src, dst, { recursive: true, mode: fs.constants.COPYFILE_FICLONE });
  }
}

async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** Ports handed out by this process recently, so parallel starts don't pick the same one. */
const recentPorts = new Set<number>();

/** A port nobody listens on, on 127.0.0.1 (as of the moment it returns). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen({ host: HOST, port: 0, exclusive: true }, () => {
        const { port: picked } = server.address() as AddressInfo;
        server.close(() => resolve(picked));
      });
    });
    if (recentPorts.has(port)) continue;
    recentPorts.add(port);
    if (recentPorts.size > 200) {
      const oldest = recentPorts.values().next().value;
      if (oldest !== undefined) recentPorts.delete(oldest);
    }
    return port;
  }
  throw new Error('could not find a free port on 127.0.0.1');
}

/** Port picker used by startServer; replaceable so tests can force the port-race retry path. */
let pickPort: () => Promise<number> = freePort;

/** @internal For the harness's own tests: make the next server starts use `picker` (undefined restores freePort). */
export function setPortPickerForTests(picker: (() => Promise<number>) | undefined): void {
  pickPort = picker ?? freePort;
}

// ---------------------------------------------------------------------------------------------
// Launching mariadbd.

interface ServerPaths {
  baseDir: string;
  dataDir: string;
  tmpDir: string;
  socket: string;
  pidFile: string;
  logFile: string;
}

function serverPaths(baseDir: string): ServerPaths {
  return {
    baseDir,
    dataDir: path.join(baseDir, 'data'),
    tmpDir: path.join(baseDir, 'tmp'),
    socket: path.join(baseDir, 'mysqld.sock'),
    pidFile: path.join(baseDir, 'mysqld.pid'),
    logFile: path.join(baseDir, 'error.log'),
  };
}

function serverArgs(paths: ServerPaths, port: number, extraArgs: readonly string[]): string[] {
  const wantsBinlog = extraArgs.some((arg) => /^--log[-_]bin(=|$)/.test(arg));
  return [
    '--no-defaults', // must come first
    `--datadir=${paths.dataDir}`,
    `--tmpdir=${paths.tmpDir}`,
    `--socket=${paths.socket}`,
    `--pid-file=${paths.pidFile}`,
    `--log-error=${paths.logFile}`,
    `--bind-address=${HOST}`,
    `--port=${port}`,
    ...USER_ARGS,
    ...STORAGE_ARGS,
    ...FAST_ARGS,
    ...(wantsBinlog ? [] : ['--skip-log-bin']),
    ...extraArgs,
  ];
}

interface Running {
  child: ChildProcess;
  port: number;
  /** Resolves when the process has exited (never rejects). */
  exit: Promise<void>;
  exited: () => boolean;
  /** Tell the watchdog we handle this server's end ourselves (no kill, no rm on EOF). */
  disarm: () => void;
  entry: LiveServer;
}

type Attempt = { ok: true; running: Running } | { ok: false; portInUse: boolean; message: string };

async function spawnServer(name: string, paths: ServerPaths, port: number, extraArgs: readonly string[]): Promise<Running> {
  const args = serverArgs(paths, port, extraArgs);
  const { mariadbd } = getBinaries();
  await fsp.appendFile(paths.logFile, `# headroom harness: ${mariadbd} ${args.join(' ')}\n`);
  // mariadbd prints a few lines to stderr before it opens --log-error; send them to the same file.
  const logFd = fs.openSync(paths.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', WRAPPER, 'sh', paths.baseDir, mariadbd, ...args], {
      stdio: ['ignore', logFd, logFd, 'pipe'],
    });
  } finally {
    fs.closeSync(logFd);
  }
  let exited = false;
  const entry: LiveServer = { name, child, baseDir: paths.baseDir, exited: false };
  live.add(entry);
  const control = child.stdio[3] as net.Socket | null | undefined;
  control?.on('error', () => {
    // EPIPE if the watchdog is already gone: nothing to do
  });
  let disarmed = false;
  const disarm = (): void => {
    if (disarmed) return;
    disarmed = true;
    control?.end('disarm\n');
  };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      entry.exited = true;
      resolve();
    });
    child.once('error', (error) => {
      // spawn itself failed (no /bin/sh?): no 'exit' will follow
      exited = true;
      entry.exited = true;
      debug(`${name}: spawn error ${error.message}`);
      resolve();
    });
  });
  // Don't let forgotten servers keep the process alive: 'exit' kills them instead.
  child.unref();
  control?.unref();
  return { child, port, exit, exited: () => exited, disarm, entry };
}

/** Poll with mysql2 until the server accepts a TCP connection (and it is ours), or it dies. */
async function waitReady(name: string, paths: ServerPaths, running: Running): Promise<Attempt> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  for (;;) {
    if (running.exited()) {
      const tail = await logTail(paths.logFile);
      const portInUse = /Address already in use|error:? 98\b|errno:? 98\b/i.test(tail);
      return {
        ok: false,
        portInUse,
        message:
          `MariaDB server "${name}" exited (code ${running.child.exitCode}, signal ${running.child.signalCode}) ` +
          `before accepting connections on ${HOST}:${running.port}. Last lines of ${paths.logFile}:\n${tail}`,
      };
    }
    if (Date.now() > deadline) {
      if (running.child.pid !== undefined) {
        try {
          process.kill(running.child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await waitForExit(running);
      const tail = await logTail(paths.logFile);
      return {
        ok: false,
        portInUse: false,
        message:
          `MariaDB server "${name}" did not accept connections on ${HOST}:${running.port} within ` +
          `${READY_TIMEOUT_MS / 1000}s (last connection error: ${lastError}). Last lines of ${paths.logFile}:\n${tail}`,
      };
    }
    const connecting = mysql.createConnection({
      host: HOST,
      port: running.port,
      user: 'root',
      password: '',
      connectTimeout: 2_000,
    });
    // If mariadbd dies while we wait (e.g. whoever holds the port never answers), stop waiting.
    const first = await Promise.race([
      connecting.then(
        () => 'connected' as const,
        () => 'failed' as const,
      ),
      running.exit.then(() => 'exited' as const),
    ]);
    if (first === 'exited') {
      connecting.then((c) => c.destroy(), () => undefined);
      continue;
    }
    try {
      const conn = await connecting;
      try {
        const [rows] = await conn.query('SELECT @@socket AS socket');
        const socket = (rows as Array<{ socket: string }>)[0]?.socket;
        if (socket === paths.socket) return { ok: true, running };
        lastError = `port ${running.port} is answered by another server (socket ${socket})`;
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    await Promise.race([sleep(40), running.exit]);
  }
}

/**
 * Start mariadbd on `paths`, retrying on another port if the chosen one turns out to be taken.
 * `prepare` runs before every attempt (e.g. to lay down a fresh data dir).
 */
async function launch(
  name: string,
  paths: ServerPaths,
  extraArgs: readonly string[],
  prepare: (attempt: number) => Promise<void>,
): Promise<Running> {
  let lastMessage = '';
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    await prepare(attempt);
    const port = await pickPort();
    const started = Date.now();
    const running = await spawnServer(name, paths, port, extraArgs);
    const result = await waitReady(name, paths, running);
    if (result.ok) {
      debug(`${name}: accepting connections on port ${port} after ${Date.now() - started} ms (attempt ${attempt})`);
      return result.running;
    }
    release(running);
    lastMessage = result.message;
    if (!result.portInUse) throw new Error(result.message);
    debug(`${name}: port ${port} was taken, retrying with another port`);
    // keep the failed attempt's log for reference, start the next one with a fresh log
    await fsp.rename(paths.logFile, `${paths.logFile}.port-${port}`).catch(() => undefined);
  }
  throw new Error(`gave up after ${PORT_ATTEMPTS} ports were taken. ${lastMessage}`);
}

async function terminate(running: Running, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  const pid = running.child.pid;
  if (!running.exited() && pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    // This timer is ref'd on purpose: it keeps the process alive while we wait for the exit.
    const timedOut = await Promise.race([
      running.exit.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut && !running.exited()) {
      debug(`pid ${pid} ignored SIGTERM for ${timeoutMs} ms, sending SIGKILL`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  await waitForExit(running);
}

/** After the process has exited and we own its cleanup: forget it and disarm its watchdog. */
function release(running: Running): void {
  live.delete(running.entry);
  running.disarm();
}

/** The child is unref'd, so hold the event loop open while waiting for it. */
async function waitForExit(running: Running): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    await running.exit;
  } finally {
    clearInterval(keepAlive);
  }
}

// ---------------------------------------------------------------------------------------------
// The template data dir.

let templatePromise: Promise<string> | undefined;

/** Path of the template's data dir, building it if needed (once per process, at most). */
function templateDataDir(): Promise<string> {
  templatePromise ??= buildTemplate().catch((error: unknown) => {
    templatePromise = undefined;
    throw error;
  });
  return templatePromise;
}

async function mariadbVersion(mariadbd: string): Promise<string> {
  const { stdout } = await run(mariadbd, ['--version'], 30_000);
  const match = /Ver\s+(\S+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`cannot parse the version out of \`${mariadbd} --version\`: ${stdout}`);
  return match[1];
}

async function isCompleteTemplate(dir: string): Promise<boolean> {
  try {
    await fsp.access(path.join(dir, TEMPLATE_MARKER));
    await fsp.access(path.join(dir, 'data', 'mysql'));
    return true;
  } catch {
    return false;
  }
}

async function buildTemplate(): Promise<string> {
  const { mariadbd, installDb } = getBinaries();
  const version = await mariadbVersion(mariadbd);
  const optionsHash = createHash('sha256')
    .update(JSON.stringify({ TEMPLATE_FORMAT, installDb, mariadbd, INSTALL_ARGS, STORAGE_ARGS, FAST_ARGS, USER_ARGS }))
    .digest('hex')
    .slice(0, 10);
  const safeVersion = version.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = path.join(os.tmpdir(), `headroom-mariadb-template-${safeVersion}-${optionsHash}`);
  if (await isCompleteTemplate(dir)) {
    debug(`reusing template ${dir}`);
    return path.join(dir, 'data');
  }
  if (fs.existsSync(dir)) {
    // Not complete (should not happen with the atomic rename, but /tmp cleaners exist): move aside.
    const stale = `${dir}.stale-${process.pid}-${Date.now()}`;
    await fsp.rename(dir, stale).then(() => removeDir(stale), () => undefined);
  }

  const build = await fsp.mkdtemp(`${dir}.build-`);
  try {
    const paths = serverPaths(build);
    await fsp.mkdir(paths.tmpDir);
    let started = Date.now();
    await run(
      installDb,
      [
        '--no-defaults', // must come first
        `--datadir=${paths.dataDir}`,
        // Its own tmpdir: bootstraps running at once in a shared /tmp fail now and then
        // ("Could not remove temporary table '/tmp/#sql-temptable-...'", then
        // "Unknown table 'mysql.tmp_user_sys'"): ~1 in 9 with 3 at once here.
        `--tmpdir=${paths.tmpDir}`,
        ...USER_ARGS,
        ...INSTALL_ARGS,
        ...STORAGE_ARGS,
      ],
      INSTALL_TIMEOUT_MS,
    );
    const installMs = Date.now() - started;
    debug(`mariadb-install-db took ${installMs} ms`);

    started = Date.now();
    await verifyAndTidyTemplate(paths);
    const verifyMs = Date.now() - started;
    debug(`template verification (start, checks, stop) took ${verifyMs} ms`);

    await fsp.rm(paths.tmpDir, { recursive: true, force: true });
    await fsp.writeFile(
      path.join(build, TEMPLATE_MARKER),
      JSON.stringify({ version, installMs, verifyMs, builtAt: new Date().toISOString(), pid: process.pid }, null, 2),
    );
    try {
      await fsp.rename(build, dir);
    } catch (error) {
      // Another process won the race: use its template.
      if (!(await isCompleteTemplate(dir))) throw error;
      await removeDir(build);
    }
    return path.join(dir, 'data');
  } catch (error) {
    await removeDir(build);
    throw new Error(`could not build the MariaDB template data dir: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Boot a server on the freshly installed data dir and check what tests rely on: root over TCP
 * from 127.0.0.1 with an empty password, grant tables in force, root holding ALL WITH GRANT
 * OPTION. Drops the accounts install-db made for this machine's hostname (skip-name-resolve
 * would ignore them and warn about them at every start). Then shuts down cleanly.
 */
async function verifyAndTidyTemplate(paths: ServerPaths): Promise<void> {
  const running = await launch('template', paths, [], async () => undefined);
  try {
    const conn = await mysql.createConnection({ host: HOST, port: running.port, user: 'root', password: '' });
    try {
      const [rows] = await conn.query('SELECT CURRENT_USER() AS user, @@skip_grant_tables AS skipGrants');
      const row = (rows as Array<{ user: string; skipGrants: number | string }>)[0];
      if (row?.user !== 'root@127.0.0.1' || Number(row.skipGrants) !== 0) {
        throw new Error(`unexpected root session in the template: ${JSON.stringify(row)}`);
      }
      const [grants] = await conn.query('SHOW GRANTS');
      const text = JSON.stringify(grants);
      if (!/GRANT ALL PRIVILEGES ON \*\.\* TO `root`@`127\.0\.0\.1`.*WITH GRANT OPTION/.test(text)) {
        throw new Error(`root@127.0.0.1 lacks ALL PRIVILEGES WITH GRANT OPTION: ${text}`);
      }
      const [accounts] = await conn.query(
        "SELECT User AS user, Host AS host FROM mysql.user WHERE Host NOT IN ('localhost', '127.0.0.1', '::1')",
      );
      for (const account of accounts as Array<{ user: string; host: string }>) {
        await conn.query('DROP USER ?@?', [account.user, account.host]);
      }
    } finally {
      await conn.end().catch(() => conn.destroy());
    }
  } catch (error) {
    await terminate(running);
    release(running);
    throw error;
  }
  await terminate(running);
  release(running);
  if (running.child.exitCode !== 0) {
    throw new Error(
      `template server did not shut down cleanly (exit ${running.child.exitCode}, signal ${running.child.signalCode}):\n` +
        (await logTail(paths.logFile)),
    );
  }
  for (const file of [paths.socket, paths.pidFile]) await fsp.rm(file, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Public API.

let serverCounter = 0;

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const name = opts.name ?? `mariadb-${++serverCounter}`;
  const extraArgs = [...(opts.extraArgs ?? [])];
  const template = await templateDataDir();
  const rootDir = opts.rootDir ?? os.tmpdir();
  await fsp.mkdir(rootDir, { recursive: true });
  const baseDir = await fsp.mkdtemp(path.join(rootDir, 'headroom-srv-'));
  const paths = serverPaths(baseDir);

  let running: Running;
  try {
    if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
      throw new Error(`socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes: pick a shorter rootDir/TMPDIR`);
    }
    await fsp.mkdir(paths.tmpDir);
    running = await launch(name, paths, extraArgs, async (attempt) => {
      const started = Date.now();
      if (attempt > 1) await removeDir(paths.dataDir);
      await copyTree(template, paths.dataDir);
      debug(`${name}: copied the template in ${Date.now() - started} ms`);
    });
  } catch (error) {
    await removeDir(baseDir);
    throw error;
  }

  const port = running.port;
  let conn: Promise<Connection> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | undefined;

  const connect = (): Promise<Connection> => {
    if (!conn) {
      const pending = mysql
        .createConnection({
          host: HOST,
          port,
          user: 'root',
          password: '',
          multipleStatements: true,
          supportBigNumbers: true,
          bigNumberStrings: true,
          connectTimeout: 10_000,
        })
        .then((c) => {
          // Without a listener, a connection lost while idle (kill(), server crash) would be
          // re-emitted as an uncaught 'error' and take the whole process down.
          c.on('error', () => {
            if (conn === pending) conn = undefined;
          });
          return c;
        });
      pending.catch(() => {
        if (conn === pending) conn = undefined;
      });
      conn = pending;
    }
    return conn;
  };

  const server: TestServer = {
    name,
    host: HOST,
    port,
    socket: paths.socket,
    baseDir,
    url: `mysql://root@${HOST}:${port}`,

    sql(text: string, database?: string): Promise<unknown[]> {
      const result = queue.then(async () => {
        const c = await connect();
        if (database !== undefined) await c.query(`USE ${mysql.escapeId(database)}`);
        const [rows, fields] = await c.query(text);
        return lastStatementRows(rows, fields);
      });
      queue = result.catch(() => undefined);
      return result;
    },

    async stop(stopOpts: { keep?: boolean } = {}): Promise<void> {
      stopping ??= (async () => {
        const started = Date.now();
        const pending = conn;
        conn = undefined;
        if (pending) {
          const c = await pending.catch(() => undefined);
          if (c) {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('end timed out')), 2_000);
            });
            await Promise.race([c.end(), timeout])
              .catch(() => c.destroy())
              .finally(() => clearTimeout(timer));
          }
        }
        await terminate(running);
        release(running);
        debug(`${name}: stopped in ${Date.now() - started} ms`);
      })();
      await stopping;
      if (!stopOpts.keep) await removeDir(baseDir);
    },

    kill(): void {
      const pid = running.child.pid;
      if (running.exited() || pid === undefined) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
  return server;
}

export async function startFleet(
  count: number,
  opts: { namePrefix?: string; extraArgs?: string[] } = {},
): Promise<TestServer[]> {
  const prefix = opts.namePrefix ?? 'shard';
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startServer({ name: `${prefix}-${i + 1}`, ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}) }),
    ),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await Promise.all(
      results.map((r) => (r.status === 'fulfilled' ? r.value.stop().catch(() => undefined) : undefined)),
    );
    const messages = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
    throw new Error(`${failures.length} of ${count} servers failed to start:\n${messages.join('\n\n')}`, {
      cause: failures[0]?.reason,
    });
  }
  return results.map((r) => (r as PromiseFulfilledResult<TestServer>).value);
}

/**
 * mysql2 returns one result for a single statement and an array of results for several.
 * A result is an array of rows (statements that return rows) or a ResultSetHeader (the rest).
 * With several results, `fields` holds one entry (field list or undefined) per result.
 */
function lastStatementRows(rows: unknown, fields: unknown): unknown[] {
  const isMulti =
    Array.isArray(fields) && fields.length > 0 && fields.every((f) => f === undefined || Array.isArray(f));
  const last: unknown = isMulti && Array.isArray(rows) ? rows[rows.length - 1] : rows;
  return Array.isArray(last) ? last : [];
}

