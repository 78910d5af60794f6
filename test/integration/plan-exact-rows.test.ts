/**
 * `plan --exact-rows`: the tables a plan copies are counted with COUNT(*) on the
 * server, and the estimate uses the count (no ±50% range).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { loadPlacements } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

let server: TestServer;

function capture(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

beforeAll(async () => {
  server = await startServer({ name: 'exact-rows' });
  await loadPlacements(server, [{ file: 'hot-tenant.sql', databases: ['ws_x'] }]);
  // 1,234 articles in categories 1,900,000,001..; TABLE_ROWS only estimates them.
  await server.sql(`INSERT INTO ws_x.categories (id, name) VALUES (1900000001, 'a');
    INSERT INTO ws_x.articles (category_id, author_id) SELECT 1900000001, seq FROM seq_1_to_1234;`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('plan --exact-rows', () => {
  it('counts the copied tables and uses the counts without an uncertainty range', async () => {
    const io = capture();
    const code = await main(['plan', `${server.url}/ws_x`, '--only', 'categories.id', '--exact-rows', '--format', 'json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const plan = JSON.parse(io.out());
    const articles = plan.plans[0].steps.find((s: { table?: string; estimate?: unknown }) => s.table === 'articles' && s.estimate);
    expect(articles.estimate).toMatchObject({ rowsEstimate: 1234, rowsLow: 1234, rowsHigh: 1234 });
    expect(articles.notes[0]).toMatch(/^1234 rows \(counted with --exact-rows\)/);
  });

  it('is refused on a snapshot (nothing to count on)', async () => {
    const io = capture();
    expect(await main(['plan', '--snapshot', 'fixtures/demo-fleet.json', '--exact-rows'], io)).toBe(2);
    expect(io.err()).toMatch(/--exact-rows counts rows on the servers/);
  });
});
