import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { freePort, setPortPickerForTests, startFleet, startServer } from './mariadb.js';
import type { TestServer } from './mariadb.js';

const SLOW = 60_000;

/** Resolves to the error code of a plain TCP connect to 127.0.0.1:port ('connected' if it worked). */
function tcpProbe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** True while the process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe('MariaDB test harness', () => {
  let fleet: TestServer[] = [];
  const extra: TestServer[] = [];

  beforeAll(async () => {
    fleet = await startFleet(2);
  }, SLOW);

  afterAll(async () => {
    await Promise.all([...fleet, ...extra].map((s) => s.stop()));
  }, SLOW);

  it('starts a fleet of servers with their own ports, sockets and dirs', async () => {
    expect(fleet.map((s) => s.name)).toEqual(['shard-1', 'shard-2']);
    const [a, b] = fleet as [TestServer, TestServer];
    expect(a.port).not.toBe(b.port);
    for (const s of fleet) {
      expect(s.host).toBe('127.0.0.1');
      expect(s.port).not.toBe(3306);
      expect(s.url).toBe(`mysql://root@127.0.0.1:${s.port}`);
      expect(s.baseDir.startsWith(path.join(os.tmpdir(), 'headroom-srv-'))).toBe(true);
      expect(path.dirname(s.socket)).toBe(s.baseDir);
      expect(fs.existsSync(path.join(s.baseDir, 'data', 'mysql'))).toBe(true);
      expect(fs.existsSync(path.join(s.baseDir, 'tmp'))).toBe(true);
      const [row] = (await s.sql(
        'SELECT @@port AS port, @@socket AS socket, @@datadir AS datadir, @@tmpdir AS tmpdir, ' +
          '@@log_bin AS logBin, @@bind_address AS bind, @@skip_name_resolve AS skipNameResolve, CURRENT_USER() AS user',
      )) as Array<Record<string, unknown>>;
      // integer system variables are BIGINTs, which come back as strings (bigNumberStrings)
      expect(row).toEqual({
        port: String(s.port),
        socket: s.socket,
        datadir: path.join(s.baseDir, 'data') + '/',
        tmpdir: path.join(s.baseDir, 'tmp'),
        logBin: '0',
        bind: '127.0.0.1',
        skipNameResolve: '1',
        user: 'root@127.0.0.1',
      });
    }
  });

  it('keeps the servers independent', async () => {
    const [a, b] = fleet as [TestServer, TestServer];
    await a.sql('CREATE DATABASE app; CREATE TABLE app.users (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name TEXT)');
    await b.sql('CREATE DATABASE app; CREATE TABLE app.users (id BIGINT AUTO_INCREMENT PRIMARY KEY, name TEXT)');
    await a.sql("INSERT INTO users (name) VALUES ('ada'), ('alan')", 'app');
    await b.sql("INSERT INTO users (name) VALUES ('grace')", 'app');
    await a.sql('CREATE DATABASE only_on_a');

    expect(await a.sql('SELECT id, name FROM app.users ORDER BY id')).toEqual([
      { id: 1, name: 'ada' },
      { id: 2, name: 'alan' },
    ]);
    // BIGINT comes back as a string (supportBigNumbers + bigNumberStrings)
    expect(await b.sql('SELECT id, name FROM app.users ORDER BY id')).toEqual([{ id: '1', name: 'grace' }]);
    const types = async (s: TestServer) =>
      s.sql(
        "SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'users' AND COLUMN_NAME = 'id'",
      );
    expect(await types(a)).toEqual([{ t: 'int(10) unsigned' }]);
    expect(await types(b)).toEqual([{ t: 'bigint(20)' }]);
    expect(await a.sql("SHOW DATABASES LIKE 'only_on_a'")).toHaveLength(1);
    expect(await b.sql("SHOW DATABASES LIKE 'only_on_a'")).toHaveLength(0);
  });

  it('sql() returns the rows of the last statement', async () => {
    const [a] = fleet as [TestServer];
    expect(await a.sql('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await a.sql('SELECT 1 AS one; SELECT 2 AS two, 3 AS three;')).toEqual([{ two: 2, three: 3 }]);
    expect(await a.sql('SELECT 1 AS one; DO 1')).toEqual([]);
    // a trailing comment is one more (empty) statement as far as the server is concerned
    expect(await a.sql('SELECT 1 AS one; -- done')).toEqual([]);
    expect(await a.sql('CREATE TABLE app.t (v BIGINT UNSIGNED); INSERT INTO app.t VALUES (18446744073709551615)')).toEqual(
      [],
    );
    expect(await a.sql('SELECT v FROM t WHERE v > 0', 'app')).toEqual([{ v: '18446744073709551615' }]);
    expect(await a.sql('SELECT v FROM t WHERE v = 0', 'app')).toEqual([]);
    await expect(a.sql('SELECT * FROM app.no_such_table')).rejects.toThrow(/doesn't exist/);
    // the connection survives an error
    expect(await a.sql('SELECT DATABASE() AS db')).toEqual([{ db: 'app' }]);
  });

  it('lets root grant, and enforces grants on restricted users', async () => {
    const [a] = fleet as [TestServer];
    await a.sql(
      "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT SELECT ON app.* TO 'reader'@'127.0.0.1'",
    );
    const conn = await mysql.createConnection({ host: a.host, port: a.port, user: 'reader', password: 'pw' });
    try {
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM app.users');
      expect(rows).toEqual([{ n: 2 }]);
      await expect(conn.query("INSERT INTO app.users (name) VALUES ('mallory')")).rejects.toMatchObject({
        code: 'ER_TABLEACCESS_DENIED_ERROR',
      });
      await expect(conn.query('SELECT * FROM mysql.user')).rejects.toMatchObject({
        code: 'ER_TABLEACCESS_DENIED_ERROR',
      });
    } finally {
      await conn.end();
    }
    await expect(
      mysql.createConnection({ host: a.host, port: a.port, user: 'reader', password: 'wrong' }),
    ).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  it(
    'kill() makes the port refuse connections',
    async () => {
      const victim = await startServer({ name: 'victim' });
      extra.push(victim);
      expect(await victim.sql('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      expect(await tcpProbe(victim.port)).toBe('connected');
      const pid = Number(fs.readFileSync(path.join(victim.baseDir, 'mysqld.pid'), 'utf8').trim());
      expect(isAlive(pid)).toBe(true);

      victim.kill();
      expect(await eventually(async () => (await tcpProbe(victim.port)) === 'ECONNREFUSED')).toBe(true);
      expect(await eventually(() => !isAlive(pid))).toBe(true);
      await expect(victim.sql('SELECT 1')).rejects.toThrow();
      victim.kill(); // harmless when already dead

      await victim.stop();
      expect(fs.existsSync(victim.baseDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'stop() shuts down gracefully, removes the dir, and is idempotent; keep: true keeps the dir',
    async () => {
      const [s1, s2] = await Promise.all([startServer({ name: 'gone' }), startServer({ name: 'kept' })]);
      extra.push(s1, s2);
      await s1.sql('CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY)');
      await s2.sql('CREATE DATABASE d');

      await Promise.all([s1.stop(), s1.stop()]);
      expect(fs.existsSync(s1.baseDir)).toBe(false);
      expect(await tcpProbe(s1.port)).toBe('ECONNREFUSED');
      await s1.stop();

      await s2.stop({ keep: true });
      expect(await tcpProbe(s2.port)).toBe('ECONNREFUSED');
      expect(fs.existsSync(path.join(s2.baseDir, 'data', 'd'))).toBe(true);
      const log = fs.readFileSync(path.join(s2.baseDir, 'error.log'), 'utf8');
      expect(log).toMatch(/Shutdown complete/);
      await s2.stop(); // a later stop without keep removes it
      expect(fs.existsSync(s2.baseDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'passes extraArgs to mariadbd (and drops --skip-log-bin when binary logging is asked for)',
    async () => {
      const s = await startServer({ name: 'binlog', extraArgs: ['--log-bin=mysql-bin', '--server-id=7'] });
      extra.push(s);
      expect(await s.sql('SELECT @@log_bin AS logBin, @@server_id AS serverId')).toEqual([{ logBin: '1', serverId: '7' }]);
      await s.stop();
    },
    SLOW,
  );

  it(
    'throws with the tail of the error log when the server cannot start, and leaves nothing behind',
    async () => {
      const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-harness-test-'));
      try {
        const error = await startServer({ name: 'broken', rootDir, extraArgs: ['--no-such-option-at-all'] }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error?.message).toMatch(/"broken" exited/);
        expect(error?.message).toMatch(/unknown (variable|option) '--no-such-option-at-all'|no-such-option-at-all/);
        expect(error?.message).toMatch(/Aborting/);
        expect(fs.readdirSync(rootDir)).toEqual([]);
      } finally {
        fs.rmSync(rootDir, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'retries on another port when the chosen one turns out to be taken',
    async () => {
      const squatter = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
      const taken = (squatter.address() as AddressInfo).port;
      let picks = 0;
      setPortPickerForTests(async () => (++picks === 1 ? taken : freePort()));
      try {
        const s = await startServer({ name: 'racer' });
        extra.push(s);
        expect(picks).toBe(2);
        expect(s.port).not.toBe(taken);
        expect(await s.sql('SELECT @@port AS port')).toEqual([{ port: String(s.port) }]);
        const firstLog = fs.readFileSync(path.join(s.baseDir, `error.log.port-${taken}`), 'utf8');
        expect(firstLog).toMatch(/Address already in use/);
        await s.stop();
      } finally {
        setPortPickerForTests(undefined);
        await new Promise((resolve) => squatter.close(resolve));
      }
    },
    SLOW,
  );

  it('freePort() returns distinct ports nobody listens on', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeGreaterThan(1024);
      expect(await tcpProbe(port)).toBe('ECONNREFUSED');
    }
  });

  it(
    'kills servers whose owning process exits or dies without stopping them (but keeps dirs kept by stop)',
    async () => {
      const harness = fileURLToPath(new URL('./mariadb.ts', import.meta.url));
      const viteNode = path.join(
        path.dirname(createRequire(import.meta.url).resolve('vite-node/package.json')),
        'vite-node.mjs',
      );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-harness-orphan-'));
      const script = path.join(dir, 'orphan.ts');
      fs.writeFileSync(
        script,
        [
          "import fs from 'node:fs';",
          "import path from 'node:path';",
          `import { startServer } from ${JSON.stringify(harness)};`,
          "const server = await startServer({ name: 'orphan' });",
          "const pid = Number(fs.readFileSync(path.join(server.baseDir, 'mysqld.pid'), 'utf8').trim());",
          'console.log(JSON.stringify({ pid, baseDir: server.baseDir, port: server.port }));',
          "if (process.env.ORPHAN_MODE === 'exit') process.exit(0);",
          "if (process.env.ORPHAN_MODE === 'keep') await server.stop({ keep: true });",
          "if (process.env.ORPHAN_MODE === 'hang') setInterval(() => undefined, 1000);",
          '// ORPHAN_MODE=return: just fall off the end without stopping the server',
          '',
        ].join('\n'),
      );

      const runOrphan = async (mode: 'exit' | 'hang' | 'return' | 'keep') => {
        const child = spawn(process.execPath, [viteNode, script], {
          cwd: dir,
          env: { ...process.env, ORPHAN_MODE: mode },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
        const gotLine = await eventually(() => stdout.includes('\n') || child.exitCode !== null, 30_000);
        expect(gotLine, stderr).toBe(true);
        const info = JSON.parse(stdout.trim().split('\n')[0] ?? '') as { pid: number; baseDir: string; port: number };
        if (mode === 'hang') {
          expect(isAlive(info.pid)).toBe(true);
          child.kill('SIGKILL'); // no 'exit' handlers run: the watchdog must clean up
        }
        await closed;
        const dead = await eventually(() => !isAlive(info.pid));
        if (mode === 'keep') {
          // the watchdog would remove the dir about 1s after the owner exits: give it 2s
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const kept = fs.existsSync(path.join(info.baseDir, 'data', 'mysql'));
          fs.rmSync(info.baseDir, { recursive: true, force: true });
          return { mode, dead, removed: kept, refused: await tcpProbe(info.port), stderr };
        }
        const removed = await eventually(() => !fs.existsSync(info.baseDir));
        const refused = await tcpProbe(info.port);
        return { mode, dead, removed, refused, stderr };
      };

      try {
        const results = await Promise.all([runOrphan('exit'), runOrphan('hang'), runOrphan('return'), runOrphan('keep')]);
        for (const r of results) {
          // The server's process is gone (so is its listener) and its directory removed. The freed port
          // itself is not probed: another test file's server, in another vitest worker, may take it at once.
          expect({ mode: r.mode, dead: r.dead, removed: r.removed }, r.stderr).toEqual({ mode: r.mode, dead: true, removed: true });
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
