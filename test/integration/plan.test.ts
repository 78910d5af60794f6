/**
 * Plans executed for real on a throwaway server: the direct-ALTER path and the
 * pt-online-schema-change path, for a group with a declared foreign key and for
 * an inferred one. Afterwards every column has the target type, constraints
 * exist and point at the right tables, no row is lost, and a rescan is clean
 * for the group.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, runChecks, validateInventory } from '../../src/index.js';
import type { Inventory } from '../../src/index.js';
import { planWidenings } from '../../src/plan/plan.js';
import type { Plan, WideningPlan } from '../../src/plan/types.js';
import { loadPlacements } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

const run = promisify(execFile);
let server: TestServer;

const SEED = (db: string) => `
  INSERT INTO \`${db}\`.categories (id, name) VALUES (1900000001, 'a'), (1900000002, 'b'), (1900000003, 'c');
  INSERT INTO \`${db}\`.articles (category_id, author_id) VALUES (1900000001, 1), (1900000002, 1), (1900000002, 2), (1900000003, 3);
  INSERT INTO \`${db}\`.conversation_parts (message_thread_id, user_id, body) VALUES (1, 1, 'x'), (2, 1, 'y');
  INSERT INTO \`${db}\`.thread_snapshots (source_thread) VALUES (1), (2), (3);
`;

function inventory(databases: string[], policy: Record<string, unknown> = {}): Inventory {
  return validateInventory(
    {
      shards: [{ name: 'plan-shard', host: server.host, port: server.port, user: 'root', databases }],
      relationships: [{ column: 'thread_snapshots.source_thread', references: 'message_threads.id' }],
      ignore: ['*.stripe_customer_id'],
      policy,
    },
    'test inventory',
  );
}

async function makePlan(inv: Inventory, only: string): Promise<WideningPlan> {
  const snapshot = await collectSnapshot(inv);
  expect(snapshot.errors).toEqual([]);
  const report = runChecks(snapshot, inv);
  const plan: Plan = planWidenings(report.findings, snapshot, inv, {
    policy: inv.policy,
    connections: new Map([['plan-shard', { host: server.host, port: server.port, user: 'root' }]]),
    only,
  });
  expect(plan.plans).toHaveLength(1);
  return plan.plans[0]!;
}

/** Run every step's commands in order, as an engineer pasting them would. */
async function execute(p: WideningPlan): Promise<string[]> {
  const log: string[] = [];
  for (const step of p.steps) {
    if (step.kind === 'application') continue;
    if (step.kind === 'orphan-check') {
      const rows = (await server.sql(step.commands.join('\n'))) as { orphans: string | number }[];
      expect(Number(rows[0]!.orphans)).toBe(0);
      continue;
    }
    for (const cmd of step.commands) {
      if (cmd.startsWith('pt-online-schema-change')) {
        const { stdout } = await run('sh', ['-c', cmd], { timeout: 120_000 });
        log.push(stdout);
      }
    }
    if (!step.commands.some((c) => c.startsWith('pt-online-schema-change'))) await server.sql(step.commands.join('\n'));
  }
  return log;
}

async function columnType(db: string, table: string, column: string): Promise<string> {
  const rows = (await server.sql(
    `SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='${db}' AND TABLE_NAME='${table}' AND COLUMN_NAME='${column}'`,
  )) as { t: string }[];
  return rows[0]!.t;
}

async function foreignKeys(db: string): Promise<{ name: string; table: string; ref: string }[]> {
  return (await server.sql(
    `SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS \`table\`, REFERENCED_TABLE_NAME AS ref FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA='${db}' ORDER BY 1`,
  )) as { name: string; table: string; ref: string }[];
}

async function count(db: string, table: string): Promise<number> {
  const rows = (await server.sql(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${table}\``)) as { n: string }[];
  return Number(rows[0]!.n);
}

async function leftovers(db: string): Promise<string[]> {
  const t = (await server.sql(`SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA='${db}' AND (TABLE_NAME LIKE '\\_%' OR TABLE_NAME LIKE '%\\_new' OR TABLE_NAME LIKE '%\\_old')`)) as { n: string }[];
  const g = (await server.sql(`SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='${db}'`)) as { n: string }[];
  return [...t.map((r) => r.n), ...g.map((r) => `trigger ${r.n}`)];
}

