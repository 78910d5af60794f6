/**
 * The scanner against a real fleet: three throwaway MariaDB servers with many
 * databases each, plus one shard that is down. Expected findings come from the
 * `-- expect:` markers in fixtures/sql/*.sql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, exitCode, formatJson, parseSnapshot, runChecks, scan, scanLive, serializeSnapshot, validateInventory } from '../../src/index.js';
import type { Inventory, Report } from '../../src/index.js';
import { loadPlacements, names, placementExpectations, type Placement } from '../support/fixtures.js';
import { startFleet, type TestServer } from '../support/mariadb.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { main } from '../../src/cli/main.js';
import { openSession } from '../../src/connect/session.js';

const LAYOUT: Placement[][] = [
  [
    { file: 'tenant.sql', databases: names('ws_', 30) },
    { file: 'hot-tenant.sql', databases: ['ws_031'] },
    { file: 'edge-cases.sql', databases: ['ws_edge'] },
    // Outside the globs (`ws_*`) and excluded (`ws_archive_*`): never reported.
    { file: 'archive.sql', databases: ['archive_001', 'ws_archive_1'] },
  ],
  [
    { file: 'tenant.sql', databases: names('ws_1', 30, 2) },
    { file: 'hot-tenant.sql', databases: ['ws_131', 'ws_132'] },
    { file: 'cross-db.sql', databases: ['ws_billing'] },
  ],
  [{ file: 'tenant.sql', databases: names('ws_2', 30, 2) }],
];

let servers: TestServer[] = [];
let downPort = 0;

function inventory(extra: Record<string, unknown> = {}, shards?: unknown[]): Inventory {
  return validateInventory(
    {
      shards: shards ?? [
        ...servers.map((s) => ({ name: s.name, host: s.host, port: s.port })),
        { name: 'shard-down', host: '127.0.0.1', port: downPort, timeoutSeconds: 5 },
      ],
      defaults: { user: 'root', databases: ['ws_*'], exclude: ['ws_archive_*'] },
      relationships: [{ column: 'thread_snapshots.source_thread', references: 'message_threads.id' }],
      ignore: ['*.stripe_customer_id'],
      ...extra,
    },
    'test inventory',
  );
}

const keyOf = (f: Report['findings'][number]) => `${f.check} ${f.severity} ${f.shard}/${f.database}/${f.table}.${f.column}`;

beforeAll(async () => {
  servers = await startFleet(3, { namePrefix: 'shard' });
  await Promise.all(servers.map((s, i) => loadPlacements(s, LAYOUT[i]!)));
  // Port 1: nothing listens there, and no test server can take it (a freed ephemeral port could be reused by another worker).
  downPort = 1;
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('scan of a real fleet', () => {
  let report: Report;
  beforeAll(async () => {
    report = await scan(inventory());
  }, 60_000);

  it('reports exactly the findings the fixtures expect, and nothing outside the globs', () => {
    const expected = servers.flatMap((s, i) => placementExpectations(s.name, LAYOUT[i]!)).sort();
    expect(report.findings.map(keyOf).sort()).toEqual(expected);
  });

  it('counts what it read and names the shard that is down', () => {
    // 30 + 1 + 1 on shard-1 (archive_001 is outside the globs, ws_archive_1 excluded),
    // 30 + 2 + 1 + ws_core_accounts on shard-2, 30 on shard-3.
    expect(report.summary.shards).toBe(4);
    expect(report.summary.databases).toBe(32 + 34 + 30);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.shard).toBe('shard-down');
    expect(report.errors[0]!.message).toMatch(/ECONNREFUSED/);
    expect(exitCode(report, 'critical')).toBe(2);
  });

  it('checks shard by shard without keeping them, and reports what checking the whole snapshot reports', async () => {
    const inv = inventory();
    const seen: string[] = [];
    const live = await scanLive(inv, { onShard: (s) => seen.push(s.name) });
    expect(live.snapshot).toBeUndefined();
    expect(seen.sort()).toEqual(['shard-1', 'shard-2', 'shard-3']);
    expect(live.shards).toEqual(['shard-1', 'shard-2', 'shard-3']);
    const whole = runChecks(await collectSnapshot(inv), inv);
    // Each read has its own takenAt: compared without it.
    const json = (r: Report) => formatJson({ ...r, takenAt: undefined });
    expect(live.report.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(json(live.report)).toBe(json(whole));
    expect(json(report)).toBe(json(whole));
    const kept = await scanLive(inv, { keepSnapshot: true });
    expect(kept.snapshot?.shards.map((s) => s.name)).toEqual(['shard-1', 'shard-2', 'shard-3']);
    expect(json(kept.report)).toBe(json(whole));
  }, 60_000);

  it('measures INT children against a BIGINT parent already past 2^31 (the February 2024 outage)', () => {
    const f = report.findings.find((x) => x.id === 'fk-capacity:shard-1/ws_031/conversation_parts.message_thread_id')!;
    expect(f).toBeDefined();
    expect(f.severity).toBe('critical');
    expect(f.current).toBe(2147500000n);
    expect(f.max).toBe(2147483647n);
    expect(f.relationSource).toBe('inferred');
    expect(f.references).toEqual({ database: 'ws_031', table: 'message_threads', column: 'id', dataType: 'bigint', unsigned: false });
    const json = JSON.parse(formatJson(report));
    const j = json.findings.find((x: { id: string }) => x.id === f.id);
    expect(j.ratio).toBeCloseTo(1.0000076, 7);
    expect(j).toMatchObject({ current: 2147500000, max: 2147483647, relationSource: 'inferred', dataType: 'int', unsigned: false });
  });

  it('keeps values above 2^53 exact, as strings in JSON', () => {
    const f = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_edge/ledger_entries.id')!;
    expect(f.current).toBe(18446744073709551000n);
    expect(f.max).toBe(18446744073709551615n);
    const j = JSON.parse(formatJson(report)).findings.find((x: { id: string }) => x.id === f.id);
    expect(j.current).toBe('18446744073709551000');
    expect(j.max).toBe('18446744073709551615');
  });

  it('reads MAX() for a key without a counter, and for a counter stuck at the type max', () => {
    const manual = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_edge/external_events.id')!;
    expect(manual.current).toBe(1610612736n);
    const tiny = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_edge/tiny_lookup.id')!;
    expect(tiny.current).toBe(127n);
    expect(tiny.message).toMatch(/fail now/);
  });

  it('labels each relationship with its source and evidence', () => {
    const declared = report.findings.find((x) => x.id === 'fk-capacity:shard-1/ws_031/articles.category_id')!;
    expect(declared.relationSource).toBe('declared');
    expect(declared.evidence).toBe('constraint fk_articles_category');
    const configured = report.findings.find((x) => x.id === 'fk-capacity:shard-1/ws_031/thread_snapshots.source_thread')!;
    expect(configured.relationSource).toBe('configured');
    const cross = report.findings.find((x) => x.id === 'fk-capacity:shard-2/ws_billing/invoices.account_id')!;
    expect(cross.references?.database).toBe('ws_core_accounts');
  });
});

describe('thresholds and gates', () => {
  it('compares exact boundary ratios exactly (255 × 0.6 = 153)', async () => {
    const inv = inventory({ thresholds: { warning: 0.6, critical: 0.8 } }, [{ name: servers[0]!.name, host: '127.0.0.1', port: servers[0]!.port }]);
    inv.shards[0]!.databases = ['ws_edge'];
    const r = await scan(inv);
    const sev = (t: string) => r.findings.find((f) => f.id === `pk-capacity:shard-1/ws_edge/${t}.id`)?.severity;
    expect(sev('at_sixty')).toBe('warning');
    expect(sev('below_sixty')).toBeUndefined();
    expect(sev('at_eighty')).toBe('critical');
  });

  it('exit code follows --fail-on when every shard was read', async () => {
    const inv = inventory({}, servers.slice(2).map((s) => ({ name: s.name, host: s.host, port: s.port })));
    const clean = await scan(inv);
    expect(clean.findings).toEqual([]);
    expect(exitCode(clean, 'warning')).toBe(0);
    const hot = await scan(inventory({}, servers.slice(0, 1).map((s) => ({ name: s.name, host: s.host, port: s.port }))));
    expect(exitCode(hot, 'critical')).toBe(1);
    expect(exitCode(hot, 'never')).toBe(0);
  });

  it('reports a glob that matches nothing as an error, not as a clean scan', async () => {
    const inv = inventory({}, [{ name: 'shard-3', host: '127.0.0.1', port: servers[2]!.port, databases: ['nope_*'] }]);
    const r = await scan(inv);
    expect(r.errors[0]?.message).toMatch(/no database matches databases: nope_\*/);
    expect(exitCode(r)).toBe(2);
  });
});

