import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryFromUrl, loadInventory, parseInventory, validateInventory } from '../../src/config/inventory.js';
import { Secret, type Inventory } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';

const FILE = 'fleet.yml';
const PASSWORDS = { DEFAULT_PW: 'Zq7-default-pw', SHARD2_PW: 'Zq7-shard2-pw', URL_PW: 'Zq7-url-pw' };
const ENV = { ...PASSWORDS, EMPTY: '' };

/** Strip the indentation the test source adds, so YAML can be written in place. */
function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const parse = (text: string, env: Record<string, string | undefined> = ENV) => parseInventory(yaml(text), FILE, env);

/** The UsageError `fn` throws; fails the test if it throws something else or nothing. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as UsageError).message;
    expect(message, 'one line').not.toContain('\n');
    return e as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

/** JSON.stringify that accepts the bigints of threshold fractions. */
const toJson = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

const FULL = `
  defaults:
    user: headroom
    password: \${DEFAULT_PW}
    port: 3307
    databases: [ws_*]
    exclude: [ws_archive_*]
    concurrency: 2
    timeoutSeconds: 10
    shardConcurrency: 3
  shards:
    - name: shard-1
      host: db1.internal
    - name: shard-2
      host: db2.internal
      port: 3310
      user: ops
      password: \${SHARD2_PW}
      databases: tenant_*
      exclude: []
      concurrency: 6
      timeoutSeconds: "20"
    - name: shard-3
      url: mysql://app:\${URL_PW}@db3.internal:3311/billing_*
    - url: mariadb://db4.internal
    - name: local
      socket: /var/run/mysqld/mysqld.sock
  thresholds:
    warning: 0.6
    critical: "0.90"
  relationships:
    - column: thread_snapshots.source_thread
      references: message_threads.id
    - column: ws_*.invoices.account_id
      references: core.accounts.id
  ignore:
    - "*.stripe_customer_id"
    - ws_legacy.users.old_id
`;

describe('parseInventory: a full valid file', () => {
  let inv: Inventory;
  beforeAll(() => {
    inv = parse(FULL);
  });

  it('keeps the source and top-level settings', () => {
    expect(inv.source).toBe(FILE);
    expect(inv.shardConcurrency).toBe(3);
    expect(inv.ignore).toEqual(['*.stripe_customer_id', 'ws_legacy.users.old_id']);
  });

  it('reads thresholds as written and as exact fractions', () => {
    expect(inv.thresholds).toEqual({
      warning: { num: 6n, den: 10n },
      critical: { num: 90n, den: 100n },
      warningText: '0.6',
      criticalText: '0.90',
    });
  });

  it('reads relationships with where they came from', () => {
    expect(inv.relationships).toEqual([
      { column: 'thread_snapshots.source_thread', references: 'message_threads.id', origin: 'fleet.yml relationships[0]' },
      { column: 'ws_*.invoices.account_id', references: 'core.accounts.id', origin: 'fleet.yml relationships[1]' },
    ]);
  });

  it('fills a shard from defaults', () => {
    const { password, ...s } = inv.shards[0]!;
    expect(s).toEqual({
      name: 'shard-1',
      host: 'db1.internal',
      port: 3307,
      user: 'headroom',
      databases: ['ws_*'],
      exclude: ['ws_archive_*'],
      concurrency: 2,
      timeoutSeconds: 10,
    });
    expect(password).toBeInstanceOf(Secret);
    expect(password.reveal()).toBe(PASSWORDS.DEFAULT_PW);
  });

  it('lets shard fields override defaults (a single string is a one-item list)', () => {
    const { password, ...s } = inv.shards[1]!;
    expect(s).toEqual({
      name: 'shard-2',
      host: 'db2.internal',
      port: 3310,
      user: 'ops',
      databases: ['tenant_*'],
      exclude: [],
      concurrency: 6,
      timeoutSeconds: 20,
    });
    expect(password.reveal()).toBe(PASSWORDS.SHARD2_PW);
  });

  it('reads host, port, user, password and database glob from a url', () => {
    const { password, ...s } = inv.shards[2]!;
    expect(s).toMatchObject({ name: 'shard-3', host: 'db3.internal', port: 3311, user: 'app', databases: ['billing_*'], exclude: ['ws_archive_*'] });
    expect(password.reveal()).toBe(PASSWORDS.URL_PW);
  });

  it('names a shard host:port when it has no name, and takes what the url lacks from defaults', () => {
    const s = inv.shards[3]!;
    expect(s).toMatchObject({ name: 'db4.internal:3307', host: 'db4.internal', port: 3307, user: 'headroom', databases: ['ws_*'] });
    expect(s.password.reveal()).toBe(PASSWORDS.DEFAULT_PW);
  });

  it('accepts a socket instead of a host', () => {
    expect(inv.shards[4]).toMatchObject({ name: 'local', host: 'localhost', socketPath: '/var/run/mysqld/mysqld.sock' });
  });

  it('never shows a password in JSON, util.inspect or string conversion', () => {
    const shown = [toJson(inv), toJson(inv.shards), inspect(inv, { depth: null }), inspect(inv.shards[1]), String(inv.shards[1]!.password), `${inv.shards[2]!.password}`];
    for (const text of shown) {
      for (const pw of Object.values(PASSWORDS)) expect(text).not.toContain(pw);
      expect(text).toContain('[redacted]');
    }
  });
});

