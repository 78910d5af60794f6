/**
 * Runbooks proven by running them: the ```sql and ```sh blocks of "## 4. Steps"
 * are extracted from the generated Markdown and executed in order against a
 * throwaway MariaDB server — SQL through the stock `mariadb` client, shell
 * through `sh -c` (pt-online-schema-change for real) — while a background
 * writer keeps inserting rows into the parent and child tables.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, runChecks, validateInventory } from '../../src/index.js';
import type { Inventory } from '../../src/index.js';
import { planWidenings } from '../../src/plan/plan.js';
import { renderRunbooks } from '../../src/runbook/runbook.js';
import { loadPlacements } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

const exec = promisify(execFile);
let server: TestServer;

interface Block {
  lang: 'sql' | 'sh';
  text: string;
}

/** The executable blocks of section 4, in order. */
export function stepBlocks(markdown: string): Block[] {
  const start = markdown.indexOf('\n## 4. Steps');
  const end = markdown.indexOf('\n## 5. ', start);
  expect(start).toBeGreaterThan(0);
  const section = markdown.slice(start, end);
  return [...section.matchAll(/```(sql|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as 'sql' | 'sh', text: m[2]! }));
}

function inventory(db: string, policy: Record<string, unknown> = {}): Inventory {
  return validateInventory(
    {
      shards: [{ name: 'rb-shard', host: server.host, port: server.port, user: 'root', databases: [db] }],
      relationships: [{ column: 'thread_snapshots.source_thread', references: 'message_threads.id' }],
      ignore: ['*.stripe_customer_id'],
      policy,
    },
    'test inventory',
  );
}

async function runbookFor(inv: Inventory, only: string): Promise<string> {
  const snapshot = await collectSnapshot(inv);
  expect(snapshot.errors).toEqual([]);
  const report = runChecks(snapshot, inv);
  const connections = new Map([['rb-shard', { host: server.host, port: server.port, user: 'root' }]]);
  const plan = planWidenings(report.findings, snapshot, inv, { policy: inv.policy, connections, only });
  expect(plan.plans).toHaveLength(1);
  const files = renderRunbooks(plan, { findings: report.findings, policy: inv.policy, scanCommand: 'headroom scan --config x.yaml', connections });
  return files[0]!.content;
}

async function runBlocks(blocks: Block[]): Promise<string> {
  let log = '';
  for (const b of blocks) {
    if (b.lang === 'sql') {
      const { stdout } = await exec('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', 'root', '--batch', '-e', b.text], { timeout: 60_000 });
      log += stdout;
      const orphans = /^orphans\n(\d+)/m.exec(stdout);
      if (orphans) expect(Number(orphans[1])).toBe(0);
    } else {
      for (const line of b.text.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
        const { stdout } = await exec('sh', ['-c', line], { timeout: 120_000 });
        log += stdout;
      }
    }
  }
  return log;
}

/** Inserts into parent and child until stopped; remembers every committed id. */
function backgroundWriter(db: string, parent: string, child: string, childColumn: string, childValue: (parentId: number) => number, extraChildCols = '') {
  const committed = { parent: [] as number[], child: [] as number[] };
  let failures = 0;
  let stop = false;
  const done = (async () => {
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: 'root', database: db, supportBigNumbers: true, bigNumberStrings: true });
    await conn.query('SET SESSION lock_wait_timeout = 5');
    try {
      while (!stop) {
        try {
          const [p] = (await conn.query(parent === 'categories' ? `INSERT INTO categories (name) VALUES ('w')` : `INSERT INTO message_threads (user_id, created_at) VALUES (1, NOW())`)) as [{ insertId: number }, unknown];
          committed.parent.push(Number(p.insertId));
          const [c] = (await conn.query(`INSERT INTO ${child} (${childColumn}${extraChildCols ? `, ${extraChildCols.split('=')[0]}` : ''}) VALUES (?${extraChildCols ? `, ${extraChildCols.split('=')[1]}` : ''})`, [childValue(Number(p.insertId))])) as [{ insertId: number }, unknown];
          committed.child.push(Number(c.insertId));
        } catch {
          failures++; // e.g. lock_wait_timeout at a swap: the insert was rejected, not lost
        }
        await new Promise((r) => setTimeout(r, 3));
      }
    } finally {
      await conn.end();
    }
  })();
  return {
    committed,
    failures: () => failures,
    async stop() {
      stop = true;
      await done;
    },
  };
}

async function ids(db: string, table: string): Promise<Set<number>> {
  const rows = (await server.sql(`SELECT id FROM \`${db}\`.\`${table}\``)) as { id: string | number }[];
  return new Set(rows.map((r) => Number(r.id)));
}

async function columnType(db: string, table: string, column: string): Promise<string> {
  const rows = (await server.sql(`SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='${db}' AND TABLE_NAME='${table}' AND COLUMN_NAME='${column}'`)) as { t: string }[];
  return rows[0]!.t;
}

async function leftovers(db: string): Promise<string[]> {
  const t = (await server.sql(`SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA='${db}' AND (TABLE_NAME LIKE '\\_%' OR TABLE_NAME LIKE '%\\_new' OR TABLE_NAME LIKE '%\\_old')`)) as { n: string }[];
  const g = (await server.sql(`SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='${db}'`)) as { n: string }[];
  return [...t.map((r) => r.n), ...g.map((r) => `trigger ${r.n}`)];
}

