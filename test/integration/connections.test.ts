/**
 * Connecting for real: TLS (certificates made here with openssl), Unix sockets, passwords from
 * files, commands and option files, restricted users (coverage), and the failures a fleet scan
 * meets — a statement held past the timeout, a server killed mid-scan, authentication denied, an
 * unknown host, TLS required but unavailable, too many connections. Each against a throwaway
 * MariaDB; each failure must be one line naming the shard, never the password.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { collectSnapshot, exitCode, runChecks, scan, validateInventory } from '../../src/index.js';
import type { Inventory } from '../../src/index.js';
import { loadPlacements, names } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

const PW = 'Zq9-conn-secret';
const TLS_PW = 'Zq9-tls-secret';
const ALL_PASSWORDS = [PW, TLS_PW];

let dir: string;
let tlsServer: TestServer;
let plain: TestServer;
let victim: TestServer;

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd: dir, timeout: 60_000 }, (err, _out, stderr) => (err ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

/** A CA, a server certificate for 127.0.0.1 (subjectAltName IP), a client certificate, and an unrelated CA. */
async function makeCertificates(): Promise<void> {
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await Promise.all([
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=headroom test CA']),
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'wrong-ca.key', '-out', 'wrong-ca.pem', '-days', '2', '-subj', '/CN=some other CA']),
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']),
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=headroom client']),
  ]);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  await openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
}

const file = (name: string, text: string, mode = 0o600): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process, with its output captured. `env` is all the environment it sees (no HOME: no ~/.my.cnf). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { NO_COLOR: '1', ...env }, stdoutIsTTY: false, stderrIsTTY: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

function noSecrets(...texts: string[]): void {
  for (const t of texts) for (const pw of ALL_PASSWORDS) expect(t).not.toContain(pw);
}

/** One error line per failing shard in --format json, naming it. */
function jsonErrors(r: Run): { shard: string; message: string }[] {
  const errors = JSON.parse(r.stdout).errors as { shard: string; message: string }[];
  for (const e of errors) expect(e.message).not.toContain('\n');
  return errors;
}

const inv = (shards: unknown[], defaults: Record<string, unknown> = {}): Inventory =>
  validateInventory({ shards, defaults: { databases: ['ws_*'], timeoutSeconds: 10, ...defaults } }, 'test', {}, { baseDir: dir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-conn-'));
  await makeCertificates();
  [tlsServer, plain, victim] = await Promise.all([
    startServer({
      name: 'tls',
      extraArgs: [`--ssl-ca=${join(dir, 'ca.pem')}`, `--ssl-cert=${join(dir, 'server.pem')}`, `--ssl-key=${join(dir, 'server.key')}`],
    }),
    startServer({ name: 'plain' }),
    startServer({ name: 'victim' }),
  ]);
  await Promise.all([
    loadPlacements(tlsServer, [{ file: 'hot-tenant.sql', databases: ['ws_hot'] }]),
    loadPlacements(plain, [
      { file: 'hot-tenant.sql', databases: ['ws_a'] },
      { file: 'tenant.sql', databases: ['ws_b', 'ws_c'] },
    ]),
    // A big-ish catalog for the server that gets killed.
    loadPlacements(victim, [{ file: 'tenant.sql', databases: names('ws_', 120) }]),
  ]);
  await tlsServer.sql(`
    CREATE USER tlsuser@'127.0.0.1' IDENTIFIED BY '${TLS_PW}' REQUIRE SSL; GRANT SELECT ON *.* TO tlsuser@'127.0.0.1';
    CREATE USER certuser@'127.0.0.1' IDENTIFIED BY '${TLS_PW}' REQUIRE X509; GRANT SELECT ON *.* TO certuser@'127.0.0.1';
    CREATE USER anyuser@'127.0.0.1' IDENTIFIED BY '${TLS_PW}'; GRANT SELECT ON *.* TO anyuser@'127.0.0.1';
  `);
  await plain.sql(`
    CREATE DATABASE ws_lock; CREATE TABLE ws_lock.events (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB; INSERT INTO ws_lock.events VALUES (7);
    CREATE USER reader@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SELECT ON *.* TO reader@'127.0.0.1';
    CREATE USER reader@'localhost' IDENTIFIED BY '${PW}'; GRANT SELECT ON *.* TO reader@'localhost';
    CREATE USER onlya@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SELECT ON ws_a.* TO onlya@'127.0.0.1';
    CREATE USER lister@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SHOW DATABASES ON *.* TO lister@'127.0.0.1'; GRANT SELECT ON ws_a.* TO lister@'127.0.0.1';
    CREATE USER nosel@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SHOW DATABASES ON *.* TO nosel@'127.0.0.1'; GRANT INSERT ON \`ws\\_%\`.* TO nosel@'127.0.0.1';
    CREATE USER fixme@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SELECT ON ws_b.* TO fixme@'127.0.0.1';
  `);
  await victim.sql(`
    CREATE DATABASE ws_lock; CREATE TABLE ws_lock.events (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB; INSERT INTO ws_lock.events VALUES (7);
    CREATE USER reader@'127.0.0.1' IDENTIFIED BY '${PW}'; GRANT SELECT ON *.* TO reader@'127.0.0.1';
  `);
}, 180_000);

