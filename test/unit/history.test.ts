/**
 * History without a server: what gets recorded, the directory store, the config and flag, the
 * guard against writing to a scanned shard, and `history import` + `scan --history` end to end
 * through the CLI (in-process, on snapshot files).
 */
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { parseInventory } from '../../src/config/inventory.js';
import { UsageError } from '../../src/errors.js';
import { DAY_MS } from '../../src/forecast/forecast.js';
import { historyFromFlag } from '../../src/history/config.js';
import { observationsFromFile, parseAt } from '../../src/history/import.js';
import { counterHistory, observationsFromReport, observationsFromSnapshot, type Observation } from '../../src/history/observations.js';
import { DirStore } from '../../src/history/store-dir.js';
import { assertNotAShard } from '../../src/history/store-mysql.js';
import type { Snapshot } from '../../src/model/types.js';
import { formatJson } from '../../src/report/json.js';
import { scanSnapshot } from '../../src/scan.js';
import { serializeSnapshot } from '../../src/snapshot/file.js';
import { config, configured, db, shard, snapshot, table } from './builders.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headroom-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fleet = (usersNext: bigint, takenAt: string): Snapshot => ({
  ...snapshot(
    shard(
      's1',
      db(
        'app',
        table('users', { id: 'int auto' }, { autoIncrement: usersNext, rows: 1000n }),
        table('posts', { id: 'bigint unsigned auto', user_id: 'int' }, { autoIncrement: 18446744073709551000n, fks: { user_id: 'users.id' } }),
        table('events', { id: 'int' }, { max: { id: 77n } }), // key without a counter: MAX() read
        table('empty', { id: 'int' }, { max: { id: null } }), // nothing known: not recorded
        table('tags', { tag_code: 'int', n: 'int' }, { primaryKey: [], max: { tag_code: 5n } }), // referenced column, not a key
        table('labels', { id: 'bigint auto', code: 'int' }, { autoIncrement: 3n }),
      ),
    ),
  ),
  takenAt,
});

describe('observations', () => {
  const snap = fleet(1001n, '2024-02-22T10:00:00.000Z');
  const cfg = config({ relationships: [configured('labels.code', 'tags.tag_code')] });

  it('records every counter of a snapshot, exactly, and only counters', () => {
    const obs = observationsFromSnapshot(snap, cfg);
    const at = Date.parse('2024-02-22T10:00:00.000Z');
    expect(obs.map((o) => `${o.table}.${o.column}=${o.value}`).sort()).toEqual([
      'events.id=77',
      'labels.id=2',
      'posts.id=18446744073709550999',
      'tags.tag_code=5',
      'users.id=1000',
    ]);
    expect(obs.every((o) => o.at === at && o.shard === 's1' && o.database === 'app')).toBe(true);
  });

  it('reads a scan report: the key of pk findings, the referenced key of fk findings', () => {
    const report = JSON.parse(formatJson(scanSnapshot(fleet(2_000_000_000n, '2024-02-22T10:00:00.000Z'), config())));
    const obs = observationsFromReport(report, 5, 'r.json');
    expect(obs.map((o) => `${o.shard}/${o.database}/${o.table}.${o.column}=${o.value}@${o.at}`).sort()).toEqual([
      's1/app/posts.id=18446744073709550999@5',
      's1/app/users.id=1999999999@5',
    ]);
    expect(() => observationsFromReport({ findings: [] }, 5, 'r.json')).toThrow(/r.json: not a scan report/);
  });

  it('tells a snapshot from a report; a report needs --at', () => {
    const text = serializeSnapshot(snap);
    expect(observationsFromFile(text, 'f.json', cfg)).toMatchObject({ kind: 'snapshot', at: Date.parse(snap.takenAt) });
    const report = formatJson(scanSnapshot(snap, cfg));
    expect(() => observationsFromFile(report, 'r.json', cfg)).toThrow(/r.json: a scan report carries no time: pass --at/);
    expect(observationsFromFile(report, 'r.json', cfg, 1000).kind).toBe('report');
    expect(() => observationsFromFile('{', 'x.json', cfg)).toThrow(UsageError);
    expect(parseAt('2024-02-01')).toBe(Date.UTC(2024, 1, 1));
    expect(parseAt('2024-02-01T06:00:00+01:00')).toBe(Date.UTC(2024, 1, 1, 5));
    expect(() => parseAt('2024-02-01T06:00:00')).toThrow(/with its zone/);
    expect(() => parseAt('yesterday')).toThrow(UsageError);
  });
});