describe('parseInventory: defaults and small forms', () => {
  it('uses built-in defaults for everything optional', () => {
    const inv = parse(`
      shards:
        - host: db1
          user: root
    `);
    expect(inv.shardConcurrency).toBe(8);
    expect(inv.thresholds.warningText).toBe('0.70');
    expect(inv.thresholds.criticalText).toBe('0.85');
    expect(inv.relationships).toEqual([]);
    expect(inv.ignore).toEqual([]);
    const { password, ...s } = inv.shards[0]!;
    expect(s).toEqual({ name: 'db1:3306', host: 'db1', port: 3306, user: 'root', databases: [], exclude: [], concurrency: 4, timeoutSeconds: 30 });
    expect(password.empty).toBe(true);
  });

  it('takes ${VAR:-fallback} when the variable is unset or empty', () => {
    const inv = parse(`
      shards:
        - host: \${DB_HOST:-db9}
          user: \${EMPTY:-reader}
          port: \${DB_PORT:-3333}
    `);
    expect(inv.shards[0]).toMatchObject({ host: 'db9', user: 'reader', port: 3333, name: 'db9:3333' });
  });

  it('decodes a percent-encoded password and an IPv6 host in a url', () => {
    const inv = parse(`
      shards:
        - url: mysql://root:p%40ss@[::1]:3307
    `);
    expect(inv.shards[0]).toMatchObject({ host: '::1', port: 3307, user: 'root', name: '::1:3307' });
    expect(inv.shards[0]!.password.reveal()).toBe('p@ss');
  });

  it('lets thresholds be equal, and reads 1 as 100%', () => {
    const inv = parse(`
      shards: [{ host: a, user: u }]
      thresholds: { warning: 1, critical: 1 }
    `);
    expect(inv.thresholds.critical).toEqual({ num: 1n, den: 1n });
  });

  it('fills only the threshold that is missing', () => {
    const inv = parse(`
      shards: [{ host: a, user: u }]
      thresholds: { critical: 0.95 }
    `);
    expect([inv.thresholds.warningText, inv.thresholds.criticalText]).toEqual(['0.70', '0.95']);
  });
});

describe('validateInventory on an object built in code', () => {
  it('validates the same way as YAML', () => {
    const inv = validateInventory({ shards: [{ host: 'h', user: 'u', password: 'Zq7-inline' }], ignore: '*.uuid' }, 'code', {});
    expect(inv.source).toBe('code');
    expect(inv.ignore).toEqual(['*.uuid']);
    expect(inspect(inv)).not.toContain('Zq7-inline');
  });

  it('names the source in errors', () => {
    expect(usageError(() => validateInventory({ shards: 'h' }, 'code', {})).message).toBe('code: shards: expected a list, got "h"');
  });
});