beforeAll(async () => {
  server = await startServer({ name: 'plan-shard' });
  await loadPlacements(server, [{ file: 'hot-tenant.sql', databases: ['ws_direct', 'ws_ptosc'] }]);
  await server.sql(SEED('ws_direct') + SEED('ws_ptosc'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('a group with a declared foreign key (categories.id ← articles.category_id)', () => {
  it('plans children first, the key last, with the constraint dropped and re-added around them', async () => {
    const p = await makePlan(inventory(['ws_direct'], { directAlter: { maxRows: 1000 } }), 'categories.id');
    expect(p.steps.map((s) => `${s.kind}:${s.table ?? ''}`)).toEqual([
      'drop-fk:articles',
      'direct-alter:articles',
      'direct-alter:categories',
      'orphan-check:articles',
      'add-fk:articles',
      'application:',
    ]);
    for (const s of p.steps.filter((x) => x.kind === 'direct-alter')) {
      expect(s.commands.join(' ')).toMatch(/ALGORITHM=COPY, LOCK=SHARED/);
    }
  });

  it('direct ALTER (policy allows it for small tables): executed, widened, constraint back, rows kept, rescan clean', async () => {
    const inv = inventory(['ws_direct'], { directAlter: { maxRows: 1000 } });
    const p = await makePlan(inv, 'categories.id');
    const before = { categories: await count('ws_direct', 'categories'), articles: await count('ws_direct', 'articles') };
    await execute(p);
    expect(await columnType('ws_direct', 'categories', 'id')).toBe('bigint(20)');
    expect(await columnType('ws_direct', 'articles', 'category_id')).toBe('bigint(20)');
    expect(await foreignKeys('ws_direct')).toEqual([{ name: 'fk_articles_category', table: 'articles', ref: 'categories' }]);
    expect({ categories: await count('ws_direct', 'categories'), articles: await count('ws_direct', 'articles') }).toEqual(before);
    const rescan = runChecks(await collectSnapshot(inv), inv);
    expect(rescan.findings.filter((f) => f.table === 'categories' || f.table === 'articles')).toEqual([]);
  });

  it('pt-online-schema-change (the default policy): executed for real, same result, no tool leftovers', async () => {
    const inv = inventory(['ws_ptosc']);
    const p = await makePlan(inv, 'categories.id');
    expect(p.steps.filter((s) => s.kind === 'copy').map((s) => s.tool)).toEqual(['pt-online-schema-change', 'pt-online-schema-change']);
    const before = { categories: await count('ws_ptosc', 'categories'), articles: await count('ws_ptosc', 'articles') };
    const log = await execute(p);
    expect(log.join('\n')).toMatch(/Successfully altered/);
    expect(await columnType('ws_ptosc', 'categories', 'id')).toBe('bigint(20)');
    expect(await columnType('ws_ptosc', 'articles', 'category_id')).toBe('bigint(20)');
    expect(await foreignKeys('ws_ptosc')).toEqual([{ name: 'fk_articles_category', table: 'articles', ref: 'categories' }]);
    expect({ categories: await count('ws_ptosc', 'categories'), articles: await count('ws_ptosc', 'articles') }).toEqual(before);
    expect(await leftovers('ws_ptosc')).toEqual([]);
    const rescan = runChecks(await collectSnapshot(inv), inv);
    expect(rescan.findings.filter((f) => f.table === 'categories' || f.table === 'articles')).toEqual([]);
  }, 120_000);
});

describe('a group found by naming and config (message_threads.id ← message_thread_id, source_thread)', () => {
  it('widens every referencing column to exactly the key type; the BIGINT key itself needs no step', async () => {
    const inv = inventory(['ws_ptosc']);
    const p = await makePlan(inv, 'message_threads.id');
    expect(p.members.filter((m) => m.needsChange).map((m) => `${m.ref.table}.${m.ref.column}`).sort()).toEqual([
      'conversation_parts.message_thread_id',
      'thread_assignments.message_thread_id',
      'thread_snapshots.source_thread',
    ]);
    expect(p.steps.some((s) => s.table === 'message_threads')).toBe(false);
    const before = await count('ws_ptosc', 'thread_snapshots');
    await execute(p);
    for (const [t, c] of [['conversation_parts', 'message_thread_id'], ['thread_assignments', 'message_thread_id'], ['thread_snapshots', 'source_thread']]) {
      expect(await columnType('ws_ptosc', t!, c!)).toBe('bigint(20)');
    }
    expect(await count('ws_ptosc', 'thread_snapshots')).toBe(before);
    expect(await leftovers('ws_ptosc')).toEqual([]);
    const rescan = runChecks(await collectSnapshot(inv), inv);
    expect(rescan.findings.filter((f) => f.references?.table === 'message_threads')).toEqual([]);
  }, 120_000);
});
