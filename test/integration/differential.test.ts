/**
 * The differential test: every planning command gives the same answer live (`--config`, the
 * streaming catalog builder) as from a snapshot of the same servers (`--snapshot`, the snapshot
 * loader). Both read one catalog; only how it is built in memory differs, so any difference is a
 * bug (the builder shares one frozen Column between identical definitions, and a planner that took
 * object identity for column identity grouped every `community_id INT NOT NULL` and other
 * databases' columns into one key's group).
 *
 * The fleet: 2 throwaway MariaDB servers, 8 tenant databases each (mk_001…mk_008) loaded with
 * fixtures/sql/rails-app.sql (73 tables, Rails-style repeated column definitions), and
 * fixtures/sql/rails-app-hot.sql run in 3 of them on shard-a and 2 others on shard-b. Every
 * command runs through the built CLI (`node bin/headroom.js`), once live and once from the
 * snapshot, and stdout must be equal byte for byte. Normalised, and only where a command prints
 * them: ISO-8601 timestamps and the report's "YYYY-MM-DD HH:MM UTC" stamps (a live run's clock vs
 * the snapshot's takenAt), the history files' day-file names (same reason), and the report's
 * `Source:` label, which names the input by design ("live scan of <config>" vs "snapshot <file>").
 * The history files' lines are compared in sorted order (see that test). Nothing else is
 * rewritten.
 *
 * Then, on the live output alone, the groups themselves are checked against the schema: each hot
 * key's group holds exactly the columns of ITS database that reference it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSql, loadPlacements, names } from '../support/fixtures.js';
import { startFleet, type TestServer } from '../support/mariadb.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/headroom.js');

const TENANTS = names('mk_', 8);
/** Where rails-app-hot.sql runs: different databases on each shard. */
const HOT: Record<string, string[]> = { 'shard-a': ['mk_002', 'mk_005', 'mk_007'], 'shard-b': ['mk_001', 'mk_004'] };
const SHARDS = Object.keys(HOT);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** ISO-8601 instants, e.g. 2026-12-07T23:10:46.851Z. */
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;
/** The report's display stamp, e.g. 2026-12-07 23:10 UTC. */
const STAMP = /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g;
const times = (text: string): string => text.replace(ISO, '<time>').replace(STAMP, '<time>');

let servers: TestServer[] = [];
let work: string;
let config: string;
let snapshot: string;

/** Live and snapshot runs of one command, each in its own directory (so relative --out paths print alike). */
async function both(args: string[]): Promise<{ live: Run; snap: Run; liveDir: string; snapDir: string }> {
  const tag = args.join(' ').replace(/[^\w]+/g, '_').slice(0, 60);
  const liveDir = mkdtempSync(join(work, `live-${tag}-`));
  const snapDir = mkdtempSync(join(work, `snap-${tag}-`));
  const [live, snap] = await Promise.all([
    run([...args, '--config', config, '--no-defaults'], liveDir),
    run([...args, '--snapshot', snapshot, '--config', config, '--no-defaults'], snapDir),
  ]);
  return { live, snap, liveDir, snapDir };
}

/** Every file under dir, by relative path. */
function files(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of files(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel), 'utf8'));
  }
  return out;
}

function expectSameRun(r: { live: Run; snap: Run }): void {
  expect(r.live.stderr).toBe('');
  expect(r.snap.stderr).toBe('');
  expect(r.snap.code).toBe(r.live.code);
  expect(r.live.stdout.length).toBeGreaterThan(0);
  expect(r.snap.stdout).toBe(r.live.stdout);
}