async function constraints(db: string) {
  return server.sql(
    `SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS tbl, REFERENCED_TABLE_NAME AS ref FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA='${db}' ORDER BY 1`,
  );
}

beforeAll(async () => {
  server = await startServer({ name: 'rb-shard' });
  await loadPlacements(server, [{ file: 'hot-tenant.sql', databases: ['rb_direct', 'rb_ptosc', 'rb_inferred'] }]);
  for (const db of ['rb_direct', 'rb_ptosc', 'rb_inferred']) {
    await server.sql(
      `INSERT INTO \`${db}\`.categories (id, name) VALUES (1900000001, 'a'), (1900000002, 'b');
       INSERT INTO \`${db}\`.articles (category_id, author_id) VALUES (1900000001, 1), (1900000002, 1);
       INSERT INTO \`${db}\`.conversation_parts (message_thread_id, user_id, body) VALUES (1, 1, 'x');`,
    );
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('runbooks, executed block by block under a concurrent writer', () => {
  it('(a) direct ALTER plan with a declared FK', async () => {
    const inv = inventory('rb_direct', { directAlter: { maxRows: 100000 } });
    const md = await runbookFor(inv, 'categories.id');
    const blocks = stepBlocks(md);
    expect(blocks.map((b) => b.lang)).toEqual(['sql', 'sql', 'sql', 'sql', 'sql']);
    const writer = backgroundWriter('rb_direct', 'categories', 'articles', 'category_id', (id) => id, 'author_id=7');
    await new Promise((r) => setTimeout(r, 100));
    await runBlocks(blocks);
    await new Promise((r) => setTimeout(r, 100));
    await writer.stop();
    await verify('rb_direct', inv, writer.committed, 'categories', 'articles', [['categories', 'id'], ['articles', 'category_id']]);
    expect(await constraints('rb_direct')).toEqual([{ name: 'fk_articles_category', tbl: 'articles', ref: 'categories' }]);
  }, 120_000);

  it('(b) pt-online-schema-change plan with a declared parent/child FK', async () => {
    const inv = inventory('rb_ptosc');
    const md = await runbookFor(inv, 'categories.id');
    const blocks = stepBlocks(md);
    expect(blocks.map((b) => b.lang)).toEqual(['sql', 'sh', 'sh', 'sql', 'sql']);
    const writer = backgroundWriter('rb_ptosc', 'categories', 'articles', 'category_id', (id) => id, 'author_id=7');
    await new Promise((r) => setTimeout(r, 100));
    const log = await runBlocks(blocks);
    await new Promise((r) => setTimeout(r, 100));
    await writer.stop();
    expect(log).toMatch(/Successfully altered/);
    expect(writer.committed.parent.length).toBeGreaterThan(10);
    await verify('rb_ptosc', inv, writer.committed, 'categories', 'articles', [['categories', 'id'], ['articles', 'category_id']]);
    expect(await constraints('rb_ptosc')).toEqual([{ name: 'fk_articles_category', tbl: 'articles', ref: 'categories' }]);
  }, 180_000);

  it('(c) an inferred-reference group (message_threads.id ← message_thread_id and friends)', async () => {
    const inv = inventory('rb_inferred');
    const md = await runbookFor(inv, 'message_threads.id');
    const blocks = stepBlocks(md);
    expect(blocks.every((b) => b.lang === 'sh')).toBe(true);
    // Children still INT until widened: the writer stores a small thread id, as the app could before the outage.
    const writer = backgroundWriter('rb_inferred', 'message_threads', 'conversation_parts', 'message_thread_id', () => 1, "body='w'");
    await new Promise((r) => setTimeout(r, 100));
    await runBlocks(blocks);
    await new Promise((r) => setTimeout(r, 100));
    await writer.stop();
    await verify('rb_inferred', inv, writer.committed, 'message_threads', 'conversation_parts', [
      ['conversation_parts', 'message_thread_id'],
      ['thread_assignments', 'message_thread_id'],
      ['thread_snapshots', 'source_thread'],
    ]);
    // After widening, a child row can hold an id past 2^31 − 1: the outage is fixed.
    await server.sql(`INSERT INTO rb_inferred.conversation_parts (message_thread_id, body) VALUES (2147500000, 'after')`);
  }, 180_000);
});

async function verify(
  db: string,
  inv: Inventory,
  committed: { parent: number[]; child: number[] },
  parent: string,
  child: string,
  widened: [string, string][],
): Promise<void> {
  for (const [t, c] of widened) expect(await columnType(db, t, c)).toMatch(/^bigint\(20\)/);
  const parentIds = await ids(db, parent);
  const childIds = await ids(db, child);
  expect(committed.parent.filter((id) => !parentIds.has(id))).toEqual([]);
  expect(committed.child.filter((id) => !childIds.has(id))).toEqual([]);
  expect(await leftovers(db)).toEqual([]);
  const rescan = runChecks(await collectSnapshot(inv), inv);
  const groupTables = new Set([parent, ...widened.map(([t]) => t)]);
  expect(rescan.findings.filter((f) => groupTables.has(f.table) && (f.references?.table === parent || f.table === parent))).toEqual([]);
}
