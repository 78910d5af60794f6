/**
 * The command as a user runs it: the built `bin/headroom.js`, exit codes,
 * one-line errors, no password in any output.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlacements } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/headroom.js');
const PASSWORD = 'Zq9-very-secret-pw';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer({ name: 'cli-shard' });
  await loadPlacements(server, [{ file: 'hot-tenant.sql', databases: ['ws_hot'] }]);
  await server.sql(`CREATE USER 'headroom'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT ON *.* TO 'headroom'@'127.0.0.1';`);
  dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function config(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('headroom scan (the command)', () => {
  it('shows the demo findings with no database at all, and exits 1 on critical ones', async () => {
    const r = await run(['scan', '--snapshot', 'fixtures/demo-fleet.json', '--config', 'fixtures/demo.yaml']);
    expect(r.stdout).toContain('conversation_parts.message_thread_id');
    expect(r.stdout).toMatch(/Scanned 3 shards, 125 databases/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  it('--fail-on never exits 0; --format json is parseable', async () => {
    const r = await run(['scan', '--snapshot', 'fixtures/demo-fleet.json', '--format', 'json', '--fail-on', 'never']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.version).toBe(1);
    expect(json.summary.findings.critical).toBeGreaterThan(0);
  });

  it('scans a live server with a password from the environment, read-only user', async () => {
    const cfg = config(
      'live.yaml',
      `shards:\n  - name: live\n    host: 127.0.0.1\n    port: ${server.port}\n    user: headroom\n    password: \${HEADROOM_PASSWORD}\n`,
    );
    const r = await run(['scan', '--config', cfg, '--format', 'json'], { HEADROOM_PASSWORD: PASSWORD });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.errors).toEqual([]);
    expect(json.findings.some((f: { id: string }) => f.id === 'fk-capacity:live/ws_hot/conversation_parts.message_thread_id')).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('a wrong password: the shard error names the shard, never the password, exit 2', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const r = await run(['scan', `mysql://headroom:${wrong}@127.0.0.1:${server.port}`, '--format', 'json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.errors[0].shard).toBe(`127.0.0.1:${server.port}`);
    expect(json.errors[0].message).toMatch(/Access denied/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('zero-config URL form reads one server', async () => {
    const r = await run(['scan', `${server.url}/ws_*`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('categories.id');
  });

  it.each([
    ['unknown key', 'shards:\n  - name: a\n    hots: x\n', /^headroom: .*bad\.yaml: shards\[0\]\.hots: unknown key \(did you mean "host"\?\)/],
    ['missing variable', 'shards:\n  - { name: a, host: h, user: u, password: "${NOPE_NOT_SET}" }\n', /shards\[0\]\.password: environment variable NOPE_NOT_SET is not set/],
    ['invalid YAML', 'shards: [\n  - a\n', /bad\.yaml:\d+:\d+: invalid YAML/],
    ['wrong type', 'shards:\n  - { name: a, host: h, user: u, port: "many" }\n', /shards\[0\]\.port: expected a whole number/],
  ])('bad config (%s): one line naming file and field, exit 2, no stack', async (_name, text, pattern) => {
    const r = await run(['scan', '--config', config('bad.yaml', text)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad usage exits 2: no source, unknown format, missing file', async () => {
    expect((await run(['scan'])).code).toBe(2);
    expect((await run(['scan', '--snapshot', 'x.json', '--format', 'xml'])).code).toBe(2);
    const missing = await run(['scan', '--snapshot', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read snapshot: no such file/);
  });

  it('snapshot then offline scan gives the same findings as the live scan', async () => {
    const out = join(dir, 'fleet.json');
    const snap = await run(['snapshot', server.url, '--out', out]);
    expect(snap.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).format).toBe('headroom-snapshot');
    const offline = await run(['scan', '--snapshot', out, '--format', 'json']);
    const live = await run(['scan', server.url, '--format', 'json']);
    expect(JSON.parse(offline.stdout).findings).toEqual(JSON.parse(live.stdout).findings);
  });

  it('checks lists every check id', async () => {
    const r = await run(['checks']);
    expect(r.stdout).toMatch(/^pk-capacity /m);
    expect(r.stdout).toMatch(/^fk-capacity /m);
    expect(r.stdout).toMatch(/^fk-type-mismatch /m);
  });
});