describe('DirStore', () => {
  const obs = (shardName: string, day: number, value: bigint, table = 'users'): Observation => ({
    shard: shardName,
    database: 'app',
    table,
    column: 'id',
    at: Date.UTC(2024, 1, 1) + day * DAY_MS + 3_600_000,
    value,
  });

  it('appends one compact line per shard per scan, one file per UTC day, and reads values back exactly', async () => {
    const store = new DirStore(join(dir, 'a'));
    await store.append([obs('s1', 0, 5n), obs('s1', 0, 18446744073709551615n, 'big'), obs('s2', 0, 7n), obs('s1', 1, 9n)]);
    expect((await readdir(join(dir, 'a'))).sort()).toEqual(['2024-02-01.jsonl', '2024-02-02.jsonl']);
    const day0 = (await readFile(join(dir, 'a', '2024-02-01.jsonl'), 'utf8')).trim().split('\n');
    expect(day0).toEqual([
      '{"v":1,"t":"2024-02-01T01:00:00.000Z","shard":"s1","keys":{"app":{"users":{"id":"5"},"big":{"id":"18446744073709551615"}}}}',
      '{"v":1,"t":"2024-02-01T01:00:00.000Z","shard":"s2","keys":{"app":{"users":{"id":"7"}}}}',
    ]);
    const back = await store.read(Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 3));
    expect(back).toHaveLength(4);
    expect(back.find((o) => o.table === 'big')!.value).toBe(18446744073709551615n);
    expect(await store.read(Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 3), ['s2'])).toEqual([obs('s2', 0, 7n)]);
    // The window is by time, not by file.
    expect(await store.read(Date.UTC(2024, 1, 1, 2), Date.UTC(2024, 1, 3))).toEqual([obs('s1', 1, 9n)]);
  });

  it('skips a torn line instead of failing', async () => {
    const store = new DirStore(join(dir, 'b'));
    await store.append([obs('s1', 0, 5n)]);
    await appendFile(join(dir, 'b', '2024-02-01.jsonl'), '{"v":1,"t":"2024-02-01T0');
    await store.append([obs('s1', 0.5, 6n)]);
    const back = await store.read(0, Date.UTC(2025, 0, 1));
    expect(back.map((o) => o.value)).toEqual([5n, 6n]);
    expect(store.skippedLines).toBe(1);
  });

  it('prunes whole days older than the cutoff', async () => {
    const store = new DirStore(join(dir, 'c'));
    await store.append([obs('s1', 0, 1n), obs('s1', 1, 2n), obs('s1', 2, 3n)]);
    // Cutoff in the middle of day 1: day 0 goes, day 1 (partly newer) stays.
    expect(await store.prune(Date.UTC(2024, 1, 2, 12))).toBe(1);
    expect((await readdir(join(dir, 'c'))).sort()).toEqual(['2024-02-02.jsonl', '2024-02-03.jsonl']);
    expect(await new DirStore(join(dir, 'nothing-here')).read(0, Date.now())).toEqual([]);
  });

  it('reads at most 120 observations per counter: the newest of each slice of the window', async () => {
    const store = new DirStore(join(dir, 'thin'));
    const from = Date.UTC(2024, 1, 1);
    const to = from + 30 * DAY_MS;
    const many = Array.from({ length: 30 * 24 }, (_, i) => ({ ...obs('s1', 0, BigInt(i)), at: from + i * 3_600_000 })); // hourly
    await store.append([...many, { ...obs('s1', 0, 1n), table: 'other', at: from }]);
    const back = await store.read(from, to);
    const users = back.filter((o) => o.table === 'users').sort((a, b) => a.at - b.at);
    expect(users).toHaveLength(120);
    expect(users.at(-1)).toEqual(many.at(-1)); // the newest is always kept
    expect(users[0]!.value).toBe(5n); // slice 0 holds hours 0..5: its newest
    expect(back.filter((o) => o.table === 'other')).toHaveLength(1);
  });

  it('groups observations per counter for the forecast', () => {
    const h = counterHistory([obs('s1', 0, 1n), obs('s1', 1, 2n), obs('s2', 0, 3n)]);
    expect([...h.keys()].sort()).toEqual(['s1/app/users.id', 's2/app/users.id']);
    expect(h.get('s1/app/users.id')!.map((p) => p.value)).toEqual([1n, 2n]);
  });
});