describe('parseInventory: every error is one UsageError line naming the file and field', () => {
  // Each case sets passwords, so the last test can check none of them leaks.
  const cases: [string, string, RegExp][] = [
    ['unknown top-level key, with a hint', 'shards: [{ host: a, user: u }]\nthreshold: { warning: 0.5 }', /^fleet\.yml: threshold: unknown key \(did you mean "thresholds"\?\); allowed: shards, defaults, thresholds, relationships, ignore\b/],
    ['unknown shard key, with a hint', 'shards:\n  - host: a\n    user: u\n    pasword: Zq7-typo-pw', /^fleet\.yml: shards\[0\]\.pasword: unknown key \(did you mean "password"\?\); allowed: /],
    ['unknown defaults key', 'defaults: { shardConcurency: 2 }\nshards: [{ host: a, user: u }]', /^fleet\.yml: defaults\.shardConcurency: unknown key \(did you mean "shardConcurrency"\?\)/],
    ['unknown key, no close match', 'shards: [{ host: a, user: u, colour: red }]', /^fleet\.yml: shards\[0\]\.colour: unknown key; allowed: name, host/],
    ['shards not a list', 'shards:\n  host: a', /^fleet\.yml: shards: expected a list, got a mapping$/],
    ['top level not a mapping', '- host: a', /^fleet\.yml: expected a mapping, got a list$/],
    ['shard not a mapping', 'shards: [db1]', /^fleet\.yml: shards\[0\]: expected a mapping, got "db1"$/],
    ['port not a number', 'shards: [{ host: a, user: u, password: Zq7-p1, port: abc }]', /^fleet\.yml: shards\[0\]\.port: expected a whole number from 1 to 65535, got "abc"$/],
    ['port out of range', 'shards: [{ host: a, user: u, port: 70000 }]', /^fleet\.yml: shards\[0\]\.port: expected a whole number from 1 to 65535, got 70000$/],
    ['defaults port wrong', 'defaults: { port: 0 }\nshards: [{ host: a, user: u }]', /^fleet\.yml: defaults\.port: expected a whole number from 1 to 65535, got 0$/],
    ['concurrency not whole', 'shards: [{ host: a, user: u, concurrency: 1.5 }]', /^fleet\.yml: shards\[0\]\.concurrency: expected a whole number from 1 to 64, got 1\.5$/],
    ['user a list', 'shards: [{ host: a, user: [u] }]', /^fleet\.yml: shards\[0\]\.user: expected a string, got a list$/],
    ['databases not a list', 'shards: [{ host: a, user: u, databases: { a: 1 } }]', /^fleet\.yml: shards\[0\]\.databases: expected a list, got a mapping$/],
    ['empty database glob', 'shards: [{ host: a, user: u, databases: ["ws_*", ""] }]', /^fleet\.yml: shards\[0\]\.databases\[1\]: is empty$/],
    ['missing env var', 'shards: [{ host: a, user: u, password: "${DB_PASSWORD}" }]', /^fleet\.yml: shards\[0\]\.password: environment variable DB_PASSWORD is not set$/],
    ['missing env var in defaults', 'defaults: { password: "${DB_PASSWORD}" }\nshards: [{ host: a, user: u }]', /^fleet\.yml: defaults\.password: environment variable DB_PASSWORD is not set$/],
    ['empty env var', 'shards: [{ host: a, user: "${EMPTY}" }]', /^fleet\.yml: shards\[0\]\.user: environment variable EMPTY is not set$/],
    ['no host', 'shards: [{ user: u, password: Zq7-p2 }]', /^fleet\.yml: shards\[0\]\.host: missing: set host, url or socket$/],
    ['no user', 'shards: [{ host: a, password: Zq7-p3 }]', /^fleet\.yml: shards\[0\]\.user: missing: set user on the shard, in defaults, or in url$/],
    ['bad shard name', 'shards: [{ name: "shard one", host: a, user: u, password: Zq7-p4 }]', /^fleet\.yml: shards\[0\]\.name: use letters, digits/],
    ['duplicate names', 'shards:\n  - { name: s1, host: a, user: u, password: Zq7-p5 }\n  - { name: s1, host: b, user: u, password: Zq7-p6 }', /^fleet\.yml: shards\[1\]\.name: "s1" is used twice \(also shards\[0\]\)$/],
    ['duplicate derived names', 'shards: [{ host: a, user: u }, { url: "mysql://u:Zq7-p7@a" }]', /^fleet\.yml: shards\[1\]\.name: "a:3306" is used twice \(also shards\[0\]\)$/],
    ['no shards', 'defaults: { user: u }', /^fleet\.yml: shards: missing: list at least one server$/],
    ['empty shards', 'shards: []', /^fleet\.yml: shards: is empty: list at least one server$/],
    ['url not a url', 'shards: [{ url: "mysql://u:Zq7-p8@bad host" }]', /^fleet\.yml: shards\[0\]\.url: is not a valid URL; expected mysql:\/\/user@host:3306$/],
    ['url scheme', 'shards: [{ url: "postgres://u:Zq7-p9@a" }]', /^fleet\.yml: shards\[0\]\.url: unsupported scheme "postgres"; expected mysql:\/\/user@host:3306$/],
    ['url query', 'shards: [{ url: "mysql://u:Zq7-p10@a/db?ssl=true" }]', /^fleet\.yml: shards\[0\]\.url: unknown query parameter; supported: ssl-mode, ssl-ca, ssl-cert, ssl-key, socket$/],
    ['threshold zero', 'shards: [{ host: a, user: u }]\nthresholds: { warning: 0 }', /^fleet\.yml: thresholds\.warning: expected a ratio above 0 and at most 1 \(e\.g\. 0\.85\), got 0$/],
    ['threshold above 1', 'shards: [{ host: a, user: u }]\nthresholds: { critical: 1.5 }', /^fleet\.yml: thresholds\.critical: expected a ratio above 0 and at most 1 \(e\.g\. 0\.85\), got 1\.5$/],
    ['threshold negative', 'shards: [{ host: a, user: u }]\nthresholds: { warning: -0.1 }', /^fleet\.yml: thresholds\.warning: expected a ratio/],
    ['threshold a percentage', 'shards: [{ host: a, user: u }]\nthresholds: { warning: 70% }', /^fleet\.yml: thresholds\.warning: expected a ratio above 0 and at most 1 \(e\.g\. 0\.85\), got "70%"$/],
    ['threshold a list', 'shards: [{ host: a, user: u }]\nthresholds: { warning: [0.5] }', /^fleet\.yml: thresholds\.warning: expected a ratio .*, got a list$/],
    ['warning above critical', 'shards: [{ host: a, user: u }]\nthresholds: { warning: 0.9, critical: 0.8 }', /^fleet\.yml: thresholds\.warning: 0\.9 is above thresholds\.critical 0\.8$/],
    ['warning above default critical', 'shards: [{ host: a, user: u }]\nthresholds: { warning: 0.9 }', /^fleet\.yml: thresholds\.warning: 0\.9 is above thresholds\.critical 0\.85$/],
    ['unknown threshold', 'shards: [{ host: a, user: u }]\nthresholds: { warnng: 0.5 }', /^fleet\.yml: thresholds\.warnng: unknown key \(did you mean "warning"\?\); allowed: warning, critical$/],
    ['relationships not a list', 'shards: [{ host: a, user: u }]\nrelationships: { column: a.b }', /^fleet\.yml: relationships: expected a list, got a mapping$/],
    ['relationship missing references', 'shards: [{ host: a, user: u }]\nrelationships:\n  - column: posts.user_id', /^fleet\.yml: relationships\[0\]\.references: missing: the referenced key as table\.column or db\.table\.column$/],
    ['relationship missing column', 'shards: [{ host: a, user: u }]\nrelationships:\n  - references: users.id', /^fleet\.yml: relationships\[0\]\.column: missing/],
    ['relationship one part', 'shards: [{ host: a, user: u }]\nrelationships:\n  - { column: user_id, references: users.id }', /^fleet\.yml: relationships\[0\]\.column: expected table\.column or db\.table\.column, got "user_id"$/],
    ['relationship four parts', 'shards: [{ host: a, user: u }]\nrelationships:\n  - { column: posts.user_id, references: a.b.users.id }', /^fleet\.yml: relationships\[0\]\.references: expected table\.column or db\.table\.column, got "a\.b\.users\.id"$/],
    ['relationship empty part', 'shards: [{ host: a, user: u }]\nrelationships:\n  - { column: posts..user_id, references: users.id }', /^fleet\.yml: relationships\[0\]\.column: expected table\.column/],
    ['relationship typo', 'shards: [{ host: a, user: u }]\nrelationships:\n  - { column: posts.user_id, refrences: users.id }', /^fleet\.yml: relationships\[0\]\.refrences: unknown key \(did you mean "references"\?\)/],
    ['ignore not strings', 'shards: [{ host: a, user: u }]\nignore: [{ a: 1 }]', /^fleet\.yml: ignore\[0\]: expected a string, got a mapping$/],
    ['invalid YAML', 'shards:\n  - host: a\n   user: u', /^fleet\.yml:3:1: invalid YAML: /],
    ['duplicate YAML key', 'shards:\n  - host: a\n    host: b', /^fleet\.yml:3:5: invalid YAML: Map keys must be unique$/],
    ['unclosed quote on a password line', 'shards:\n  - host: a\n    user: u\n    password: "Zq7-open-quote', /^fleet\.yml:\d+:\d+: invalid YAML: Missing closing "quote$/],
    ['YAML error on a password line', 'shards:\n  - host: a\n    password: Zq7-yaml: pw', /^fleet\.yml:3:\d+: invalid YAML: /],
    ['empty file', '', /^fleet\.yml: the file is empty; expected a mapping with `shards:`$/],
    ['comments only', '# nothing yet\n', /^fleet\.yml: the file is empty/],
  ];

  it.each(cases)('%s', (_name, text, message) => {
    expect(usageError(() => parseInventory(text, FILE, ENV)).message).toMatch(message);
  });

  it('never puts a password in a message', () => {
    for (const [name, text] of cases) {
      const message = usageError(() => parseInventory(text, FILE, ENV)).message;
      expect(message, name).not.toMatch(/Zq7-/);
    }
  });

  // inventory.ts thresholds(): `Number(text)` accepts ".5", "1." and "0x1", which
  // decimalToFraction then refuses with a plain Error (no file, no field).
  it('refuses a threshold Number() reads but decimalToFraction does not, as a UsageError', () => {
    const e = usageError(() => parse(`
      shards: [{ host: a, user: u }]
      thresholds: { warning: ".5" }
    `));
    expect(e.message).toMatch(/^fleet\.yml: thresholds\.warning: /);
  });

  // inventory.ts url(): decodeURIComponent runs outside the try, so a lone `%`
  // in a url password escapes as a URIError instead of a UsageError.
  it('refuses a url with a malformed percent escape as a UsageError', () => {
    const e = usageError(() => parse(`
      shards:
        - url: mysql://u:Zq7-100%@db1
    `));
    expect(e.message).toMatch(/^fleet\.yml: shards\[0\]\.url: /);
    expect(e.message).not.toContain('Zq7-');
  });
});

describe('inventoryFromUrl', () => {
  it('builds a one-shard inventory with default thresholds', () => {
    const inv = inventoryFromUrl('mysql://root:Zq7-cli-pw@127.0.0.1:3307/ws_*', {});
    expect(inv.source).toBe('command line');
    expect(inv.shardConcurrency).toBe(1);
    expect(inv.thresholds.warningText).toBe('0.70');
    expect(inv.relationships).toEqual([]);
    expect(inv.ignore).toEqual([]);
    expect(inv.shards).toHaveLength(1);
    const { password, ...s } = inv.shards[0]!;
    expect(s).toEqual({ name: '127.0.0.1:3307', host: '127.0.0.1', port: 3307, user: 'root', databases: ['ws_*'], exclude: [], concurrency: 4, timeoutSeconds: 30 });
    expect(password.reveal()).toBe('Zq7-cli-pw');
    expect(inspect(inv, { depth: null })).not.toContain('Zq7-cli-pw');
    expect(toJson(inv)).not.toContain('Zq7-cli-pw');
  });

  it('takes ${VAR} from the environment it is given', () => {
    const inv = inventoryFromUrl('mariadb://ro:${PW}@db1', { PW: 'Zq7-env' });
    expect(inv.shards[0]!.password.reveal()).toBe('Zq7-env');
    expect(inv.shards[0]!.port).toBe(3306);
  });

  it.each([
    ['mysql://db1', /^command line: url: no user: write mysql:\/\/USER@host:port/],
    // The field currently reads `url.url`; either spelling names the url.
    ['db1:3306', /^command line: url(\.url)?: unsupported scheme "db1"/],
    ['http://u:Zq7-x@db1', /^command line: url(\.url)?: unsupported scheme "http"/],
    ['mysql://u:Zq7-x@db 1', /^command line: url(\.url)?: is not a valid URL/],
    ['nonsense', /^command line: url(\.url)?: is not a valid URL/],
  ])('refuses %s', (url, message) => {
    const e = usageError(() => inventoryFromUrl(url, {}));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('Zq7-');
  });
});

describe('loadInventory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headroom-inventory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const path = join(dir, 'fleet.yml');
    await writeFile(path, 'shards:\n  - host: db1\n    user: ro\n');
    const inv = await loadInventory(path, {});
    expect(inv.source).toBe(path);
    expect(inv.shards[0]!.name).toBe('db1:3306');
  });

  it('names the file when it is missing', async () => {
    const path = join(dir, 'nope.yml');
    await expect(loadInventory(path, {})).rejects.toThrow(UsageError);
    await expect(loadInventory(path, {})).rejects.toThrow(`${path}: cannot read config: no such file`);
  });

  it('names the file when it is a directory', async () => {
    await expect(loadInventory(dir, {})).rejects.toThrow(`${dir}: cannot read config: is a directory`);
  });

  it('names the file and line of a YAML error', async () => {
    const path = join(dir, 'broken.yml');
    await writeFile(path, 'shards:\n  - host: a\n    host: b\n');
    await expect(loadInventory(path, {})).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:5: invalid YAML`));
  });
});
