/**
 * Vitess fleets without Vitess: what headroom reads is MySQL. One throwaway
 * server holds the unsharded `commerce` keyspace (vt_commerce, sequence tables),
 * two stand in for the shards of the sharded `customer` keyspace (vt_customer).
 * VSchemas are written exactly as `vtctldclient GetVSchema` prints them (protojson with every unset
 * field: null, [], {}, 0), generated from the fixtures through the proto field list
 * (test/support/protojson.ts); one run reads a `GetSrvVSchema` file instead and must scan the same.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, scan, planWidenings, collectSnapshot, runChecks } from '../../src/index.js';
import type { Inventory, Report } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { fixtureSql } from '../support/fixtures.js';
import { getSrvVSchemaText, getVSchemaText } from '../support/protojson.js';
import { checkCommandLine } from '../support/tool-flags.js';
import { renderRunbooks } from '../../src/runbook/runbook.js';
import { startFleet, type TestServer } from '../support/mariadb.js';

const VSCHEMA_DIR = fileURLToPath(new URL('../../fixtures/vitess/', import.meta.url));
let servers: TestServer[] = [];
let inventory: Inventory;
let report: Report;
let dir_: string;
let yaml_: string;

beforeAll(async () => {
  servers = await startFleet(3, { namePrefix: 'vt' });
  const [commerce, s80, s80plus] = servers as [TestServer, TestServer, TestServer];
  await commerce.sql(`CREATE DATABASE vt_commerce; USE vt_commerce; ${fixtureSql('vitess-commerce.sql')}`);
  for (const s of [s80, s80plus]) await s.sql(`CREATE DATABASE vt_customer; USE vt_customer; ${fixtureSql('vitess-customer.sql')}`);
  // A widening that finished on one shard only.
  await s80plus.sql('ALTER TABLE vt_customer.product MODIFY product_id BIGINT NOT NULL');
  const dir = mkdtempSync(join(tmpdir(), 'headroom-vitess-'));
  dir_ = dir;
  const fixture = (name: string) => JSON.parse(readFileSync(join(VSCHEMA_DIR, name), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'commerce.json'), getVSchemaText(fixture('commerce.json')));
  writeFileSync(join(dir, 'customer.json'), getVSchemaText(fixture('customer.json')));
  writeFileSync(join(dir, 'srv.json'), getSrvVSchemaText({ commerce: fixture('commerce.json'), customer: fixture('customer.json') }));
  const yaml = `
shards:
  - { name: commerce-0, host: 127.0.0.1, port: ${commerce.port} }
  - { name: customer-80, host: 127.0.0.1, port: ${s80.port} }
  - { name: customer-80plus, host: 127.0.0.1, port: ${s80plus.port} }
defaults: { user: root }
relationships:
  - column: corder.customer_id
    references: customer.customer_id
vitess:
  keyspaces:
    - name: commerce
      vschema: commerce.json
      shards: [commerce-0]
    - name: customer
      vschema: customer.json
      shards: [customer-80, customer-80plus]
`;
  yaml_ = yaml;
  writeFileSync(join(dir, 'headroom.yaml'), yaml);
  inventory = await loadInventory(join(dir, 'headroom.yaml'), {});
  report = await scan(inventory);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const find = (id: string) => report.findings.find((f) => f.id === id);

describe('VSchemas as vtctldclient prints them', () => {
  it('the printed GetVSchema files (nulls included) are read; a GetSrvVSchema file for every keyspace scans the same', async () => {
    expect(readFileSync(join(dir_, 'customer.json'), 'utf8')).toContain('"multi_tenant_spec": null');
    writeFileSync(join(dir_, 'srv.yaml'), yaml_.replace('vschema: commerce.json', 'vschema: srv.json').replace('vschema: customer.json', 'vschema: srv.json'));
    const srv = await scan(await loadInventory(join(dir_, 'srv.yaml'), {}));
    const strip = (r: Report) => JSON.stringify(r.findings, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    // The evidence names the config file, which differs by name only.
    expect(strip(srv).replaceAll('srv.yaml', 'headroom.yaml')).toBe(strip(report));
    expect(srv.findings.length).toBeGreaterThan(5);
  });
});

describe('Vitess global sequences', () => {
  it('reads every shard', () => {
    expect(report.errors).toEqual([]);
  });

  it('a sequence near the INT max is one finding naming every shard of the keyspace', () => {
    const f = find('sequence-capacity:customer/customer.customer_id')!;
    expect(f).toMatchObject({ severity: 'critical', current: 2000000000n, max: 2147483647n, sequence: { keyspace: 'commerce', table: 'customer_seq' } });
    expect(f.shards).toEqual(['customer-80', 'customer-80plus']);
    // Not also reported per shard by pk-capacity.
    expect(report.findings.filter((x) => x.check === 'pk-capacity' && x.table === 'customer')).toEqual([]);
  });

  it('a cache block that pushes it over the max is critical although the ratio is only a warning', () => {
    const f = find('sequence-capacity:customer/corder.order_id')!;
    expect(f.severity).toBe('critical');
    expect(f.current).toBe(1800000000n);
    expect(f.message).toMatch(/next cache block .* past the max/);
  });

  it('a column already BIGINT on one shard but INT on another: measured against the narrowest, and reported as drift', () => {
    const f = find('sequence-capacity:customer/product.product_id')!;
    expect(f).toMatchObject({ severity: 'critical', shard: 'customer-80', dataType: 'int', max: 2147483647n });
    const drift = find('shard-type-drift:customer/vt_customer/product.product_id')!;
    expect(drift.severity).toBe('warning');
    expect(drift.message).toMatch(/int on customer-80, bigint on customer-80plus/);
  });

  it('a shard-local AUTO_INCREMENT on a sharded table is reported on every shard', () => {
    expect(report.findings.filter((f) => f.check === 'vitess-local-auto-increment').map((f) => f.shard).sort()).toEqual(['customer-80', 'customer-80plus']);
  });

  it('a sequence named but not declared, and a sequence without its row, are critical', () => {
    expect(find('sequence-capacity:customer/ghost.ghost_id')!.message).toMatch(/no keyspace's VSchema declares/);
    expect(find('sequence-capacity:customer/emptyseq_t.id')!.message).toMatch(/no row with id = 0/);
  });

  it('a column referencing the sequence-backed key is measured against the sequence, on every shard', () => {
    const refs = report.findings.filter((f) => f.check === 'fk-capacity' && f.table === 'corder' && f.column === 'customer_id');
    expect(refs.map((f) => f.shard).sort()).toEqual(['customer-80', 'customer-80plus']);
    expect(refs.every((f) => f.current === 2000000000n && f.severity === 'critical')).toBe(true);
  });

  it('nothing else is reported', () => {
    expect(report.findings.map((f) => f.check).sort()).toEqual([
      'fk-capacity',
      'fk-capacity',
      'sequence-capacity',
      'sequence-capacity',
      'sequence-capacity',
      'sequence-capacity',
      'sequence-capacity',
      'shard-type-drift',
      'vitess-local-auto-increment',
      'vitess-local-auto-increment',
    ]);
  });

  it('the plan widens the sequence-backed key on every shard of the keyspace', async () => {
    const snapshot = await collectSnapshot(inventory);
    const r = runChecks(snapshot, inventory);
    const plan = planWidenings(r.findings, snapshot, inventory, { policy: { ...inventory.policy, tools: ['vitess', 'pt-online-schema-change'] }, finding: 'sequence-capacity:customer/customer.customer_id' });
    expect(plan.plans.map((p) => p.shard).sort()).toEqual(['customer-80', 'customer-80plus']);
    for (const p of plan.plans) {
      const copy = p.steps.find((s) => s.kind === 'copy' && s.table === 'customer')!;
      expect(copy.tool).toBe('vitess');
      expect(p.warnings.join(' ')).toMatch(/every shard/);
    }
    // ApplySchema runs on every shard of the keyspace: submitted once.
    const applies = plan.plans.flatMap((p) => p.steps.flatMap((s) => s.commands)).filter((c) => / ApplySchema /.test(c));
    // One per table of the group (customer, and corder whose customer_id references it), not one per shard.
    expect(applies).toHaveLength(2);
    expect(new Set(applies).size).toBe(2);
    expect(applies.some((a) => /--sql 'ALTER TABLE `customer` MODIFY `customer_id` BIGINT NOT NULL' customer$/.test(a))).toBe(true);
  });
});

describe('references the VSchema tells', () => {
  it('without relationships:, corder.customer_id is found through the VSchema (sharded by hash on customer_id, like the sequence-backed customer.customer_id)', async () => {
    writeFileSync(join(dir_, 'novschema-rel.yaml'), yaml_.replace(/relationships:\n  - column: corder\.customer_id\n    references: customer\.customer_id\n/, ''));
    const r = await scan(await loadInventory(join(dir_, 'novschema-rel.yaml'), {}));
    const refs = r.findings.filter((f) => f.check === 'fk-capacity' && f.table === 'corder' && f.column === 'customer_id');
    expect(refs.map((f) => `${f.shard} ${f.relationSource} ${f.current}`).sort()).toEqual(['customer-80 vschema 2000000000', 'customer-80plus vschema 2000000000']);
    expect(refs[0]!.evidence).toMatch(/^customer\.corder is sharded by vindex hash\(customer_id\), like customer\.customer_id/);
  });
});

describe('broken sequences are repaired, not widened: the repair runbooks executed', () => {
  // Keyspaces of their own on the same servers: repair_seqs (unsharded, on commerce-0) and repair (sharded).
  let repairYaml: string;
  const SEQ_DB = 'vt_repair_seqs';
  beforeAll(async () => {
    const [commerce, s80, s80plus] = servers as [TestServer, TestServer, TestServer];
    await commerce.sql(`CREATE DATABASE ${SEQ_DB}; USE ${SEQ_DB};
      CREATE TABLE zero_seq (id BIGINT, next_id BIGINT, cache BIGINT, PRIMARY KEY (id)) COMMENT 'vitess_sequence';
      INSERT INTO zero_seq VALUES (0, 101, 0);
      CREATE TABLE behind_seq (id BIGINT, next_id BIGINT, cache BIGINT, PRIMARY KEY (id)) COMMENT 'vitess_sequence';
      INSERT INTO behind_seq VALUES (0, 50, 100);
      CREATE TABLE norow_seq (id BIGINT, next_id BIGINT, cache BIGINT, PRIMARY KEY (id)) COMMENT 'vitess_sequence';`);
    for (const s of [s80, s80plus]) {
      await s.sql(`CREATE DATABASE vt_repair; USE vt_repair;
        CREATE TABLE cachezero_t (id BIGINT NOT NULL PRIMARY KEY);
        CREATE TABLE behind_t (id BIGINT NOT NULL PRIMARY KEY);
        CREATE TABLE norow_t (id BIGINT NOT NULL PRIMARY KEY);
        CREATE TABLE lost_t (id BIGINT NOT NULL PRIMARY KEY);`);
    }
    // Shard 80plus already holds ids up to 80 in behind_t: the sequence's next id, 50, collides.
    await s80plus.sql('INSERT INTO vt_repair.behind_t VALUES (10), (80); INSERT INTO vt_repair.norow_t VALUES (7);');
    const seqs = { tables: { zero_seq: { type: 'sequence' }, behind_seq: { type: 'sequence' }, norow_seq: { type: 'sequence' } } };
    const repair = {
      sharded: true,
      vindexes: { hash: { type: 'hash' } },
      tables: Object.fromEntries(
        [['cachezero_t', 'zero_seq'], ['behind_t', 'behind_seq'], ['norow_t', 'norow_seq'], ['lost_t', 'lost_seq']].map(([t, seq]) => [
          t,
          { column_vindexes: [{ column: 'id', name: 'hash' }], auto_increment: { column: 'id', sequence: seq } },
        ]),
      ),
    };
    writeFileSync(join(dir_, 'repair_seqs.json'), getVSchemaText(seqs));
    writeFileSync(join(dir_, 'repair.json'), getVSchemaText(repair));
    repairYaml = join(dir_, 'repair.yaml');
    writeFileSync(
      repairYaml,
      yaml_.replace(/vitess:[\s\S]*$/, '') +
        `policy: { migrationUser: root }
vitess:
  vtctld: vtctld.internal:15999
  keyspaces:
    - { name: repair_seqs, vschema: repair_seqs.json, shards: [commerce-0] }
    - { name: repair, vschema: repair.json, shards: [customer-80, customer-80plus] }
`,
    );
  }, 60_000);

  it('each problem is its own critical finding, and its plan is the repair (no widening)', async () => {
    const inv = await loadInventory(repairYaml, {});
    const r = await scan(inv);
    const problems = Object.fromEntries(r.findings.filter((f) => f.check === 'sequence-capacity').map((f) => [f.table, f.sequenceProblem]));
    expect(problems).toEqual({ cachezero_t: 'bad-cache', behind_t: 'behind-data', norow_t: 'missing-row', lost_t: 'undeclared' });
    const snap = await collectSnapshot(inv);
    const plan = planWidenings(r.findings, snap, inv, { policy: inv.policy });
    const fixes = plan.plans.filter((p) => p.kind === 'sequence-fix');
    expect(fixes.map((p) => `${p.key.table}:${p.fix!.problem}:${p.fix!.nextId}`).sort()).toEqual(['behind_t:behind-data:81', 'cachezero_t:bad-cache:101', 'lost_t:undeclared:1', 'norow_t:missing-row:8']);
    // No widening of any of these columns.
    expect(plan.plans.filter((p) => p.kind !== 'sequence-fix' && ['cachezero_t', 'behind_t', 'norow_t', 'lost_t'].includes(p.key.table))).toEqual([]);
    const lost = fixes.find((p) => p.key.table === 'lost_t')!;
    const vt = lost.steps.flatMap((s) => s.commands).filter((c) => c.startsWith('vtctldclient'));
    expect(vt).toHaveLength(3); // create the table, ApplyVSchema --dry-run, ApplyVSchema
    for (const c of vt) expect(checkCommandLine('vtctldclient', c), c).toEqual([]);
    expect(vt[0]).toContain("ApplySchema --ddl-strategy direct --sql 'CREATE TABLE `lost_seq`");
    expect(vt[2]).toBe("vtctldclient --server vtctld.internal:15999 ApplyVSchema --sql 'alter vschema add sequence lost_seq' repair_seqs");
  });

  it('the SQL steps of the runbooks, run as written on the sequence shard, repair them: the rescan is clean for those keys', async () => {
    const inv = await loadInventory(repairYaml, {});
    const r = await scan(inv);
    const snap = await collectSnapshot(inv);
    const plan = planWidenings(r.findings, snap, inv, { policy: inv.policy });
    const connections = new Map(inv.shards.map((s) => [s.name, { host: s.host, port: s.port, user: 'root' }]));
    const files = renderRunbooks(
      { ...plan, plans: plan.plans.filter((p) => p.kind === 'sequence-fix' && p.key.table !== 'lost_t') },
      { findings: r.findings, policy: inv.policy, scanCommand: 'headroom scan --config repair.yaml', connections },
    );
    expect(files).toHaveLength(3);
    const commerce = servers[0]!;
    for (const f of files) {
      expect(f.content).toContain('**Why not widen:**');
      const section = f.content.slice(f.content.indexOf('\n## 4. Steps'), f.content.indexOf('\n## 5. '));
      const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
      expect(blocks.length).toBeGreaterThan(0);
      expect(section).toContain(`mysql -h 127.0.0.1 -P ${commerce.port} -u root`);
      for (const b of blocks) await commerce.sql(b);
    }
    const rows = (await commerce.sql(`SELECT 'zero' AS s, next_id, cache FROM ${SEQ_DB}.zero_seq WHERE id = 0 UNION ALL SELECT 'behind', next_id, cache FROM ${SEQ_DB}.behind_seq WHERE id = 0 UNION ALL SELECT 'norow', next_id, cache FROM ${SEQ_DB}.norow_seq WHERE id = 0`)) as { s: string; next_id: unknown; cache: unknown }[];
    expect(rows.map((x) => `${x.s} ${x.next_id} ${x.cache}`)).toEqual(['zero 101 1000', 'behind 81 100', 'norow 8 1000']);
    const again = await scan(inv);
    expect(again.findings.filter((f) => f.check === 'sequence-capacity').map((f) => f.table)).toEqual(['lost_t']);
  });
});