describe('history config', () => {
  const base = 'shards: [{ host: db1, user: u }]\n';

  it('defaults to the local directory; a url needs a database; values are checked', () => {
    expect(parseInventory(base, 'f.yml').history).toBeUndefined();
    expect(parseInventory(`${base}history: {}\n`, 'f.yml').history).toEqual({
      store: { kind: 'dir', dir: '.headroom/history' },
      keepDays: 90,
      windowDays: 30,
      allowOnShard: false,
    });
    const h = parseInventory(`${base}history: { url: "mysql://hist:\${HP}@metrics:3307/ops", table: hr_hist, keepDays: 400 }\n`, 'f.yml', { HP: 'Zq9-secret' }).history!;
    expect(h.store).toMatchObject({ kind: 'mysql', host: 'metrics', port: 3307, user: 'hist', database: 'ops', table: 'hr_hist' });
    expect(h.store.kind === 'mysql' && h.store.password.reveal()).toBe('Zq9-secret');
    expect(JSON.stringify(h)).not.toContain('Zq9-secret');
    const bad = (yaml: string) => () => parseInventory(`${base}${yaml}\n`, 'f.yml', {});
    expect(bad('history: { url: "mysql://u@h:3306" }')).toThrow('f.yml: history.url: name the database the history table lives in');
    expect(bad('history: { dir: x, url: "mysql://u@h/db" }')).toThrow('give dir: or url:, not both');
    expect(bad('history: { keepDays: 0 }')).toThrow('history.keepDays: expected a whole number of days');
    expect(bad('history: { keepDays: 10, windowDays: 30 }')).toThrow('history.windowDays: 30 is longer than history.keepDays 10');
    expect(bad('history: { dir: x, table: t }')).toThrow('history.table: only with url:');
    expect(bad('history: { url: "mysql://u@h/db", table: "a-b" }')).toThrow('history.table: use letters');
    expect(bad('history: { kepDays: 3 }')).toThrow('history.kepDays: unknown key');
    expect(bad('policy: { safetyFactor: 0 }')).toThrow('policy.safetyFactor: expected a number from 1 to 100');
    expect(parseInventory(`${base}policy: { safetyFactor: 2, leadDays: 7 }\n`, 'f.yml').policy).toMatchObject({ safetyFactor: 2, leadDays: 7 });
  });

  it('--history: a directory or a mysql URL; settings from the config, password from HEADROOM_HISTORY_PASSWORD', () => {
    expect(historyFromFlag(true, undefined, {}).store).toEqual({ kind: 'dir', dir: '.headroom/history' });
    expect(historyFromFlag('/var/lib/headroom', undefined, {}).store).toEqual({ kind: 'dir', dir: '/var/lib/headroom' });
    const m = historyFromFlag('mysql://hist@metrics/ops', { ...historyFromFlag(true, undefined, {}), keepDays: 7 }, { HEADROOM_HISTORY_PASSWORD: 'pw' });
    expect(m).toMatchObject({ keepDays: 7, store: { kind: 'mysql', host: 'metrics', port: 3306, database: 'ops', table: 'headroom_history' } });
    expect(m.store.kind === 'mysql' && m.store.password.reveal()).toBe('pw');
    expect(() => historyFromFlag('postgres://x@y/z', undefined, {})).toThrow('--history: unsupported store');
  });
});

describe('guard: history is never written to a scanned shard', () => {
  const shards = [
    { name: 'shard-a', host: 'db1.internal', port: 3306 },
    { name: 'shard-b', host: '127.0.0.1', port: 3307 },
  ];
  const resolve = async (host: string) => ({ 'db1.internal': ['10.0.0.11'], 'db1-alias': ['10.0.0.11'], metrics: ['10.0.0.99'] })[host] ?? [];

  it('refuses the same host:port, loopback spellings and DNS aliases, and says why', async () => {
    const refused = (host: string, port: number) => assertNotAShard({ host, port }, shards, { allowOnShard: false, resolve });
    await expect(refused('db1.internal', 3306)).rejects.toThrow(/refusing to write to db1.internal:3306: it is the scanned shard shard-a .*only write headroom makes.*history.allowOnShard: true/);
    await expect(refused('DB1-alias', 3306)).rejects.toThrow(/shard-a/);
    await expect(refused('localhost', 3307)).rejects.toThrow(/shard-b/);
    await expect(refused('[::1]', 3307)).rejects.toThrow(/shard-b/);
  });

  it('allows another server, another port, or an explicit allowOnShard', async () => {
    await expect(assertNotAShard({ host: 'metrics', port: 3306 }, shards, { allowOnShard: false, resolve })).resolves.toBeUndefined();
    await expect(assertNotAShard({ host: 'db1.internal', port: 3307 }, shards, { allowOnShard: false, resolve })).resolves.toBeUndefined();
    await expect(assertNotAShard({ host: 'db1.internal', port: 3306 }, shards, { allowOnShard: true, resolve })).resolves.toBeUndefined();
  });
});

