/**
 * Connection settings in the inventory: TLS, passwordFile, passwordCommand, URL query
 * parameters, option files, and which source wins (shard field > url > defaults > option file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryFromUrl, loadInventory, parseInventory, readClientOptions } from '../../src/config/inventory.js';
import type { ValidateOptions } from '../../src/config/inventory.js';
import { UsageError } from '../../src/errors.js';

const PW = 'Zq9-inv-secret';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-inv-'));
  writeFileSync(join(dir, 'ca.pem'), PEM);
  writeFileSync(join(dir, 'client.pem'), PEM);
  writeFileSync(join(dir, 'client.key'), KEY);
  writeFileSync(join(dir, 'not-pem.txt'), 'hello\n');
  writeFileSync(join(dir, 'pw'), `${PW}\r\n\n`);
  writeFileSync(join(dir, 'empty'), '\n');
  writeFileSync(join(dir, 'two-lines'), 'a\nb\n');
  writeFileSync(join(dir, 'client.cnf'), `[client]\nuser=cnf-user\npassword=${PW}-cnf\nhost=cnf-host\nport=3399\nsocket=/cnf.sock\nssl-ca=${join(dir, 'ca.pem')}\n`, { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (yaml: string, options: ValidateOptions = {}) => parseInventory(yaml, 'f.yml', {}, { baseDir: dir, ...options });

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    expect(m).not.toContain(PW);
    return m;
  }
  throw new Error('expected a UsageError');
}

describe('ssl', () => {
  it('a mode name, or true/false', () => {
    const inv = parse(
      'shards:\n  - { host: a, user: u, ssl: required }\n  - { host: b, user: u, ssl: VERIFY_CA }\n  - { host: c, user: u, ssl: verify-identity }\n  - { host: d, user: u, ssl: true }\n  - { host: e, user: u, ssl: false }\n  - { host: f, user: u, ssl: disabled }\n',
    );
    expect(inv.shards.map((s) => s.ssl?.mode)).toEqual(['required', 'verify-ca', 'verify-identity', 'required', undefined, undefined]);
    expect(inv.shards[0]!.ssl!.from).toBe('shards[0].ssl');
  });

  it('files are read at load time, relative to the config; the key is a secret', () => {
    const inv = parse('shards:\n  - { host: a, user: u, ssl: { ca: ca.pem, cert: client.pem, key: client.key } }\n');
    const ssl = inv.shards[0]!.ssl!;
    expect(ssl).toMatchObject({ mode: 'verify-identity', ca: PEM, cert: PEM, caFile: join(dir, 'ca.pem'), keyFile: join(dir, 'client.key') });
    expect(ssl.key!.reveal()).toBe(KEY);
    expect(inspect(inv, { depth: null })).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(inv.shards)).not.toContain('PRIVATE KEY');
  });

  it('rejectUnauthorized: false means required; mode: verify-ca', () => {
    const inv = parse('shards:\n  - { host: a, user: u, ssl: { ca: ca.pem, rejectUnauthorized: false } }\n  - { host: b, user: u, ssl: { ca: ca.pem, mode: verify-ca } }\n');
    expect(inv.shards.map((s) => s.ssl!.mode)).toEqual(['required', 'verify-ca']);
  });

  it.each([
    ['shards: [{ host: a, user: u, ssl: { ca: nope.pem } }]', /^f\.yml: shards\[0\]\.ssl\.ca: cannot read \S+nope\.pem: no such file$/],
    ['shards: [{ host: a, user: u, ssl: { ca: not-pem.txt } }]', /^f\.yml: shards\[0\]\.ssl\.ca: \S+not-pem\.txt is not a PEM certificate/],
    ['shards: [{ host: a, user: u, ssl: { key: ca.pem, cert: client.pem } }]', /^f\.yml: shards\[0\]\.ssl\.key: \S+ca\.pem is not a PEM private key/],
    ['shards: [{ host: a, user: u, ssl: { cert: client.pem } }]', /^f\.yml: shards\[0\]\.ssl\.key: missing: a client certificate needs its key$/],
    ['shards: [{ host: a, user: u, ssl: { ca: ca.pem, rejectUnauthorized: "no" } }]', /ssl\.rejectUnauthorized: expected true or false, got "no"$/],
    ['shards: [{ host: a, user: u, ssl: { mode: verify-ca, rejectUnauthorized: false } }]', /rejectUnauthorized: false turns off the certificate check that mode verify-ca asks for/],
    ['shards: [{ host: a, user: u, ssl: sometimes }]', /^f\.yml: shards\[0\]\.ssl: expected required, verify-ca, verify-identity or disabled/],
    ['shards: [{ host: a, user: u, ssl: { caa: ca.pem } }]', /^f\.yml: shards\[0\]\.ssl\.caa: unknown key \(did you mean "ca"\?\)/],
    ['shards: [{ host: a, user: u, ssl: [ca.pem] }]', /^f\.yml: shards\[0\]\.ssl: expected a mapping, got a list$/],
    ['defaults: { ssl: { ca: "" } }\nshards: [{ host: a, user: u }]', /^f\.yml: defaults\.ssl\.ca: is empty; expected a file path$/],
  ])('%s', (yaml, message) => {
    expect(usage(() => parse(yaml))).toMatch(message);
  });

  it('one source decides all of TLS: a shard says disabled over defaults', () => {
    const inv = parse('defaults: { ssl: { ca: ca.pem } }\nshards:\n  - { host: a, user: u }\n  - { host: b, user: u, ssl: disabled }\n  - { host: c, user: u, url: "mysql://c?ssl-mode=REQUIRED" }\n');
    expect(inv.shards.map((s) => s.ssl?.mode)).toEqual(['verify-identity', undefined, 'required']);
    expect(inv.shards[0]!.ssl!.from).toBe('defaults.ssl');
  });
});

describe('passwords', () => {
  it('passwordFile: trailing newlines dropped; passwordCommand: a shell line or an argv list', () => {
    const inv = parse(
      'shards:\n  - { host: a, user: u, passwordFile: pw }\n  - { host: b, user: u, passwordCommand: "vault read -field=pw x" }\n  - { host: c, user: u, passwordCommand: [aws, rds, generate-db-auth-token] }\n',
    );
    expect(inv.shards[0]!.password.reveal()).toBe(PW);
    expect(inv.shards[0]!.passwordFrom).toBe('shards[0].passwordFile');
    expect(inv.shards[1]!.passwordCommand).toEqual({ argv: ['/bin/sh', '-c', 'vault read -field=pw x'], from: 'shards[1].passwordCommand' });
    expect(inv.shards[2]!.passwordCommand!.argv).toEqual(['aws', 'rds', 'generate-db-auth-token']);
    expect(inspect(inv, { depth: null })).not.toContain(PW);
  });

  it('the shard level wins over the url, the url over defaults', () => {
    const inv = parse(
      `defaults: { passwordFile: pw }\nshards:\n  - { host: a, user: u, password: own }\n  - { url: "mysql://u:from-url@b" }\n  - { host: c, user: u }\n  - { url: "mysql://u:from-url@d", passwordCommand: "x" }\n`,
    );
    expect(inv.shards.map((s) => s.password.reveal())).toEqual(['own', 'from-url', PW, '']);
    expect(inv.shards[3]!.passwordCommand).toBeDefined();
  });

  it.each([
    ['shards: [{ host: a, user: u, password: x, passwordFile: pw }]', /^f\.yml: shards\[0\]\.passwordFile: give one of password, passwordFile, passwordCommand \(shards\[0\]\.password is set too\)$/],
    ['shards: [{ host: a, user: u, passwordFile: nope }]', /^f\.yml: shards\[0\]\.passwordFile: cannot read \S+nope: no such file$/],
    ['shards: [{ host: a, user: u, passwordFile: empty }]', /^f\.yml: shards\[0\]\.passwordFile: \S+empty is empty; expected the password$/],
    ['shards: [{ host: a, user: u, passwordFile: two-lines }]', /has more than one line/],
    ['shards: [{ host: a, user: u, passwordFile: "." }]', /passwordFile: cannot read \S+: is a directory$/],
    ['shards: [{ host: a, user: u, passwordCommand: [] }]', /^f\.yml: shards\[0\]\.passwordCommand: is an empty list/],
    ['shards: [{ host: a, user: u, passwordCommand: "  " }]', /^f\.yml: shards\[0\]\.passwordCommand: is empty/],
    ['shards: [{ host: a, user: u, passwordCommand: { run: x } }]', /^f\.yml: shards\[0\]\.passwordCommand: expected a command \(run with sh -c\) or a list/],
    ['shards: [{ host: a, user: u, passwordCommand: [x, [y]] }]', /^f\.yml: shards\[0\]\.passwordCommand\[1\]: expected a string, got a list$/],
  ])('%s', (yaml, message) => {
    expect(usage(() => parse(yaml))).toMatch(message);
  });
});

describe('url query parameters', () => {
  it('ssl-mode, ssl-ca/cert/key (relative to the current directory on the command line), socket', () => {
    const inv = inventoryFromUrl(`mysql://u@127.0.0.1/ws_*?ssl_mode=verify_ca&ssl-ca=${join(dir, 'ca.pem')}&socket=/run/m.sock`, {}, { defaultsFile: false });
    expect(inv.shards[0]).toMatchObject({ socketPath: '/run/m.sock', databases: ['ws_*'], ssl: { mode: 'verify-ca', caFile: join(dir, 'ca.pem'), from: 'url' } });
    const rel = inventoryFromUrl('mysql://u@h?ssl-ca=ca.pem', {}, { defaultsFile: false, cwd: dir });
    expect(rel.shards[0]!.ssl).toMatchObject({ mode: 'verify-identity', caFile: join(dir, 'ca.pem') });
    expect(inventoryFromUrl('mysql://u@h?ssl-mode=DISABLED', {}, { defaultsFile: false }).shards[0]!.ssl).toBeUndefined();
  });

  it.each([
    [`mysql://u:${PW}@h?ssl-mode=PREFERRED`, /^command line: url: ssl-mode=PREFERRED \(TLS only if the server offers it\) is not supported/],
    [`mysql://u:${PW}@h?ssl-mode=yes`, /^command line: url: ssl-mode: expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, got "yes"$/],
    [`mysql://u:${PW}@h?ssl-caa=/x`, /^command line: url: unknown query parameter \(did you mean "ssl-ca"\?\); supported: ssl-mode, ssl-ca, ssl-cert, ssl-key, socket$/],
    // Unknown parameters and fragments are never echoed: they may be pieces of an unescaped password.
    [`mysql://u@h/db?${PW}=1`, /^command line: url: unknown query parameter; supported: /],
    [`mysql://u@h/db#${PW}`, /^command line: url: is not a valid URL: it has a "#" \(write it as %23/],
    [`mysql://u:ab?${PW}@h`, /^command line: url: is not a valid URL; expected mysql:\/\/user@host:3306$/],
    ['mysql://u@h?ssl-mode=REQUIRED&ssl-mode=REQUIRED', /query parameter ssl-mode is given twice$/],
    ['mysql://u@h?ssl-ca=', /query parameter ssl-ca is empty$/],
    ['mysql://u@h?ssl-mode=DISABLED&ssl-ca=/x', /ssl-mode=DISABLED with ssl-ca\/ssl-cert\/ssl-key/],
    ['mysql://u@h?ssl-ca=/nonexistent/ca.pem', /^command line: url ssl-ca: cannot read \/nonexistent\/ca\.pem: no such file$/],
    ['mysql://u@h?ssl-ca=%zz', /a bad %-escape in the query/],
  ])('%s', (url, message) => {
    const m = usage(() => inventoryFromUrl(url, {}, { defaultsFile: false }));
    expect(m).toMatch(message);
  });
});

describe('option files', () => {
  const opt = () => readClientOptions({}, { defaultsFile: join(dir, 'client.cnf') })!;

  it('fills only what the config leaves out: shard field > url > defaults > option file', () => {
    const inv = parse(
      'defaults: { port: 3310 }\nshards:\n  - { name: a }\n  - { name: b, host: own-host, user: own-user, password: own }\n  - { name: c, url: "mysql://url-user@url-host:3320" }\n',
      { clientOptions: opt() },
    );
    const [a, b, c] = inv.shards;
    // The option file's socket is only for localhost: cnf-host is not.
    expect(a).toMatchObject({ host: 'cnf-host', port: 3310, user: 'cnf-user', ssl: { mode: 'verify-identity', from: `${join(dir, 'client.cnf')} [client]` } });
    expect(a!.socketPath).toBeUndefined();
    expect(a!.password.reveal()).toBe(`${PW}-cnf`);
    expect(a!.passwordFrom).toBe(`${join(dir, 'client.cnf')} [client]`);
    expect(b).toMatchObject({ host: 'own-host', user: 'own-user' });
    expect(b!.password.reveal()).toBe('own');
    expect(c).toMatchObject({ host: 'url-host', port: 3320, user: 'url-user' });
    expect(c!.password.reveal()).toBe(`${PW}-cnf`);
  });

  it('its socket applies to localhost', () => {
    const inv = parse('shards:\n  - { name: a, host: localhost }\n', { clientOptions: opt() });
    expect(inv.shards[0]!.socketPath).toBe('/cnf.sock');
  });

  it('~/.my.cnf from $HOME when it exists; --defaults-file must exist', async () => {
    const home = mkdtempSync(join(tmpdir(), 'headroom-home-'));
    try {
      expect(readClientOptions({ HOME: home })).toBeUndefined();
      writeFileSync(join(home, '.my.cnf'), '[client]\nuser=home-user\n', { mode: 0o600 });
      expect(readClientOptions({ HOME: home })).toMatchObject({ user: 'home-user', from: '~/.my.cnf [client]' });
      expect(readClientOptions({ HOME: home }, { defaultsFile: false })).toBeUndefined();
      expect(readClientOptions({}, {})).toBeUndefined();
      const cfg = join(dir, 'min.yml');
      writeFileSync(cfg, 'shards: [{ host: a }]\n');
      expect((await loadInventory(cfg, { HOME: home })).shards[0]!.user).toBe('home-user');
      await expect(loadInventory(cfg, { HOME: home }, { defaultsFile: join(dir, 'nope.cnf') })).rejects.toThrow(/nope\.cnf: cannot read option file: no such file$/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('offline (scan --snapshot): nothing will connect', () => {
  it('unset variables read as empty, no file is read, user may be missing', async () => {
    const cfg = join(dir, 'offline.yml');
    writeFileSync(cfg, 'shards:\n  - { name: a, host: h, password: "${NOT_SET_PW}", passwordFile: x, ssl: { ca: /nonexistent/ca.pem } }\n'.replace('password: "${NOT_SET_PW}", ', ''));
    const inv = await loadInventory(cfg, {}, { offline: true });
    expect(inv.shards[0]).toMatchObject({ name: 'a', user: '', ssl: { mode: 'verify-identity', caFile: '/nonexistent/ca.pem' } });
    writeFileSync(cfg, 'shards:\n  - { name: a, host: "${NOT_SET_HOST}", user: u, password: "${NOT_SET_PW}" }\n');
    expect((await loadInventory(cfg, {}, { offline: true })).shards[0]!.name).toBe('a');
    await expect(loadInventory(cfg, {})).rejects.toThrow(/environment variable NOT_SET_HOST is not set/);
  });
});
