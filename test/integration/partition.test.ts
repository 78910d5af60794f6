/**
 * A fleet scanned as three partitions and merged gives the same report (and exit
 * code) as one run; snapshots merge the same way.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { inPartition, parsePartition } from '../../src/partition.js';
import { loadPlacements, names } from '../support/fixtures.js';
import { startFleet, type TestServer } from '../support/mariadb.js';

let servers: TestServer[] = [];
let dir: string;
let config: string;

function capture(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

beforeAll(async () => {
  servers = await startFleet(2, { namePrefix: 'part' });
  await Promise.all(
    servers.map((s, i) =>
      loadPlacements(s, [
        { file: 'tenant.sql', databases: names(`ws_${i}_`, 20) },
        { file: 'hot-tenant.sql', databases: [`ws_${i}_hot1`, `ws_${i}_hot2`, `ws_${i}_hot3`] },
      ]),
    ),
  );
  dir = mkdtempSync(join(tmpdir(), 'headroom-part-'));
  config = join(dir, 'headroom.yaml');
  writeFileSync(
    config,
    `shards:\n${servers.map((s) => `  - { name: ${s.name}, host: 127.0.0.1, port: ${s.port} }`).join('\n')}\ndefaults: { user: root }\nignore: ["*.stripe_customer_id"]\n`,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('--partition and merge', () => {
  it('partitions are stable and cover every (shard, database) exactly once', () => {
    const p = [1, 2, 3].map((i) => parsePartition(`${i}/3`));
    for (const db of names('ws_', 200)) {
      expect(p.filter((x) => inPartition('shard-1', db, x))).toHaveLength(1);
      expect(inPartition('shard-1', db, p[0]!)).toBe(inPartition('shard-1', db, parsePartition('1/3')));
    }
    expect(() => parsePartition('4/3')).toThrow(/expected i\/n/);
  });

  it('three partial scans merged equal one full scan: findings, summary, exit code', async () => {
    const full = capture();
    const fullCode = await main(['scan', '--config', config, '--format', 'json'], full);
    const parts: string[] = [];
    for (const i of [1, 2, 3]) {
      const io = capture();
      const code = await main(['scan', '--config', config, '--format', 'json', '--partition', `${i}/3`], io);
      expect(code === 0 || code === 1).toBe(true);
      const f = join(dir, `part-${i}.json`);
      writeFileSync(f, io.out());
      parts.push(f);
    }
    // Each part saw only some of the databases.
    const partDbs = parts.map((f) => JSON.parse(readFileSync(f, 'utf8')).summary.databases as number);
    expect(partDbs.every((n) => n > 0 && n < 46)).toBe(true);
    const merged = capture();
    const mergedCode = await main(['merge', ...parts], merged);
    const a = JSON.parse(full.out());
    const b = JSON.parse(merged.out());
    expect(b.findings).toEqual(a.findings.map(({ runbook: _r, ...f }: { runbook?: string }) => f).map((f: object) => expect.objectContaining(f)));
    expect(b.findings.map((f: { id: string }) => f.id)).toEqual(a.findings.map((f: { id: string }) => f.id));
    expect({ ...b.summary, coverage: undefined }).toEqual({ ...a.summary, coverage: undefined });
    expect(mergedCode).toBe(fullCode);
    expect(mergedCode).toBe(1);
  }, 120_000);

  it('partial snapshots merge into the full snapshot', async () => {
    const parts: string[] = [];
    for (const i of [1, 2]) {
      const f = join(dir, `snap-${i}.json`);
      expect(await main(['snapshot', '--config', config, '--partition', `${i}/2`, '--out', f], capture())).toBe(0);
      parts.push(f);
    }
    const merged = join(dir, 'merged.json');
    expect(await main(['merge', ...parts, '--out', merged], capture())).toBe(0);
    const fromMerged = capture();
    await main(['scan', '--snapshot', merged, '--config', config, '--format', 'json'], fromMerged);
    const live = capture();
    await main(['scan', '--config', config, '--format', 'json'], live);
    expect(JSON.parse(fromMerged.out()).findings.map((f: { id: string }) => f.id)).toEqual(JSON.parse(live.out()).findings.map((f: { id: string }) => f.id));
  }, 120_000);

  it('refuses a merge with a part missing, a part twice, or parts of different splits (exit 2, one line)', async () => {
    expect(JSON.parse(readFileSync(join(dir, 'part-2.json'), 'utf8')).partition).toEqual({ index: 2, count: 3 });
    expect(JSON.parse(readFileSync(join(dir, 'snap-1.json'), 'utf8')).partition).toEqual({ index: 1, count: 2 });
    const cases: [string[], RegExp][] = [
      [['part-1.json', 'part-3.json'], /part 2\/3 missing: a merged report without it would leave a share of the fleet unchecked/],
      [['part-2.json'], /parts 1\/3, 3\/3 missing/],
      [['part-1.json', 'part-2.json', 'part-3.json', 'part-1.json'], /part 1\/3 given more than once/],
      [['snap-1.json', 'snap-1.json', 'snap-2.json'], /part 1\/2 given more than once/],
      [['snap-1.json', 'merged.json'], /merged\.json is not part of a --partition run/],
    ];
    for (const [files, message] of cases) {
      const io = capture();
      expect(await main(['merge', ...files.map((f) => join(dir, f))], io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split('\n')).toHaveLength(1);
      expect(io.out()).toBe('');
    }
  });

  it('mixing reports and snapshots is a one-line error', async () => {
    const io = capture();
    expect(await main(['merge', join(dir, 'part-1.json'), join(dir, 'snap-1.json')], io)).toBe(2);
    expect(io.err()).toMatch(/mix of reports and snapshots/);
  });
});