describe('CLI: history import, then scan --history', () => {
  function io(): Io & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
  }

  it('forecasts from imported snapshots and raises severity by the migration rule', async () => {
    const store = join(dir, 'cli-store');
    const INT_MAX = 2147483647n;
    // users.id grows 20M ids/day; at day 20 it is at 1,800,000,000 (83.8%: a ratio warning).
    const at = (day: number) => 1_800_000_000n - 20_000_000n * BigInt(20 - day);
    const files: string[] = [];
    for (const day of [0, 10]) {
      const f = join(dir, `snap-${day}.json`);
      await writeFile(f, serializeSnapshot(fleet(at(day) + 1n, new Date(Date.UTC(2024, 1, 1) + day * DAY_MS).toISOString())));
      files.push(f);
    }
    const imp = io();
    expect(await main(['history', 'import', ...files, '--history', store], imp)).toBe(0);
    expect(imp.out.join('')).toMatch(/snap-0.json: snapshot taken at 2024-02-01T00:00:00.000Z: 4 counters/);

    const today = join(dir, 'snap-20.json');
    await writeFile(today, serializeSnapshot(fleet(at(20) + 1n, new Date(Date.UTC(2024, 1, 21)).toISOString())));
    const scan = io();
    const code = await main(['scan', '--snapshot', today, '--history', store, '--format', 'json'], scan);
    const report = JSON.parse(scan.out.join(''));
    const users = report.findings.find((f: { id: string }) => f.id === 'pk-capacity:s1/app/users.id');
    // 347,483,647 ids left at 20M/day = 17.4 days. Copying 1,000 rows takes ~0 days, so the migration line is
    // 14 days (critical) / 28 days (warning): the migration rule says warning, as the ratio (83.8%) does → rule "ratio".
    expect(users.forecast).toMatchObject({ status: 'ok', observations: 3, idsPerDay: 20_000_000, rule: 'ratio', date: '2024-03-09' });
    expect(users.forecast.daysLeft).toBeCloseTo(Number(INT_MAX - at(20)) / 20_000_000, 3);
    expect(users.severity).toBe('warning');
    expect(users.message).toMatch(/Warning by the ratio rule; the migration rule alone says warning \(below 28\.0 days\)\.$/);
    expect(code).toBe(1); // posts.id (BIGINT UNSIGNED, 615 ids left) is critical by ratio

    // A stricter policy: 21 lead days → 17.4 < 21 → critical by the migration rule.
    const cfgFile = join(dir, 'strict.yml');
    await writeFile(cfgFile, 'shards: [{ name: s1, host: db1, user: u }]\npolicy: { leadDays: 21 }\n');
    const strict = io();
    expect(await main(['scan', '--snapshot', today, '--config', cfgFile, '--history', store, '--format', 'json'], strict)).toBe(1);
    const u2 = JSON.parse(strict.out.join('')).findings.find((f: { id: string }) => f.id === 'pk-capacity:s1/app/users.id');
    expect(u2.severity).toBe('critical');
    expect(u2.forecast.rule).toBe('migration');
    expect(u2.message).toMatch(/Critical by the migration rule: 17\.4 days left < under 0\.01 estimated migration days × safetyFactor 3 \+ leadDays 21 = 21\.0 days\./);

    // The table output grows a "time left" column; without --history it does not.
    const table = io();
    await main(['scan', '--snapshot', today, '--history', store], table);
    expect(table.out.join('')).toMatch(/time left/);
    expect(table.out.join('')).toMatch(/17\.4 days/);
    const plain = io();
    await main(['scan', '--snapshot', today], plain);
    expect(plain.out.join('')).not.toMatch(/time left/);
  });

  it('refuses a JSON report without --at, and writes nothing', async () => {
    const store = join(dir, 'cli-store-2');
    const r = join(dir, 'report.json');
    await writeFile(r, formatJson(scanSnapshot(fleet(2_000_000_000n, '2024-02-22T10:00:00.000Z'), config())));
    const e = io();
    expect(await main(['history', 'import', r, '--history', store], e)).toBe(2);
    expect(e.err.join('')).toMatch(/report.json: a scan report carries no time: pass --at/);
    await expect(readdir(store)).rejects.toThrow(/ENOENT/);
    const ok = io();
    expect(await main(['history', 'import', r, '--history', store, '--at', '2024-02-22T10:00:00Z'], ok)).toBe(0);
    expect(ok.out.join('')).toMatch(/report taken at 2024-02-22T10:00:00.000Z: 2 counters/);
  });
});