beforeAll(async () => {
  // Statistics recalculated in the background could change TABLE_ROWS between the snapshot and a
  // live run: turn that off, and compute them once with ANALYZE TABLE after loading.
  servers = await startFleet(2, { namePrefix: 'diff', extraArgs: ['--innodb-stats-auto-recalc=OFF'] });
  const hot = fixtureSql('rails-app-hot.sql');
  await Promise.all(
    servers.map(async (server, i) => {
      await loadPlacements(server, [{ file: 'rails-app.sql', databases: TENANTS }]);
      await server.sql(HOT[SHARDS[i]!]!.map((db) => `USE \`${db}\`;\n${hot}`).join('\n'));
      const tables = (await server.sql(
        "SELECT CONCAT('`', TABLE_SCHEMA, '`.`', REPLACE(TABLE_NAME, '`', '``'), '`') AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE 'mk\\_%' AND TABLE_TYPE = 'BASE TABLE'",
      )) as { t: string }[];
      expect(tables).toHaveLength(TENANTS.length * 73);
      await server.sql(`ANALYZE TABLE ${tables.map((r) => r.t).join(', ')}`);
    }),
  );
  work = mkdtempSync(join(tmpdir(), 'headroom-differential-'));
  config = join(work, 'headroom.yaml');
  writeFileSync(
    config,
    [
      'shards:',
      ...servers.flatMap((s, i) => [`  - name: ${SHARDS[i]}`, '    host: 127.0.0.1', `    port: ${s.port}`]),
      'defaults:',
      '  user: root',
      '  databases: ["mk_*"]',
      'relationships:',
      '  - column: payouts.source_txn',
      '    references: transactions.id',
      'policy:',
      '  migrationUser: migrator',
      '',
    ].join('\n'),
  );
  snapshot = join(work, 'fleet.json');
  const snap = await run(['snapshot', '--config', config, '--no-defaults', '--out', snapshot], work);
  expect(snap.stderr).toBe('');
  expect(snap.code).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('live and snapshot give the same bytes', () => {
  it('plan --format json', async () => {
    expectSameRun(await both(['plan', '--format', 'json']));
  });

  it('plan --format markdown', async () => {
    expectSameRun(await both(['plan', '--format', 'markdown']));
  });

  it('plan (text)', async () => {
    expectSameRun(await both(['plan']));
  });

  it('plan --only one hot key (db.table.column)', async () => {
    const r = await both(['plan', '--only', 'mk_005.transactions.id', '--format', 'json']);
    expectSameRun(r);
    expect(JSON.parse(r.live.stdout).plans.map((p: { id: string }) => p.id)).toEqual(['shard-a/mk_005/transactions.id']);
  });

  // --exact-rows counts rows on the servers, so the CLI refuses it with --snapshot (exit 2, see
  // plan-exact-rows.test.ts). What is comparable: the live --exact-rows plan and the snapshot plan
  // agree on everything but the row counts and what is computed from them (the copy steps'
  // `estimate` and `notes`, and the `secondsLow`/`secondsHigh` of each plan's total and of the
  // schedule); and the counted rows are the rows the fixture inserts.
  it('plan --exact-rows --format json: same plan as the snapshot apart from the counted estimates', async () => {
    const liveDir = mkdtempSync(join(work, 'live-exact-'));
    const snapDir = mkdtempSync(join(work, 'snap-exact-'));
    const [live, snap, refused] = await Promise.all([
      run(['plan', '--exact-rows', '--format', 'json', '--config', config, '--no-defaults'], liveDir),
      run(['plan', '--format', 'json', '--snapshot', snapshot, '--config', config, '--no-defaults'], snapDir),
      run(['plan', '--exact-rows', '--format', 'json', '--snapshot', snapshot, '--config', config, '--no-defaults'], snapDir),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--exact-rows counts rows on the servers/);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(snap.code);
    const strip = (text: string): unknown =>
      JSON.parse(text, (key, value) => (['estimate', 'notes', 'secondsLow', 'secondsHigh'].includes(key) ? undefined : value));
    expect(strip(live.stdout)).toEqual(strip(snap.stdout));
    const plan = JSON.parse(live.stdout);
    const listings = plan.plans.find((p: PlanJson) => groupsOf(p).includes('shard-a/mk_005/listings.id'));
    const counted = (table: string) =>
      listings.steps.find((s: { table?: string; estimate?: unknown }) => s.table === table && s.estimate)?.estimate;
    expect(counted('listing_followers')).toMatchObject({ rowsEstimate: 4, rowsLow: 4, rowsHigh: 4 });
    expect(counted('listing_images')).toMatchObject({ rowsEstimate: 3, rowsLow: 3, rowsHigh: 3 });
  });

  it('runbook --out DIR: the same files with the same contents', async () => {
    const r = await both(['runbook', '--out', 'runbooks']);
    expectSameRun(r);
    const live = files(join(r.liveDir, 'runbooks'));
    const snap = files(join(r.snapDir, 'runbooks'));
    expect(live.size).toBeGreaterThan(1);
    expect([...snap.keys()]).toEqual([...live.keys()]);
    for (const [name, text] of live) expect(snap.get(name), name).toBe(text);
  });

  it('report --out FILE.html (timestamps and the Source label normalised)', async () => {
    const r = await both(['report', '--out', 'report.html']);
    expect(r.live.stderr).toBe('');
    expect(r.snap.stderr).toBe('');
    expect(r.snap.code).toBe(r.live.code);
    const page = (dir: string, source: string): string => {
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain(`Source: ${source}`);
      return times(html.split(`Source: ${source}`).join('Source: <source>'));
    };
    const live = page(r.liveDir, `live scan of ${config}`);
    const snap = page(r.snapDir, `snapshot ${snapshot}`);
    expect(snap).toBe(live);
  });

  it('scan --format json (its takenAt normalised: the live scan\'s start vs the snapshot\'s)', async () => {
    const r = await both(['scan', '--format', 'json']);
    expect(r.live.stderr).toBe('');
    expect(r.snap.stderr).toBe('');
    expect(r.snap.code).toBe(r.live.code);
    expect(r.live.stdout).toMatch(/^\{\n {2}"version": 1,\n {2}"takenAt": "\d{4}-/);
    expect(times(r.snap.stdout)).toBe(times(r.live.stdout));
  });

  it('scan --history DIR --format json, and the observations each wrote (times normalised)', async () => {
    const r = await both(['scan', '--history', 'history', '--format', 'json']);
    expect(r.live.stderr).toBe('');
    expect(r.snap.stderr).toBe('');
    expect(r.snap.code).toBe(r.live.code);
    expect(times(r.snap.stdout)).toBe(times(r.live.stdout));
    // One JSON line per shard per scan. A live scan appends each shard's line when that shard has
    // been read, so the lines of a day file come in the order the shards finished (it varies from
    // run to run); from a snapshot, in the snapshot's order. The lines are compared as a sorted list:
    // each line byte for byte (times normalised), not their order.
    const observations = (dir: string): [string, string[]][] =>
      [...files(join(dir, 'history'))].map(([name, text]) => [name.replace(/^\d{4}-\d{2}-\d{2}/, '<day>'), times(text).split('\n').sort()]);
    const live = observations(r.liveDir);
    expect(live.length).toBeGreaterThan(0);
    expect(live.flatMap(([, lines]) => lines).join('\n')).toContain('"listings":{"id":"1890000000"}');
    expect(observations(r.snapDir)).toEqual(live);
  });
});

interface Member {
  ref: { shard: string; database: string; table: string; column: string };
  role: string;
  needsChange: boolean;
  source?: string;
  /** The group the member belongs to, when one plan covers several groups (they share a table). */
  group?: string;
}

interface PlanJson {
  id: string;
  groups?: string[];
  members: Member[];
}

/** The widening groups a plan covers: `groups` when the plan lists them, else the plan's own key. */
function groupsOf(p: PlanJson): string[] {
  return p.groups ?? [p.id];
}

describe('the live plan has the right groups', () => {
  let plans: PlanJson[];
  beforeAll(async () => {
    const dir = mkdtempSync(join(work, 'live-groups-'));
    const r = await run(['plan', '--format', 'json', '--config', config, '--no-defaults'], dir);
    expect(r.stderr).toBe('');
    plans = JSON.parse(r.stdout).plans;
  });

  /** The members of one group, wherever it is planned (alone, or with groups it shares a table with). */
  const group = (id: string): string[] => {
    const p = plans.find((x) => groupsOf(x).includes(id));
    expect(p, id).toBeDefined();
    return p!.members
      .filter((m) => (m.group ?? p!.id) === id)
      .map((m) => `${m.ref.shard}/${m.ref.database}/${m.ref.table}.${m.ref.column} ${m.role}${m.needsChange ? '' : ' (stays)'}`)
      .sort();
  };

  it('one group per hot key in each hot database, none anywhere else', () => {
    const keys = ['categories.id', 'listing_shapes.id', 'listings.id', 'transactions.id'];
    const expected = SHARDS.flatMap((shard) => HOT[shard]!.flatMap((db) => keys.map((k) => `${shard}/${db}/${k}`))).sort();
    expect(plans.flatMap(groupsOf).sort()).toEqual(expected);
  });

  it('transactions.id (BIGINT past 2^31) in shard-a/mk_005: exactly the columns of mk_005 that store its ids', () => {
    const at = (t: string) => `shard-a/mk_005/${t}`;
    expect(group('shard-a/mk_005/transactions.id')).toEqual(
      [
        `${at('bookings.transaction_id')} reference`,
        `${at('payouts.source_txn')} reference`,
        `${at('paypal_payments.transaction_id')} reference`,
        `${at('shipping_addresses.transaction_id')} reference`,
        `${at('stripe_payments.transaction_id')} reference`,
        `${at('testimonials.transaction_id')} reference`,
        `${at('transaction_process_tokens.transaction_id')} reference (stays)`,
        `${at('transaction_transitions.transaction_id')} reference`,
        `${at('transactions.id')} key (stays)`,
      ].sort(),
    );
  });

  it('listings.id in shard-b/mk_004: every listing_id of mk_004 (odd table names and the keyless join table too)', () => {
    const at = (t: string) => `shard-b/mk_004/${t}`;
    expect(group('shard-b/mk_004/listings.id')).toEqual(
      [
        'comments',
        'conversations',
        'custom_field_option_selections',
        'custom_field_values',
        "editors'_picks",
        'featured_listings',
        'legacy_listings,archived',
        'listing_blocked_dates',
        'listing_followers',
        'listing_images',
        'listing_working_time_slots',
        'locations',
        'transactions',
      ]
        .map((t) => `${at(`${t}.listing_id`)} reference`)
        .concat(`${at('listings.id')} key`)
        .sort(),
    );
  });

  it('categories.id in shard-a/mk_002 shares tables with listings.id (listings, featured_listings)', () => {
    const at = (t: string) => `shard-a/mk_002/${t}`;
    expect(group('shard-a/mk_002/categories.id')).toEqual(
      [
        `${at('categories.id')} key`,
        `${at('category_custom_fields.category_id')} reference`,
        `${at('category_listing_shapes.category_id')} reference`,
        `${at('category_translations.category_id')} reference`,
        `${at('featured_listings.category_id')} reference`,
        `${at('listings.category_id')} reference`,
      ].sort(),
    );
  });

  it('listing_shapes.id (SMALLINT UNSIGNED) in shard-b/mk_001', () => {
    const at = (t: string) => `shard-b/mk_001/${t}`;
    expect(group('shard-b/mk_001/listing_shapes.id')).toEqual(
      [
        `${at('category_listing_shapes.listing_shape_id')} reference`,
        `${at('listing_shapes.id')} key`,
        `${at('listing_units.listing_shape_id')} reference`,
        `${at('listings.listing_shape_id')} reference`,
      ].sort(),
    );
  });

  it('no group has a member from another shard or database, or a community_id', () => {
    for (const p of plans) {
      const [shard, database] = p.id.split('/');
      for (const m of p.members) {
        expect(`${m.ref.shard}/${m.ref.database}`, `${p.id}: ${m.ref.table}.${m.ref.column}`).toBe(`${shard}/${database}`);
        expect(m.ref.column, p.id).not.toBe('community_id');
      }
    }
  });
});