describe('snapshots', () => {
  it('round-trips through a file and gives the same report offline', async () => {
    const inv = inventory();
    const snap = await collectSnapshot(inv);
    const again = parseSnapshot(serializeSnapshot(snap), 'mem');
    expect(formatJson(runChecks(again, inv))).toBe(formatJson(runChecks(snap, inv)));
    expect(serializeSnapshot(snap)).not.toContain(String(servers[0]!.port));
  });
});

describe('--gentle', () => {
  it('reads the catalog one statement at a time with pauses, and finds the same', async () => {
    const inv = inventory({}, servers.slice(0, 1).map((s) => ({ name: s.name, host: s.host, port: s.port })));
    const normal = await scan(inv);
    const started = Date.now();
    const gentle = runChecks(await collectSnapshot(inv, { gentleMs: 250 }), inv);
    // Five pauses between the six catalog reads (plus pauses between MAX() batches).
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 250);
    expect(gentle.findings.map((f) => f.id)).toEqual(normal.findings.map((f) => f.id));
  });
});

describe('sessions', () => {
  it('streams rows as arrays on connections that are READ ONLY, like every other read', async () => {
    const inv = inventory();
    const session = await openSession(inv.shards[0]!);
    try {
      const rows: unknown[][] = [];
      await session.stream({ sql: 'select ? as a, @@session.tx_read_only as ro', parameters: [7] }, (r) => rows.push(r));
      expect(rows.map((r) => [r[0], String(r[1])])).toEqual([[7, '1']]);
      // A write on a streamed connection is refused by the server itself (error 1792).
      for (let i = 0; i < 3; i++) {
        await expect(session.stream({ sql: 'create table ws_001.must_not_exist (id int)', parameters: [] }, () => undefined)).rejects.toMatchObject({ errno: 1792 });
      }
      // The same for the kysely side of the session, which takes its connections from the same pool.
      for (let i = 0; i < 3; i++) {
        await expect(sql`create table ws_001.must_not_exist (id int)`.execute(session.db)).rejects.toMatchObject({ errno: 1792 });
      }
      // A row handler that throws fails the read; the connection stays usable.
      await expect(session.stream({ sql: 'select 1 union all select 2', parameters: [] }, () => { throw new Error('bad row'); })).rejects.toThrow('bad row');
      const again: unknown[][] = [];
      await session.stream({ sql: 'select 2', parameters: [] }, (r) => again.push(r));
      expect(again).toEqual([[2]]);
    } finally {
      await session.close();
    }
  });
});

