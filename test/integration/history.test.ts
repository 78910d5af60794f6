/**
 * History, forecast and migration-aware severity against real servers: one throwaway MariaDB is
 * the scanned shard, a second one holds the history table. The shard is scanned three times, ten
 * (injected) days apart, with its counter moved between scans by ALTER TABLE … AUTO_INCREMENT.
 *
 *   orders.id INT: 227,483,647 → 827,483,647 → 1,427,483,647 (60M ids/day; 66.5% at the end:
 *   below the 70% ratio warning all along). Widening its group: ~20,000 rows at 1 row/s
 *   (policy.copyRowsPerSecond) → ≤ 0.35 days → critical below ~15 days left, warning below ~30.
 *   scan 1: one observation → forecast unknown → no finding
 *   scan 2: 22 days left → warning by the migration rule
 *   scan 3: 12 days left → critical by the migration rule
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { collectSnapshot, formatJson, runChecks, scanLive, validateInventory } from '../../src/index.js';
import type { Inventory, Report } from '../../src/index.js';
import { DAY_MS } from '../../src/forecast/forecast.js';
import { HistoryRun, openHistoryStore, scanWithHistory } from '../../src/history/history.js';
import { UsageError } from '../../src/errors.js';
import { startFleet, type TestServer } from '../support/mariadb.js';

const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => { name: string; metrics: { value: string; labels?: Record<string, string> }[] }[];

const INT_MAX = 2147483647n;
const RATE = 60_000_000n;
const VALUES = [227_483_647n, 827_483_647n, 1_427_483_647n];
const NOW = Date.now();
const TIMES = [NOW - 20 * DAY_MS, NOW - 10 * DAY_MS, NOW];

let shard: TestServer;
let historyServer: TestServer;
let inventory: Inventory;
const reports: Report[] = [];

function inv(history: Record<string, unknown>): Inventory {
  return validateInventory(
    {
      shards: [{ name: 'shard-1', host: shard.host, port: shard.port }],
      defaults: { user: 'root', databases: ['ws_*'] },
      policy: { copyRowsPerSecond: 1 },
      runbookBaseUrl: 'https://wiki.example/runbooks',
      history,
    },
    'history test inventory',
  );
}

beforeAll(async () => {
  [shard, historyServer] = (await startFleet(2, { namePrefix: 'hist' })) as [TestServer, TestServer];
  await shard.sql(`
    CREATE DATABASE ws_shop;
    USE ws_shop;
    CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB;
    CREATE TABLE order_items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL, KEY (order_id)) ENGINE=InnoDB;
    INSERT INTO orders (id) SELECT seq FROM seq_1_to_20000;
    ANALYZE TABLE orders;
  `);
  await historyServer.sql('CREATE DATABASE ops');
  inventory = inv({ url: `mysql://root@127.0.0.1:${historyServer.port}/ops`, table: 'headroom_history' });

  for (let i = 0; i < 3; i++) {
    await shard.sql(`ALTER TABLE ws_shop.orders AUTO_INCREMENT = ${VALUES[i]! + 1n}`);
    const snapshot = await collectSnapshot(inventory, { now: () => new Date(TIMES[i]!) });
    const store = await openHistoryStore(inventory.history!, inventory.shards);
    try {
      const r = await scanWithHistory(runChecks(snapshot, inventory), snapshot, inventory, store, {
        policy: inventory.policy,
        windowDays: inventory.history!.windowDays,
        keepDays: inventory.history!.keepDays,
      });
      reports.push(r.report);
    } finally {
      await store.close();
    }
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([shard?.stop(), historyServer?.stop()]);
});

const pk = (r: Report) => r.findings.find((f) => f.id === 'pk-capacity:shard-1/ws_shop/orders.id');
const fk = (r: Report) => r.findings.find((f) => f.id === 'fk-capacity:shard-1/ws_shop/order_items.order_id');

describe('three scans, history in a MySQL table on another server', () => {
  it('scan 1: one observation, forecast unknown, below the ratio thresholds: no finding', () => {
    expect(reports[0]!.errors).toEqual([]);
    expect(pk(reports[0]!)).toBeUndefined();
    expect(fk(reports[0]!)).toBeUndefined();
  });

  it('scan 2: 22 days left is under twice the migration line: warning, by the migration rule', () => {
    const f = pk(reports[1]!)!;
    expect(f.severity).toBe('warning');
    expect(f.ratio).toBeLessThan(0.7);
    expect(f.forecast).toMatchObject({ status: 'ok', observations: 2, idsPerDay: 60_000_000, rule: 'migration' });
    expect(f.forecast!.daysLeft).toBeCloseTo(22, 9);
  });

  it('scan 3: 12 days left is under the line: critical, with the numbers in the message', () => {
    const f = pk(reports[2]!)!;
    expect(f.severity).toBe('critical');
    expect(f.current).toBe(VALUES[2]);
    expect(f.forecast).toMatchObject({ status: 'ok', observations: 3, idsPerDay: 60_000_000, rule: 'migration', counter: 'shard-1/ws_shop/orders.id' });
    expect(f.forecast!.daysLeft).toBeCloseTo(Number(INT_MAX - VALUES[2]!) / Number(RATE), 9);
    expect(f.forecast!.date).toBe(new Date(NOW + 12 * DAY_MS).toISOString().slice(0, 10));
    // TABLE_ROWS ≈ 20,000 (an estimate), × 1.5 at 1 row/s.
    const mig = f.forecast!.migrationDays!.high;
    expect(mig).toBeGreaterThan(0.2);
    expect(mig).toBeLessThan(0.5);
    expect(f.forecast!.criticalBelowDays).toBeCloseTo(mig * 3 + 14, 12);
    expect(f.message).toMatch(/Forecast: 60,000,000 ids\/day, 12\.0 days left \(\d{4}-\d\d-\d\d\)\. Critical by the migration rule: 12\.0 days left < 0\.\d+ estimated migration days × safetyFactor 3 \+ leadDays 14 = 1[45]\.\d days\./);
    // The referencing column follows the same counter.
    expect(fk(reports[2]!)).toMatchObject({ severity: 'critical', forecast: { counter: 'shard-1/ws_shop/orders.id', rule: 'migration' } });
  });

  it('the history is on the history server only: one row per counter per scan, exact decimals', async () => {
    const rows = (await historyServer.sql('SELECT shard, db, tbl, col, value FROM ops.headroom_history ORDER BY tbl, observed_at')) as Record<string, string>[];
    expect(rows.filter((r) => r.tbl === 'orders').map((r) => r.value)).toEqual(VALUES.map(String));
    expect(rows.filter((r) => r.tbl === 'order_items')).toHaveLength(3);
    expect(rows.every((r) => r.shard === 'shard-1' && r.db === 'ws_shop' && r.col === 'id')).toBe(true);
    const onShard = await shard.sql("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_NAME = 'headroom_history'");
    expect(onShard).toEqual([{ n: '0' }]);
  });

  it('reads at most 120 rows per counter from the table (hourly scans of a big fleet stay cheap)', async () => {
    const store = await openHistoryStore(inventory.history!, inventory.shards);
    try {
      const from = Date.UTC(2020, 0, 1);
      const hourly = Array.from({ length: 30 * 24 }, (_, i) => ({ shard: 'thin', database: 'd', table: 't', column: 'id', at: from + i * 3_600_000, value: 1000n + BigInt(i) }));
      expect(await store.append(hourly)).toBe(720);
      expect(await store.append(hourly.slice(0, 10))).toBe(0); // INSERT IGNORE: recorded once
      const back = (await store.read(from, from + 30 * DAY_MS, ['thin'])).sort((a, b) => a.at - b.at);
      expect(back).toHaveLength(120);
      expect(back.at(-1)).toEqual(hourly.at(-1));
      expect(back[0]).toEqual(hourly[5]);
      expect(await store.prune(from + 31 * DAY_MS)).toBe(720);
    } finally {
      await store.close();
    }
  });

  it('shard by shard (HistoryRun, what a live scan uses) forecasts what the whole-snapshot path does', async () => {
    const asOf = Date.now() + 1000;
    const snapshot = await collectSnapshot(inventory, { now: () => new Date(asOf) });
    const options = { policy: inventory.policy, windowDays: inventory.history!.windowDays, keepDays: inventory.history!.keepDays, record: false };
    const store = await openHistoryStore(inventory.history!, inventory.shards);
    try {
      const whole = await scanWithHistory(runChecks(snapshot, inventory), snapshot, inventory, store, options);
      const run = await HistoryRun.open(store, inventory, ['shard-1'], { ...options, asOf });
      const live = await scanLive(inventory, { forecast: (s, f) => run.forecast(s, f) });
      const done = await run.finish();
      // Each run has its own takenAt (when its catalog was read): compared without it.
      expect(formatJson({ ...live.report, takenAt: undefined })).toBe(formatJson({ ...whole.report, takenAt: undefined }));
      expect(live.report.findings.map((f) => f.severity)).toContain('critical');
      expect([...done.lastSuccess]).toEqual([...whole.lastSuccess]);
      expect(done.recorded).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('the CLI reads that history and exports Prometheus text that parses back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-history-it-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(
      cfg,
      [
        'shards: [{ name: shard-1, host: 127.0.0.1, port: ' + shard.port + ' }]',
        'defaults: { user: root, databases: ["ws_*"] }',
        'policy: { copyRowsPerSecond: 1 }',
        'runbookBaseUrl: https://wiki.example/runbooks',
        `history: { url: "mysql://root@127.0.0.1:${historyServer.port}/ops" }`,
      ].join('\n') + '\n',
    );
    const out: string[] = [];
    const io: Io = { stdout: (t) => void out.push(t), stderr: () => undefined, env: {}, stdoutIsTTY: false, stderrIsTTY: false };
    expect(await main(['scan', '--config', cfg, '--format', 'prometheus', '--quiet'], io)).toBe(1);
    const families = parsePrometheusTextFormat(out.join(''));
    const get = (name: string) => families.find((f) => f.name === name)!.metrics;
    const left = get('headroom_finding_time_left_seconds').find((m) => m.labels?.table === 'orders')!;
    expect(left.labels).toEqual({ shard: 'shard-1', database: 'ws_shop', table: 'orders', column: 'id', check: 'pk-capacity' });
    expect(Number(left.value) / 86_400).toBeCloseTo(12, 1);
    const info = get('headroom_finding_info').find((m) => m.labels?.table === 'orders')!;
    expect(info).toEqual({ value: '1', labels: { ...left.labels, severity: 'critical', runbook: 'https://wiki.example/runbooks/shard-1__ws_shop__orders.id.md' } });
    expect(get('headroom_shard_up')).toEqual([{ value: '1', labels: { shard: 'shard-1' } }]);
    // A live scan (shard by shard, history on) exports a gauge for every key, grouped.
    expect(get('headroom_key_usage_ratio').some((m) => m.labels?.table === 'orders' && m.labels.check === 'pk-capacity' && m.labels.database === undefined)).toBe(true);
    const rows = await historyServer.sql("SELECT COUNT(*) AS n FROM ops.headroom_history WHERE tbl = 'orders'");
    expect(rows).toEqual([{ n: '4' }]);
  });
});

describe('the guard', () => {
  it('refuses to write history to a scanned shard, says why, and creates nothing there', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const onShard = inv({ url: `mysql://root@${host}:${shard.port}/ws_shop` });
      const err = await openHistoryStore(onShard.history!, onShard.shards).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(new RegExp(`refusing to write to ${host}:${shard.port}: it is the scanned shard shard-1 .*only write headroom makes.*history.allowOnShard: true`));
    }
    const out: string[] = [];
    const err: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'headroom-guard-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(cfg, `shards: [{ name: shard-1, host: 127.0.0.1, port: ${shard.port} }]\ndefaults: { user: root }\nhistory: { url: "mysql://root@127.0.0.1:${shard.port}/ws_shop" }\n`);
    const io: Io = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
    expect(await main(['scan', '--config', cfg, '--quiet'], io)).toBe(2);
    expect(err.join('')).toMatch(/^headroom: history: refusing to write to 127\.0\.0\.1:\d+: it is the scanned shard shard-1/);
    expect(await shard.sql("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_NAME = 'headroom_history'")).toEqual([{ n: '0' }]);
  });

  it('allowOnShard: true is the explicit way to accept it', async () => {
    const onShard = inv({ url: `mysql://root@127.0.0.1:${shard.port}/ws_shop`, allowOnShard: true });
    const store = await openHistoryStore(onShard.history!, onShard.shards);
    await store.close();
    expect(await shard.sql("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ws_shop' AND TABLE_NAME = 'headroom_history'")).toEqual([{ n: '1' }]);
    await shard.sql('DROP TABLE ws_shop.headroom_history');
  });
});
