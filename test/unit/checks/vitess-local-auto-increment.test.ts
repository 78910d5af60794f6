/**
 * vitess-local-auto-increment (src/checks/vitess-local-auto-increment.ts): a table of a SHARDED
 * keyspace whose key is MySQL AUTO_INCREMENT counts on each shard by itself, so the same id is
 * handed out on several shards. Pure: snapshots from the builders, the `vitess:` block built here.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/run.js';
import { vitessLocalAutoIncrement } from '../../../src/checks/vitess-local-auto-increment.js';
import type { Finding, Snapshot } from '../../../src/model/types.js';
import type { VSchema } from '../../../src/vitess/config.js';
import { config, db, keyspace, planOf, runFleetCheck, sequenceTable, shard, snapshot, table, vitessConfig } from '../builders.js';

/** vt_customer.events on s1 and s2: `id` is AUTO_INCREMENT, next id 42 on s1, 7 on s2. */
function fleet(): Snapshot {
  return snapshot(
    shard('s1', db('vt_customer', table('events', { id: 'bigint auto' }, { autoIncrement: 42n }), table('customers', { id: 'bigint' }))),
    shard('s2', db('vt_customer', table('events', { id: 'bigint auto' }, { autoIncrement: 7n }), table('customers', { id: 'bigint' }))),
  );
}
const SHARDED: VSchema = { sharded: true, tables: { events: {}, customers: {} } };
const check = (snap: Snapshot, vschema: VSchema = SHARDED, shards = ['s1', 's2']) =>
  runFleetCheck(vitessLocalAutoIncrement, snap, config({ vitess: vitessConfig(keyspace('customer', shards, vschema)) }));

describe('vitess-local-auto-increment on a sharded keyspace', () => {
  it('reports the AUTO_INCREMENT key once per shard', () => {
    const findings = check(fleet());
    expect(findings).toEqual<Finding[]>([
      {
        id: 'vitess-local-auto-increment:s1/vt_customer/events.id',
        check: 'vitess-local-auto-increment',
        severity: 'warning',
        shard: 's1',
        database: 'vt_customer',
        table: 'events',
        column: 'id',
        dataType: 'bigint',
        unsigned: false,
        max: 9223372036854775807n,
        current: 41n,
        ratio: null,
        message:
          'customer.events.id is AUTO_INCREMENT on shard s1 of sharded keyspace customer: each shard counts on its own, so ids repeat across shards. ' +
          'Back it with a Vitess sequence (VSchema auto_increment) instead.',
      },
      {
        id: 'vitess-local-auto-increment:s2/vt_customer/events.id',
        check: 'vitess-local-auto-increment',
        severity: 'warning',
        shard: 's2',
        database: 'vt_customer',
        table: 'events',
        column: 'id',
        dataType: 'bigint',
        unsigned: false,
        max: 9223372036854775807n,
        current: 6n,
        ratio: null,
        message:
          'customer.events.id is AUTO_INCREMENT on shard s2 of sharded keyspace customer: each shard counts on its own, so ids repeat across shards. ' +
          'Back it with a Vitess sequence (VSchema auto_increment) instead.',
      },
    ]);
  });

  it('with a VSchema auto_increment too, it says to drop AUTO_INCREMENT from the MySQL column', () => {
    const vschema: VSchema = { sharded: true, tables: { events: { auto_increment: { column: 'id', sequence: 'commerce.events_seq' } } } };
    const [f] = check(fleet(), vschema);
    expect(f!.message).toBe(
      'customer.events.id is AUTO_INCREMENT on shard s1 of sharded keyspace customer: each shard counts on its own, so ids repeat across shards ' +
        '(the VSchema also names sequence commerce.events_seq; drop AUTO_INCREMENT from the MySQL column).',
    );
  });

  it('reports a table the VSchema does not list (it is on the shards all the same)', () => {
    expect(check(fleet(), { sharded: true }).map((f) => f.shard)).toEqual(['s1', 's2']);
  });

  it('the AUTO_INCREMENT column need not be the primary key', () => {
    const snap = snapshot(shard('s1', db('vt_customer', table('logs', { tenant_id: 'int', seq: 'int auto' }, { primaryKey: ['tenant_id', 'seq'], autoIncrement: 100n }))));
    expect(check(snap, SHARDED, ['s1'])).toMatchObject([{ table: 'logs', column: 'seq', dataType: 'int', max: 2147483647n, current: 99n }]);
  });

  it('a counter not known (NULL) gives current: null', () => {
    const snap = snapshot(shard('s1', db('vt_customer', table('events', { id: 'int unsigned auto' }, { autoIncrement: null }))));
    expect(check(snap, SHARDED, ['s1'])).toMatchObject([{ current: null, dataType: 'int', unsigned: true, max: 4294967295n }]);
  });

  it('tables without AUTO_INCREMENT are not reported', () => {
    const snap = snapshot(shard('s1', db('vt_customer', table('customers', { id: 'bigint' }, { max: { id: 5n } }))));
    expect(check(snap, SHARDED, ['s1'])).toEqual([]);
  });

  it('only the keyspace\'s shards and its database are looked at', () => {
    const snap = snapshot(
      shard('s1', db('vt_customer', table('customers', { id: 'bigint' })), db('other', table('events', { id: 'bigint auto' }, { autoIncrement: 2n }))),
      shard('elsewhere', db('vt_customer', table('events', { id: 'bigint auto' }, { autoIncrement: 2n }))),
    );
    expect(check(snap, SHARDED, ['s1'])).toEqual([]);
  });
});