describe('trigger counts', () => {
  it('are read for snapshots and plans, and skipped by a plain CLI scan (one statement fewer per server)', async () => {
    const s = servers[0]!;
    const [first] = (await s.sql("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ws_edge' ORDER BY TABLE_NAME LIMIT 1")) as { t: string }[];
    await s.sql(`CREATE TRIGGER ws_edge.hr_test_trigger BEFORE INSERT ON ws_edge.\`${first!.t}\` FOR EACH ROW SET @hr_x = 1`);
    try {
      const inv = inventory({}, [{ name: s.name, host: s.host, port: s.port }]);
      const table = (snap: Awaited<ReturnType<typeof collectSnapshot>>) => snap.shards[0]!.databases.find((d) => d.name === 'ws_edge')!.tables.find((t) => t.name === first!.t)!;
      expect(table(await collectSnapshot(inv)).triggers).toBe(1);
      expect(table(await collectSnapshot(inv, { triggers: false })).triggers).toBe(0);

      // What the CLI sends: the general log of this throwaway server.
      const dir = mkdtempSync(join(tmpdir(), 'headroom-trig-'));
      const cfg = join(dir, 'h.yaml');
      writeFileSync(cfg, `shards: [{ name: ${s.name}, host: ${s.host}, port: ${s.port} }]\ndefaults: { user: root, databases: ["ws_*"] }\n`);
      const io = { stdout: () => undefined, stderr: () => undefined, env: {}, stdoutIsTTY: false, stderrIsTTY: false };
      const triggerReads = async (args: string[]) => {
        await s.sql("SET GLOBAL log_output = 'TABLE'; TRUNCATE mysql.general_log; SET GLOBAL general_log = 1");
        await main(args, io);
        await s.sql('SET GLOBAL general_log = 0');
        const rows = (await s.sql("SELECT COUNT(*) AS n FROM mysql.general_log WHERE argument LIKE '%information_schema`.`TRIGGERS%'")) as { n: string }[];
        return Number(rows[0]!.n);
      };
      expect(await triggerReads(['scan', '--config', cfg, '--format', 'json', '--quiet'])).toBe(0);
      expect(await triggerReads(['snapshot', '--config', cfg, '--out', join(dir, 'snap.json'), '--quiet'])).toBe(1);
    } finally {
      await s.sql('DROP TRIGGER ws_edge.hr_test_trigger');
    }
  }, 60_000);
});
