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
