/**
 * `headroom offsets` on a real test database: afterwards a narrow referencing
 * column fails on insert (as it would in production, years later) while correct
 * ones pass; deterministic; refuses databases not named for tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { offsetFor, planOffsets } from '../../src/offsets/offsets.js';
import { fixtureSql } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/mariadb.js';

let server: TestServer;

function capture(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

const SCHEMA = (db: string) => `
  CREATE DATABASE \`${db}\`;
  USE \`${db}\`;
  CREATE TABLE message_threads (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, title VARCHAR(20));
  CREATE TABLE conversation_parts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_thread_id INT NOT NULL,          -- the narrow one
    wide_thread_id BIGINT NOT NULL           -- a correct one
  );
  CREATE TABLE categories (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY);
  CREATE TABLE flags (id SMALLINT NOT NULL AUTO_INCREMENT PRIMARY KEY);
`;

beforeAll(async () => {
  server = await startServer({ name: 'offsets' });
  // Strict mode (the default) makes an out-of-range insert an error, as in production.
  await server.sql(SCHEMA('app_test') + SCHEMA('app_production') + SCHEMA('other_test'));
  // The 73-table Rails marketplace schema (INT and BIGINT keys, odd names, keyless join tables).
  await server.sql(`CREATE DATABASE rails_test;\nUSE rails_test;\n${fixtureSql('rails-app.sql')}`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('headroom offsets', () => {
  it('refuses a database whose name does not say it is for tests, and writes nothing', async () => {
    const io = capture();
    const code = await main(['offsets', '--url', server.url, '--database', 'app_production'], io);
    expect(code).toBe(2);
    expect(io.err.join('')).toMatch(/refusing to write to database "app_production".*policy\.offsetsAllow/);
    const rows = (await server.sql(`SELECT AUTO_INCREMENT AS a FROM information_schema.TABLES WHERE TABLE_SCHEMA='app_production' AND TABLE_NAME='message_threads'`)) as { a: string }[];
    expect(rows[0]!.a).toBe('1');
  });

  it('--dry-run prints the statements and changes nothing', async () => {
    const io = capture();
    expect(await main(['offsets', '--url', server.url, '--database', 'app_production', '--dry-run'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/ALTER TABLE `app_production`.`message_threads` AUTO_INCREMENT = \d+;/);
    expect(io.out.join('')).toMatch(/^-- a real run would be refused: "app_production" matches none of policy.offsetsAllow/m);
    expect(io.out.join('')).toMatch(/^-- flags: unchanged \(smallint key/m);
    const rows = (await server.sql(`SELECT AUTO_INCREMENT AS a FROM information_schema.TABLES WHERE TABLE_SCHEMA='app_production' AND TABLE_NAME='message_threads'`)) as { a: string }[];
    expect(rows[0]!.a).toBe('1');
  });

  it('offsets a test database: BIGINT tables start above 2^32, INT tables stay low, small types untouched', async () => {
    const io = capture();
    expect(await main(['offsets', '--url', server.url, '--database', 'app_test'], io)).toBe(0);
    const rows = (await server.sql(
      `SELECT TABLE_NAME AS t, AUTO_INCREMENT AS a FROM information_schema.TABLES WHERE TABLE_SCHEMA='app_test' ORDER BY 1`,
    )) as { t: string; a: string }[];
    const ai = Object.fromEntries(rows.map((r) => [r.t, BigInt(r.a)]));
    expect(ai.message_threads).toBe(offsetFor('message_threads', 'bigint', false));
    expect(ai.message_threads! > 1n << 32n).toBe(true);
    expect(ai.categories! < 2147483647n / 2n).toBe(true);
    expect(ai.flags).toBe(1n);
    expect(io.out.join('')).toMatch(/flags: unchanged/);
  });

  it('the canary: a narrow referencing column now fails in the test suite, a correct one passes', async () => {
    await server.sql(`INSERT INTO app_test.message_threads (title) VALUES ('t')`);
    const [row] = (await server.sql(`SELECT MAX(id) AS id FROM app_test.message_threads`)) as { id: string }[];
    const threadId = row!.id;
    await expect(server.sql(`INSERT INTO app_test.conversation_parts (message_thread_id, wide_thread_id) VALUES (${threadId}, ${threadId})`)).rejects.toThrow(
      /Out of range value for column 'message_thread_id'/,
    );
    await server.sql(`INSERT INTO app_test.conversation_parts (message_thread_id, wide_thread_id) VALUES (1, ${threadId})`);
  });

  it('is deterministic: the same schema gets the same offsets, and a second run changes nothing', async () => {
    const io1 = capture();
    await main(['offsets', '--url', server.url, '--database', 'other_test', '--dry-run'], io1);
    const io2 = capture();
    await main(['offsets', '--url', server.url, '--database', 'other_test', '--dry-run'], io2);
    expect(io1.out.join('')).toBe(io2.out.join(''));
    expect(io1.out.join('').replaceAll('other_test', 'app_test')).toContain(`AUTO_INCREMENT = ${offsetFor('message_threads', 'bigint', false)}`);
    const again = capture();
    expect(await main(['offsets', '--url', server.url, '--database', 'app_test', '--dry-run'], again)).toBe(0);
    expect(again.out.join('')).toMatch(/-- nothing to change\n$/);
    expect(again.out.join('')).not.toMatch(/^ALTER/m);
  });

  it('a 73-table Rails schema: every table with a counter gets its own starting value (BIGINT above 2^32, INT below half its max)', async () => {
    const tables = (await server.sql(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA='rails_test'`)) as { n: string }[];
    expect(Number(tables[0]!.n)).toBe(73);
    const io = capture();
    expect(await main(['offsets', '--url', server.url, '--database', 'rails_test'], io)).toBe(0);
    const rows = (await server.sql(
      `SELECT t.TABLE_NAME AS t, t.AUTO_INCREMENT AS a, c.DATA_TYPE AS type FROM information_schema.TABLES t
         JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.EXTRA LIKE '%auto_increment%'
        WHERE t.TABLE_SCHEMA = 'rails_test'`,
    )) as { t: string; a: string; type: string }[];
    expect(rows.length).toBeGreaterThan(60);
    const values = rows.map((r) => BigInt(r.a));
    // Distinct: an id of one table never names a row of another (the old 1,000 buckets gave order_permissions and invitations the same start).
    expect(new Set(values).size).toBe(rows.length);
    for (const r of rows) {
      const v = BigInt(r.a);
      if (r.type === 'bigint') expect(v > 1n << 32n, r.t).toBe(true);
      else if (r.type === 'int') expect(v > 1n && v < 2147483647n / 2n, r.t).toBe(true);
    }
    expect(rows.filter((r) => r.type === 'bigint').length).toBeGreaterThan(0);
    expect(io.out.join('')).toMatch(/changed \d+ tables in rails_test\n$/);
    // The odd names are offset too.
    expect(rows.map((r) => r.t)).toEqual(expect.arrayContaining(['legacy_listings,archived', "editors'_picks"]));
    // Deterministic: a second run has nothing to change.
    const again = capture();
    expect(await main(['offsets', '--url', server.url, '--database', 'rails_test', '--dry-run'], again)).toBe(0);
    expect(again.out.join('')).toMatch(/-- nothing to change\n$/);
  });

  it('--config whose shards use ${HEADROOM_PASSWORD}: only policy.offsetsAllow is read, so the variable need not be set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-offsets-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(cfg, 'shards: [{ name: prod, host: 10.0.0.1 }]\ndefaults: { user: headroom, password: "${HEADROOM_PASSWORD}" }\npolicy: { offsetsAllow: ["other_*"] }\n');
    const io = capture(); // env: {}
    expect(await main(['offsets', '--url', server.url, '--database', 'other_test', '--config', cfg, '--dry-run'], io)).toBe(0);
    expect(io.err.join('')).toBe('');
    expect(io.out.join('')).toMatch(/^ALTER TABLE `other_test`/m);
  });

  it('never lowers a counter', () => {
    const t = { name: 'message_threads', engine: 'InnoDB', rowsEstimate: 0n, dataBytes: 0n, indexBytes: 0n, autoIncrement: 1n << 60n, primaryKey: ['id'], columns: [{ name: 'id', columnType: 'bigint(20)', dataType: 'bigint' as const, unsigned: false, zerofill: false, nullable: false, autoIncrement: true }], indexes: [], foreignKeys: [], triggers: 0, maxValues: {} };
    expect(planOffsets({ name: 'x_test', tables: [t] }).changes).toEqual([]);
  });
});