describe('vitess-local-auto-increment on an unsharded keyspace', () => {
  it('reports nothing when `sharded` is false or absent: one primary counts for the keyspace', () => {
    expect(check(fleet(), { sharded: false, tables: { events: {} } })).toEqual([]);
    expect(check(fleet(), { tables: { events: {} } })).toEqual([]);
    expect(check(fleet(), {})).toEqual([]);
  });

  it('sequence tables and AUTO_INCREMENT tables of the unsharded keyspace are fine', () => {
    const snap = snapshot(shard('c0', db('vt_commerce', sequenceTable('events_seq', 5n), table('products', { id: 'int auto' }, { autoIncrement: 10n }))));
    const cfg = config({ vitess: vitessConfig(keyspace('commerce', ['c0'], { tables: { events_seq: { type: 'sequence' }, products: {} } })) });
    expect(runFleetCheck(vitessLocalAutoIncrement, snap, cfg)).toEqual([]);
  });
});

describe('vitess-local-auto-increment elsewhere', () => {
  it('reports nothing without a `vitess:` block, and nothing from the per-shard run()', () => {
    expect(runFleetCheck(vitessLocalAutoIncrement, fleet(), config())).toEqual([]);
    expect(runChecks(fleet(), config(), [vitessLocalAutoIncrement]).findings).toEqual([]);
  });

  it('runs in scan and lint (it needs the schema only)', () => {
    expect(vitessLocalAutoIncrement.schemaOnly).toBe(true);
  });

  it('is not planned: widening does not fix ids that repeat across shards', () => {
    const cfg = config({ vitess: vitessConfig(keyspace('customer', ['s1', 's2'], SHARDED)) });
    const snap = snapshot(
      shard('s1', db('vt_customer', table('events', { id: 'int auto' }, { autoIncrement: 2_000_000_000n }))),
      shard('s2', db('vt_customer', table('events', { id: 'int auto' }, { autoIncrement: 5n }))),
    );
    // pk-capacity still reports the full counter on s1, and only that is planned.
    const plan = planOf(snap, cfg);
    expect(plan.plans.map((p) => [p.id, p.triggeredBy])).toEqual([['s1/vt_customer/events.id', ['pk-capacity:s1/vt_customer/events.id']]]);
  });
});