afterAll(async () => {
  await Promise.all([tlsServer?.stop(), plain?.stop(), victim?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('verifies the server against ssl.ca (and its host name), and reads through the encrypted session', async () => {
    const cfg = file(
      'tls.yaml',
      `shards:\n  - name: tls-shard\n    host: 127.0.0.1\n    port: ${tlsServer.port}\n    user: tlsuser\n    password: \${TLS_PASSWORD}\n    ssl: { ca: ca.pem }\n`,
    );
    const r = await cli(['scan', '--config', cfg, '--format', 'json'], { TLS_PASSWORD: TLS_PW });
    noSecrets(r.stdout, r.stderr);
    expect(jsonErrors(r)).toEqual([]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.some((f: { id: string }) => f.id === 'fk-capacity:tls-shard/ws_hot/conversation_parts.message_thread_id')).toBe(true);

    const d = await cli(['doctor', '--config', cfg], { TLS_PASSWORD: TLS_PW });
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/TLS\s+TLSv1\.[23] \S+; certificate verified against \S+ca\.pem, host name checked/);
    expect(d.stdout).toMatch(/tls-shard \(127\.0\.0\.1:\d+\): OK, fully scannable/);
    noSecrets(d.stdout);
  });

  it('takes TLS settings from URL query parameters', async () => {
    const url = `mysql://tlsuser:${TLS_PW}@127.0.0.1:${tlsServer.port}/ws_*?ssl-mode=VERIFY_IDENTITY&ssl-ca=${encodeURIComponent(join(dir, 'ca.pem'))}`;
    const r = await cli(['scan', url, '--format', 'json']);
    expect(jsonErrors(r)).toEqual([]);
    expect(r.code).toBe(1);
    noSecrets(r.stdout, r.stderr);
  });

  it('ssl: required encrypts without checking the certificate; the doctor says so', async () => {
    const r = await cli(['doctor', `mysql://tlsuser:${TLS_PW}@127.0.0.1:${tlsServer.port}/ws_*?ssl-mode=REQUIRED`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/certificate NOT verified/);
  });

  it('a certificate that does not verify against the CA given: one clear line', async () => {
    const cfg = file('wrong-ca.yaml', `shards:\n  - { name: tls-wrong-ca, host: 127.0.0.1, port: ${tlsServer.port}, user: tlsuser, password: "${TLS_PW}", ssl: { ca: wrong-ca.pem } }\n`);
    const r = await cli(['scan', '--config', cfg, '--format', 'json']);
    expect(r.code).toBe(2);
    const [e] = jsonErrors(r);
    expect(e!.shard).toBe('tls-wrong-ca');
    expect(e!.message).toMatch(/^TLS: the server's certificate does not verify against the CA in \S+wrong-ca\.pem: self[- ]signed certificate in certificate chain/);
    noSecrets(r.stdout, r.stderr);
  });

  it('an account created REQUIRE SSL, reached without TLS: says TLS may be what is missing', async () => {
    const r = await cli(['scan', `mysql://tlsuser:${TLS_PW}@127.0.0.1:${tlsServer.port}`, '--format', 'json']);
    expect(r.code).toBe(2);
    const [e] = jsonErrors(r);
    expect(e!.shard).toBe(`127.0.0.1:${tlsServer.port}`);
    expect(e!.message).toMatch(/^authentication failed: Access denied for user 'tlsuser'@'127\.0\.0\.1' .*requires TLS \(REQUIRE SSL\): then set ssl for this shard$/);
    noSecrets(r.stdout, r.stderr);
  });

  it('TLS required but the server has none: one clear line', async () => {
    const r = await cli(['scan', `mysql://reader:${PW}@127.0.0.1:${plain.port}?ssl-mode=REQUIRED`, '--format', 'json']);
    expect(r.code).toBe(2);
    const [e] = jsonErrors(r);
    expect(e!.message).toMatch(/^TLS is required \(url\) but the server does not offer TLS/);
    noSecrets(r.stdout, r.stderr);
  });

  it('a client certificate (REQUIRE X509), from the YAML and from an option file', async () => {
    const cfg = file(
      'x509.yaml',
      `shards:\n  - { name: x509, host: 127.0.0.1, port: ${tlsServer.port}, user: certuser, password: "${TLS_PW}", ssl: { ca: ca.pem, cert: client.pem, key: client.key } }\ndefaults: { databases: [ws_hot] }\n`,
    );
    const r = await cli(['scan', '--config', cfg, '--format', 'json']);
    expect(jsonErrors(r)).toEqual([]);
    // The same account from an option file: [client] user, password, ssl-ca, ssl-cert, ssl-key.
    const cnf = file(
      'x509.cnf',
      `[client]\nuser = certuser\npassword = "${TLS_PW}"\nssl-ca = ${join(dir, 'ca.pem')}\nssl-cert = ${join(dir, 'client.pem')}\nssl-key = ${join(dir, 'client.key')}\n`,
    );
    const viaCnf = await cli(['scan', `mysql://127.0.0.1:${tlsServer.port}/ws_hot`, '--defaults-file', cnf, '--format', 'json']);
    expect(jsonErrors(viaCnf)).toEqual([]);
    expect(viaCnf.code).toBe(1);
    // Without the client certificate, the account refuses.
    const noCert = await cli(['scan', `mysql://certuser:${TLS_PW}@127.0.0.1:${tlsServer.port}/ws_hot?ssl-mode=VERIFY_CA&ssl-ca=${join(dir, 'ca.pem')}`, '--format', 'json']);
    expect(noCert.code).toBe(2);
    expect(jsonErrors(noCert)[0]!.message).toMatch(/^authentication failed: Access denied/);
    noSecrets(r.stdout, viaCnf.stdout, noCert.stdout);
  });
});

describe('sockets and credentials', () => {
  it('connects over the server Unix socket', async () => {
    const cfg = file('socket.yaml', `shards:\n  - { name: by-socket, socket: ${plain.socket}, user: root }\ndefaults: { databases: [ws_a] }\n`);
    const r = await cli(['scan', '--config', cfg, '--format', 'json']);
    expect(jsonErrors(r)).toEqual([]);
    expect(JSON.parse(r.stdout).summary.coverage).toEqual([{ shard: 'by-socket', databasesMatched: 1, databasesRead: 1, tablesRead: 11, complete: true }]);
    // And a socket path that is not there.
    const bad = await cli(['scan', '--config', file('nosock.yaml', `shards:\n  - { name: no-sock, socket: ${join(dir, 'nope.sock')}, user: root }\n`), '--format', 'json']);
    expect(jsonErrors(bad)[0]!.message).toMatch(/^no socket at \S+nope\.sock/);
  });

  it('reads the password from passwordFile (trailing newline dropped) and from passwordCommand (both forms)', async () => {
    const pwFile = file('pw.txt', `${PW}\n`);
    const cfg = file(
      'creds.yaml',
      [
        'shards:',
        `  - { name: from-file, host: 127.0.0.1, port: ${plain.port}, passwordFile: pw.txt }`,
        `  - { name: from-sh, host: 127.0.0.1, port: ${plain.port}, passwordCommand: "head -n 1 '${pwFile}' | tr -d '\\\\n'" }`,
        `  - { name: from-argv, host: 127.0.0.1, port: ${plain.port}, passwordCommand: [cat, ${pwFile}] }`,
        'defaults: { user: reader, databases: [ws_a] }',
        '',
      ].join('\n'),
    );
    const r = await cli(['scan', '--config', cfg, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(jsonErrors(r)).toEqual([]);
    expect(JSON.parse(r.stdout).summary.coverage.map((c: { complete: boolean }) => c.complete)).toEqual([true, true, true]);
    noSecrets(r.stdout, r.stderr);
  });

  it('passwordCommand runs in the process environment', async () => {
    process.env.HEADROOM_TEST_PW = PW;
    try {
      const cfg = file('cmd.yaml', `shards:\n  - { name: from-env, host: 127.0.0.1, port: ${plain.port}, user: reader, passwordCommand: 'printf %s "$HEADROOM_TEST_PW"' }\ndefaults: { databases: [ws_a] }\n`);
      const r = await cli(['scan', '--config', cfg, '--format', 'json']);
      expect(jsonErrors(r)).toEqual([]);
    } finally {
      delete process.env.HEADROOM_TEST_PW;
    }
  });

  it('a failing passwordCommand is one line naming the shard and field, without what it printed', async () => {
    const cfg = file(
      'badcmd.yaml',
      [
        'shards:',
        `  - { name: cmd-fails, host: 127.0.0.1, port: ${plain.port}, passwordCommand: "echo ${PW}-leak; echo ${PW}-err >&2; exit 3" }`,
        `  - { name: cmd-slow, host: 127.0.0.1, port: ${plain.port}, timeoutSeconds: 1, passwordCommand: [sleep, "30"] }`,
        `  - { name: cmd-missing, host: 127.0.0.1, port: ${plain.port}, passwordCommand: [/nonexistent/secret-tool] }`,
        'defaults: { user: reader, databases: [ws_a] }',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const r = await cli(['scan', '--config', cfg, '--format', 'json']);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.code).toBe(2);
    const byShard = Object.fromEntries(jsonErrors(r).map((e) => [e.shard, e.message]));
    expect(byShard['cmd-fails']).toBe('shards[0].passwordCommand: exited with code 3 (its output is not shown)');
    expect(byShard['cmd-slow']).toBe('shards[1].passwordCommand: did not finish within 1s (timeoutSeconds) (its output is not shown)');
    expect(byShard['cmd-missing']).toBe('shards[2].passwordCommand: cannot run "/nonexistent/secret-tool": not found (its output is not shown)');
    noSecrets(r.stdout, r.stderr);
  });

  it('reads [client] from --defaults-file and from ~/.my.cnf; the YAML wins over it', async () => {
    const cnf = file('client.cnf', `# a comment\n[client]\nuser=reader\npassword = "${PW}"   # quoted, comment after\nport=${plain.port}\nhost=127.0.0.1\n[mysqldump]\nuser=someone-else\n`);
    const viaFile = await cli(['scan', '--config', file('bare.yaml', 'shards:\n  - name: from-cnf\ndefaults: { databases: [ws_a] }\n'), '--defaults-file', cnf, '--format', 'json']);
    expect(jsonErrors(viaFile)).toEqual([]);
    expect(viaFile.code).toBe(1);

    const home = mkdtempSync(join(tmpdir(), 'headroom-home-'));
    try {
      writeFileSync(join(home, '.my.cnf'), `[client]\nuser=reader\npassword=${PW}\n`, { mode: 0o600 });
      const viaHome = await cli(['scan', `mysql://127.0.0.1:${plain.port}/ws_a`, '--format', 'json'], { HOME: home });
      expect(jsonErrors(viaHome)).toEqual([]);
      // --no-defaults: no option file, so no password: refused.
      const none = await cli(['scan', `mysql://reader@127.0.0.1:${plain.port}/ws_a`, '--no-defaults', '--format', 'json'], { HOME: home });
      expect(jsonErrors(none)[0]!.message).toMatch(/^authentication failed: Access denied for user 'reader'@'127\.0\.0\.1' \(using password: NO\)/);
      // The URL's user wins over the option file's; the option file's password is still used (as the stock client does).
      const otherUser = await cli(['doctor', `mysql://lister@127.0.0.1:${plain.port}/ws_a`], { HOME: home });
      expect(otherUser.code).toBe(0);
      expect(otherUser.stdout).toMatch(/session\s+lister@127\.0\.0\.1/);
      noSecrets(viaHome.stdout, none.stdout, otherUser.stdout);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('an option file socket is used for localhost, as the stock client does', async () => {
    const cnf = file('sock.cnf', `[client]\nuser=reader\npassword=${PW}\nsocket=${plain.socket}\n`);
    const r = await cli(['scan', 'mysql://localhost/ws_a', '--defaults-file', cnf, '--format', 'json']);
    expect(jsonErrors(r)).toEqual([]);
    expect(JSON.parse(r.stdout).summary.coverage[0]).toMatchObject({ shard: 'localhost:3306', complete: true });
  });

  it('never shows a password from a file, a command or an option file in the config object', async () => {
    const { loadInventory } = await import('../../src/index.js');
    file('pw.txt', `${PW}\n`);
    const cfg = file('inspect.yaml', `shards:\n  - { name: a, host: h, passwordFile: pw.txt, ssl: { ca: ca.pem, cert: client.pem, key: client.key } }\n  - { name: b, host: h, passwordCommand: "echo x" }\ndefaults: { user: u }\n`);
    const inventory = await loadInventory(cfg, {}, { defaultsFile: false });
    expect(inventory.shards[0]!.password.reveal()).toBe(PW);
    const shown = [inspect(inventory, { depth: null }), JSON.stringify(inventory, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))];
    for (const t of shown) {
      expect(t).not.toContain(PW);
      expect(t).not.toContain('PRIVATE KEY');
    }
  });
});

describe('failures, each one line naming the shard', () => {
  it('authentication denied: never the password', async () => {
    const wrong = `${PW}-wrong`;
    const cfg = file('denied.yaml', `shards:\n  - { name: denied, host: 127.0.0.1, port: ${plain.port}, user: reader, password: "${wrong}" }\n`);
    const r = await cli(['scan', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ {2}denied: authentication failed: Access denied for user 'reader'@'127\.0\.0\.1' \(using password: YES\)/m);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('unknown host', async () => {
    const r = await cli(['scan', `mysql://reader:${PW}@no-such-host.invalid:3306`, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(jsonErrors(r)).toEqual([{ shard: 'no-such-host.invalid:3306', message: expect.stringMatching(/^unknown host no-such-host\.invalid: the name does not resolve/) }]);
    noSecrets(r.stdout);
  });

  it('too many connections', async () => {
    // MariaDB's smallest max_connections is 10 (+1 for an administrator): fill them, then knock.
    await plain.sql('SET GLOBAL max_connections = 10');
    const held: mysql.Connection[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        try {
          held.push(await mysql.createConnection({ host: '127.0.0.1', port: plain.port, user: 'reader', password: PW }));
        } catch (e) {
          expect((e as { code?: string }).code).toBe('ER_CON_COUNT_ERROR');
          break;
        }
      }
      const r = await cli(['scan', `mysql://reader:${PW}@127.0.0.1:${plain.port}`, '--format', 'json']);
      expect(r.code).toBe(2);
      expect(jsonErrors(r)[0]!.message).toMatch(/^the server refused the connection: Too many connections \(max_connections is reached/);
      noSecrets(r.stdout);
    } finally {
      await Promise.all(held.map((c) => c.end().catch(() => c.destroy())));
      await plain.sql('SET GLOBAL max_connections = 151');
    }
  });

  it('a MAX() read blocked past the timeout: that shard fails with it, the others finish on time', async () => {
    // LOCK TABLES ... WRITE blocks every read of the table; ws_lock.events has no counter, so the scan reads MAX(id).
    const holder = await mysql.createConnection({ host: '127.0.0.1', port: plain.port, user: 'root', password: '' });
    await holder.query('LOCK TABLES ws_lock.events WRITE');
    try {
      const inventory = inv([
        { name: 'slow', host: '127.0.0.1', port: plain.port, user: 'reader', password: PW, databases: ['ws_lock'], timeoutSeconds: 2 },
        { name: 'fast', host: '127.0.0.1', port: tlsServer.port, user: 'anyuser', password: TLS_PW },
      ]);
      const finished = new Map<string, number>();
      const started = Date.now();
      const snapshot = await collectSnapshot(inventory, { onProgress: (p) => finished.set(p.shard, Date.now() - started) });
      const report = runChecks(snapshot, inventory);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]!.shard).toBe('slow');
      expect(report.errors[0]!.message).toMatch(/^reading MAX\(id\) of ws_lock\.events (waited|took) longer than 2s \(timeoutSeconds\)/);
      expect(finished.get('fast')!).toBeLessThan(finished.get('slow')!);
      expect(finished.get('fast')!).toBeLessThan(2000);
      expect(finished.get('slow')!).toBeLessThan(5000);
      expect(report.findings.some((f) => f.shard === 'fast')).toBe(true);
      expect(exitCode(report)).toBe(2);
    } finally {
      await holder.query('UNLOCK TABLES');
      await holder.end();
    }
  });

  it('a server killed mid-scan: its error, partial results for the rest, no hang, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    // Block the victim's scan on a lock, with a long timeout, so it is surely mid-scan when it dies.
    const holder = await mysql.createConnection({ host: '127.0.0.1', port: victim.port, user: 'root', password: '' });
    holder.on('error', () => undefined);
    await holder.query('LOCK TABLES ws_lock.events WRITE');
    try {
      const inventory = inv([
        { name: 'victim', host: '127.0.0.1', port: victim.port, user: 'reader', password: PW, timeoutSeconds: 60 },
        { name: 'survivor', host: '127.0.0.1', port: plain.port, user: 'reader', password: PW },
      ]);
      const scanning = scan(inventory);
      // Wait until the victim's scan waits on the lock (it has read the 120-database catalog by then).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const rows = (await victim.sql("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'reader' AND STATE LIKE '%metadata lock%'")) as { n: string }[];
        if (Number(rows[0]?.n) > 0) break;
        if (Date.now() > deadline) throw new Error('the victim scan never reached the locked table');
        await new Promise((r) => setTimeout(r, 20));
      }
      const killedAt = Date.now();
      victim.kill();
      const report = await scanning;
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(report.errors.map((e) => e.shard)).toEqual(['victim']);
      expect(report.errors[0]!.message).toMatch(/^the connection to 127\.0\.0\.1:\d+ was lost while reading MAX\(.*\((PROTOCOL_CONNECTION_LOST|ECONNRESET)\): the server stopped/);
      expect(report.summary.coverage).toContainEqual({ shard: 'victim', databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false });
      expect(report.findings.some((f) => f.shard === 'survivor')).toBe(true);
      expect(exitCode(report)).toBe(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      holder.destroy();
    }
  });
});

describe('coverage: a user that cannot see everything', () => {
  it('without SHOW DATABASES: a coverage error, exit 2, and the partial results it did read', async () => {
    const r = await cli(['scan', `mysql://onlya:${PW}@127.0.0.1:${plain.port}/ws_*`, '--format', 'json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.summary.coverage).toEqual([{ shard: `127.0.0.1:${plain.port}`, databasesMatched: 1, databasesRead: 1, tablesRead: 11, complete: false }]);
    expect(json.errors[0].message).toMatch(/^incomplete coverage, read 1 of 1 matched databases in full: the user cannot list databases it has no privilege on/);
    expect(json.errors[0].message).toContain("GRANT SHOW DATABASES ON *.* TO 'onlya'@'127.0.0.1';");
    expect(json.findings.some((f: { database: string }) => f.database === 'ws_a')).toBe(true);
    noSecrets(r.stdout);
  });

  it('with SHOW DATABASES but no rights on some: names the databases it could not read; table output says so', async () => {
    const r = await cli(['scan', `mysql://lister:${PW}@127.0.0.1:${plain.port}/ws_*`, '--format', 'json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.summary.coverage[0]).toEqual({ shard: `127.0.0.1:${plain.port}`, databasesMatched: 4, databasesRead: 1, tablesRead: 11, complete: false });
    expect(json.summary.databases).toBe(1);
    expect(json.errors[0].message).toMatch(/no privilege on 3 of 4 matched databases \(ws_b, ws_c, ws_lock\)/);
    expect(json.errors[0].message).toContain("GRANT SELECT ON `ws\\_%`.* TO 'lister'@'127.0.0.1';");
    const table = await cli(['scan', `mysql://lister:${PW}@127.0.0.1:${plain.port}/ws_*`, '--fail-on', 'never']);
    expect(table.code).toBe(2);
    expect(table.stdout).toMatch(/^Coverage incomplete — 127\.0\.0\.1:\d+: 1 of 4 databases read in full, 11 tables; what was not seen was NOT checked/m);
  });

  it('a denied MAX() read is a coverage gap, not a crash', async () => {
    const r = await cli(['scan', `mysql://nosel:${PW}@127.0.0.1:${plain.port}/ws_lock`, '--format', 'json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.summary.coverage[0]).toMatchObject({ databasesMatched: 1, databasesRead: 1, tablesRead: 1, complete: false });
    expect(json.errors[0].message).toMatch(/MAX\(\) denied on 1 column \(ws_lock\.events\.id\)/);
  });

  it('doctor: exit 2 with the GRANT to run; after running it, exit 0 and the scan is complete', async () => {
    const url = `mysql://fixme:${PW}@127.0.0.1:${plain.port}/ws_*`;
    const before = await cli(['doctor', url]);
    expect(before.code).toBe(2);
    expect(before.stdout).toMatch(/NOT fully scannable/);
    expect(before.stdout).toContain("GRANT USAGE ON *.* TO `fixme`@`127.0.0.1` IDENTIFIED BY PASSWORD '<secret>'");
    const fix = /to fix\s+([\s\S]*?)\n\n/.exec(before.stdout)![1]!.split('\n').map((l) => l.trim());
    expect(fix).toEqual(["GRANT SHOW DATABASES ON *.* TO 'fixme'@'127.0.0.1';", "GRANT SELECT ON `ws\\_%`.* TO 'fixme'@'127.0.0.1';"]);
    const json = JSON.parse((await cli(['doctor', url, '--format', 'json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.shards[0].databases).toMatchObject({ listsAll: false, matched: ['ws_b'], full: ['ws_b'] });

    for (const stmt of fix) await plain.sql(stmt);
    const after = await cli(['doctor', url]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/OK, fully scannable/);
    const scanned = await cli(['scan', url, '--format', 'json']);
    expect(JSON.parse(scanned.stdout).summary.coverage[0]).toMatchObject({ databasesMatched: 4, databasesRead: 4, complete: true });
    noSecrets(before.stdout, after.stdout, scanned.stdout);
  });

  it('doctor: a shard that cannot connect is reported, the others still are', async () => {
    const cfg = file(
      'doctor.yaml',
      `shards:\n  - { name: good, host: 127.0.0.1, port: ${plain.port}, user: reader, password: "${PW}" }\n  - { name: bad, host: 127.0.0.1, port: ${plain.port}, user: reader, password: nope }\n`,
    );
    const r = await cli(['doctor', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^good \(127\.0\.0\.1:\d+\): OK, fully scannable$/m);
    expect(r.stdout).toMatch(/^bad \(127\.0\.0\.1:\d+\): CANNOT CONNECT\n {2}error {5}authentication failed: Access denied/m);
    expect(r.stdout).toMatch(/2 shards: 1 fully scannable, 1 not/);
    noSecrets(r.stdout);
  });
});
