/**
 * `headroom lint` on a real workspace server: the DDL is loaded into a throwaway
 * database (so a real server parses it), introspected with scan's code, checked,
 * and the workspace database is always dropped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { startServer, type TestServer } from '../support/mariadb.js';

let server: TestServer;
let dir: string;
const DDL = (f: string) => new URL(`../../fixtures/ddl/${f}`, import.meta.url).pathname;

function capture(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

async function leftoverWorkspaces(): Promise<string[]> {
  const rows = (await server.sql(`SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'headroom\\_lint\\_%'`)) as { n: string }[];
  return rows.map((r) => r.n);
}

beforeAll(async () => {
  server = await startServer({ name: 'lint-workspace' });
  dir = mkdtempSync(join(tmpdir(), 'headroom-lint-'));
  writeFileSync(join(dir, 'headroom.yaml'), 'shards: [{ name: unused, host: 127.0.0.1, user: ci }]\npolicy:\n  narrowKeyAllow: [countries]\n');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('headroom lint', () => {
  it('a schema with a narrow key and a mismatched reference fails with exactly those findings', async () => {
    const io = capture();
    const code = await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--format', 'json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.findings.map((f: { id: string }) => f.id).sort()).toEqual([
      'fk-type-mismatch:lint/schema/conversation_parts.message_thread_id',
      'pk-narrow-type:lint/schema/orders.id',
    ]);
    expect(await leftoverWorkspaces()).toEqual([]);
  });

  it('a clean schema passes (a lookup table allowed by policy.narrowKeyAllow stays quiet)', async () => {
    const io = capture();
    const code = await main(['lint', '--ddl', DDL('clean.sql'), '--workspace', server.url, '--config', join(dir, 'headroom.yaml')], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/no key near its limit/);
    expect(await leftoverWorkspaces()).toEqual([]);
  });

  it('several files load into one workspace (the clean schema plus the narrow one)', async () => {
    const extra = join(dir, 'extra.sql');
    writeFileSync(extra, 'CREATE TABLE `invoices` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `message_thread_id` int NOT NULL) ENGINE=InnoDB;\n');
    const io = capture();
    const code = await main(['lint', '--ddl', DDL('clean.sql'), extra, '--workspace', server.url, '--config', join(dir, 'headroom.yaml'), '--format', 'json'], io);
    expect(code).toBe(1);
    expect(JSON.parse(io.out()).findings.map((f: { id: string }) => f.id)).toEqual(['fk-type-mismatch:lint/schema/invoices.message_thread_id']);
  });

  it('a DDL file the server refuses: one clear line with the error and the position; the workspace is still dropped', async () => {
    const io = capture();
    const code = await main(['lint', '--ddl', DDL('broken.sql'), '--workspace', server.url], io);
    expect(code).toBe(2);
    const lines = io.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/broken\.sql:7:1: the server refused statement 2 \(broken\.sql\): You have an error in your SQL syntax/);
    expect(await leftoverWorkspaces()).toEqual([]);
  });

  it('a dump with USE / CREATE DATABASE is refused before anything is created', async () => {
    const f = join(dir, 'with-use.sql');
    writeFileSync(f, 'CREATE DATABASE app;\nUSE app;\nCREATE TABLE t (id bigint primary key);\n');
    const io = capture();
    expect(await main(['lint', '--ddl', f, '--workspace', server.url], io)).toBe(2);
    expect(io.err()).toMatch(/with-use\.sql:1:1: .*CREATE DATABASE.*lint loads one schema into its own workspace database/);
    expect(await leftoverWorkspaces()).toEqual([]);
  });

  it('an unreachable workspace server: one line, exit 2', async () => {
    const io = capture();
    expect(await main(['lint', '--ddl', DDL('clean.sql'), '--workspace', 'mysql://root@127.0.0.1:1'], io)).toBe(2);
    expect(io.err()).toMatch(/^headroom: workspace .*ECONNREFUSED/);
  });

  it('--write-baseline accepts the findings and says so; with --baseline the same schema then passes', async () => {
    const base = join(dir, 'lint-baseline.json');
    const w = capture();
    expect(await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--write-baseline', base], w)).toBe(0);
    expect(w.err()).toMatch(new RegExp(`^headroom: wrote ${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [1-9]\\d* findings? accepted\\n$`));
    const again = capture();
    expect(await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--baseline', base], again)).toBe(0);
    const without = capture();
    expect(await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url], without)).toBe(1);
  });

  it('SARIF output for the lint: each result at its column definition, the path relative to the repository root', async () => {
    const io = capture();
    await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--format', 'sarif'], io);
    const sarif = JSON.parse(io.out());
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: unknown }[] }[];
    expect(results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation]).sort()).toEqual([
      ['fk-type-mismatch', { artifactLocation: { uri: 'fixtures/ddl/narrow.sql' }, region: { startLine: 16, startColumn: 3 } }],
      ['pk-narrow-type', { artifactLocation: { uri: 'fixtures/ddl/narrow.sql' }, region: { startLine: 23, startColumn: 3 } }],
    ]);
  });

  it('GitHub annotations and JUnit testcases name the DDL file and the line of the column', async () => {
    const gh = capture();
    await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--format', 'github'], gh);
    const annotations = gh.out().split('\n').filter((l) => l.startsWith('::warning'));
    expect(annotations.map((l) => /^::warning (file=[^,]*,line=\d+,col=\d+),title=([a-z-]+)::/.exec(l)?.slice(1)).sort()).toEqual([
      ['file=fixtures/ddl/narrow.sql,line=16,col=3', 'fk-type-mismatch'],
      ['file=fixtures/ddl/narrow.sql,line=23,col=3', 'pk-narrow-type'],
    ]);
    const junit = capture();
    await main(['lint', '--ddl', DDL('narrow.sql'), '--workspace', server.url, '--format', 'junit'], junit);
    expect(junit.out()).toContain('name="conversation_parts.message_thread_id" file="fixtures/ddl/narrow.sql" line="16">');
    expect(junit.out()).toContain('name="orders.id" file="fixtures/ddl/narrow.sql" line="23">');
  });

  it('--config whose shards use ${HEADROOM_PASSWORD}: lint connects to no shard, so the variable need not be set', async () => {
    const cfg = join(dir, 'with-secret.yaml');
    writeFileSync(cfg, 'shards: [{ name: prod, host: 10.0.0.1 }]\ndefaults: { user: headroom, password: "${HEADROOM_PASSWORD}" }\npolicy: { narrowKeyAllow: [countries] }\n');
    const io = capture(); // env: {}
    expect(await main(['lint', '--ddl', DDL('clean.sql'), '--workspace', server.url, '--config', cfg], io)).toBe(0);
    expect(io.err()).toBe('');
  });

  it('Ctrl-C while loading: the workspace database is dropped before the process ends', async () => {
    // Enough statements to keep the load busy for a few seconds.
    const big = join(dir, 'big.sql');
    writeFileSync(big, Array.from({ length: 4000 }, (_, i) => `CREATE TABLE t${i} (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, a int, KEY(a)) ENGINE=InnoDB;`).join('\n'));
    const bin = new URL('../../bin/headroom.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, 'lint', '--ddl', big, '--workspace', server.url], { stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Wait until the workspace exists and has tables, then interrupt.
    for (let i = 0; i < 200; i++) {
      const rows = (await server.sql(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE 'headroom\\_lint\\_%'`)) as { n: string }[];
      if (Number(rows[0]!.n) > 20) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await leftoverWorkspaces()).toHaveLength(1);
    child.kill('SIGINT');
    const result = await exited;
    expect(result.signal === 'SIGINT' || result.code === 130).toBe(true);
    expect(await leftoverWorkspaces()).toEqual([]);
  }, 60_000);
});
