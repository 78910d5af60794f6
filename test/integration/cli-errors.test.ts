/**
 * Ordinary failures of the command as a user meets them: one line, no stack, a sane exit code.
 * - the reader of stdout goes away (`headroom plan | head -1`): exit quietly (it used to die with an
 *   unhandled EPIPE stack);
 * - an output directory that cannot be made (under /proc Node's recursive mkdir looped forever at 80%
 *   CPU) or that is an existing file (it said "EEXIST").
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = ['--snapshot', 'fixtures/demo-fleet.json', '--config', 'fixtures/demo.yaml'];

function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], { cwd: ROOT, timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: ROOT, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('ordinary failures are one line', () => {
  it('a closed pipe: headroom stops quietly (no EPIPE stack), exit 0', async () => {
    // The demo plan's JSON is larger than a pipe's buffer, so the write fails once head has gone.
    const r = await sh(`node bin/headroom.js plan ${DEMO.join(' ')} --format json 2>err.tmp | head -c 10 >/dev/null; echo "exit \${PIPESTATUS[0]}"; cat err.tmp; rm -f err.tmp`);
    expect(r.stdout).toBe('exit 0\n');
  });

  it('an output directory that cannot be made, or that is a file: one line, exit 2, no loop', async () => {
    const proc = await sh(`node bin/headroom.js runbook ${DEMO.join(' ')} --out /proc/headroom-runbooks`);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toBe('headroom: /proc/headroom-runbooks: cannot write runbooks: no such file\n');
    const file = await sh(`node bin/headroom.js runbook ${DEMO.join(' ')} --out fixtures/demo.yaml`);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe('headroom: fixtures/demo.yaml: cannot write runbooks: exists and is not a directory\n');
    const hist = await sh(`node bin/headroom.js scan ${DEMO.join(' ')} --history /proc/headroom-history --fail-on never`);
    expect(hist.code).toBe(2);
    expect(hist.stderr).toMatch(/^headroom: history \/proc\/headroom-history: cannot write: no such file\n$/);
  });
});

describe('a stale snapshot does not gate as clean', () => {
  it('with a CI format, older than 7 days (or --max-age) is one line and exit 2; a table scan goes on', async () => {
    const dir = await import('node:fs').then((fs) => fs.mkdtempSync('/tmp/headroom-age-'));
    const { readFileSync, writeFileSync } = await import('node:fs');
    const snap = JSON.parse(readFileSync(`${ROOT}fixtures/demo-fleet.json`, 'utf8'));
    snap.takenAt = new Date(Date.now() - 30 * 86_400_000).toISOString();
    writeFileSync(`${dir}/old.json`, JSON.stringify(snap));
    const sarif = await sh(`node bin/headroom.js scan --snapshot ${dir}/old.json --config fixtures/demo.yaml --format sarif`);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toMatch(new RegExp(`^headroom: ${dir}/old\\.json: taken \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC, 30 days ago: older than --max-age 7 days \\(take a new one with headroom snapshot, or raise --max-age\\)\\n$`));
    const allowed = await sh(`node bin/headroom.js scan --snapshot ${dir}/old.json --config fixtures/demo.yaml --format sarif --max-age 45 > /dev/null`);
    expect(allowed.code).toBe(1); // the demo's critical findings
    const table = await sh(`node bin/headroom.js scan --snapshot ${dir}/old.json --config fixtures/demo.yaml --max-age 10 --fail-on never`);
    expect(table.code).toBe(2);
    const json = await sh(`node bin/headroom.js scan --snapshot ${dir}/old.json --config fixtures/demo.yaml --format json --fail-on never`);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).takenAt).toBe(snap.takenAt);
  });
});

describe('conventions', () => {
  it('./headroom.yaml is used when no source is given, and it says so', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/headroom-discover-');
    // Nothing listens on port 1: the scan fails, but after finding the config.
    writeFileSync(`${dir}/headroom.yaml`, 'shards:\n  - { name: nowhere, host: 127.0.0.1, port: 1, user: u }\n');
    const r = await sh(`cd ${dir} && node ${ROOT}bin/headroom.js scan --quiet`);
    expect(r.stderr.split('\n')[0]).toBe('headroom: using ./headroom.yaml (give --config FILE or a URL for another)');
    expect(r.stdout).toMatch(/nowhere: connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(r.code).toBe(2);
    const none = await sh(`cd /tmp && node ${ROOT}bin/headroom.js scan`);
    expect(none.stderr).toBe('headroom: nothing to scan: give --config headroom.yaml, a URL (mysql://user@host:3306), -h HOST -u USER, or --snapshot file.json (no ./headroom.yaml here)\n');
  });

  it('FORCE_COLOR colours a piped table, --no-color and NO_COLOR do not', async () => {
    // (sh() sets NO_COLOR=1; `env -u` takes it away for these runs.)
    const demo = `env -u NO_COLOR node bin/headroom.js scan ${DEMO.join(' ')} --fail-on never`;
    expect((await sh(`FORCE_COLOR=1 ${demo}`)).stdout).toContain('\u001b[1mseverity');
    expect((await sh(`FORCE_COLOR=1 ${demo} --no-color`)).stdout).not.toContain('\u001b[');
    expect((await sh(`FORCE_COLOR=1 ${demo.replace('env -u NO_COLOR', 'env NO_COLOR=1')}`)).stdout).not.toContain('\u001b[');
    expect((await sh(demo)).stdout).not.toContain('\u001b[');
  });
});

describe('runbook --out over an earlier run', () => {
  it('removes runbooks headroom wrote whose keys have no finding now, and nothing else', async () => {
    const { mkdtempSync, writeFileSync, existsSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/headroom-stale-');
    writeFileSync(`${dir}/shard-z__ws_gone__t.id.md`, '# Runbook: widen `t.id`\n\n---\nGenerated by headroom from finding `pk-capacity:shard-z/ws_gone/t.id`.\n');
    writeFileSync(`${dir}/notes.md`, '# my own notes\n');
    const r = await sh(`node bin/headroom.js runbook ${DEMO.join(' ')} --out ${dir}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed 1 runbook of an earlier run whose keys have no finding now: shard-z__ws_gone__t.id.md');
    expect(existsSync(`${dir}/shard-z__ws_gone__t.id.md`)).toBe(false);
    expect(existsSync(`${dir}/notes.md`)).toBe(true);
  });
});

describe('Ctrl-C', () => {
  it('while waiting on a server: one line, exit 130', async () => {
    const net = await import('node:net');
    // A server that accepts and never speaks: the scan waits for the handshake.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/headroom.js', 'scan', '-h', '127.0.0.1', '-P', String(port), '-u', 'x', '--quiet'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: ROOT } });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    silent.close();
    expect(code).toBe(130);
    expect(err).toBe('headroom: interrupted (scan)\n');
  });
});

describe('lint and offsets take --defaults-file like the other commands', () => {
  it('the option file they are given is the one they read', async () => {
    const offsets = await sh('node bin/headroom.js offsets --url mysql://127.0.0.1:1 --database app_test --defaults-file /nonexistent-headroom.cnf');
    expect(offsets.code).toBe(2);
    expect(offsets.stderr).toBe('headroom: /nonexistent-headroom.cnf: cannot read option file: no such file\n');
    const lint = await sh('node bin/headroom.js lint --ddl fixtures/ddl/clean.sql --workspace mysql://127.0.0.1:1 --defaults-file /nonexistent-headroom.cnf');
    expect(lint.code).toBe(2);
    expect(lint.stderr).toBe('headroom: /nonexistent-headroom.cnf: cannot read option file: no such file\n');
  });
});
