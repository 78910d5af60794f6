/**
 * shard-type-drift (src/checks/shard-type-drift.ts): an integer column whose type differs between
 * shards of one Vitess keyspace, usually a widening finished on some shards and not others.
 * Pure: snapshots from the builders, the `vitess:` block built here.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/run.js';
import { shardTypeDrift } from '../../../src/checks/shard-type-drift.js';
import type { Finding, Snapshot } from '../../../src/model/types.js';
import { config, db, keyspace, planOf, runFleetCheck, shard, snapshot, table, vitessConfig } from '../builders.js';

const SHARDED = { sharded: true };
/** vt_customer.orders on shards s1..sN, `amount` of type types[i] on shard s(i+1). */
function fleet(...types: string[]): Snapshot {
  return snapshot(...types.map((t, i) => shard(`s${i + 1}`, db('vt_customer', table('orders', { id: 'bigint', amount: t })))));
}
const check = (snap: Snapshot, shards = snap.shards.map((s) => s.name)) =>
  runFleetCheck(shardTypeDrift, snap, config({ vitess: vitessConfig(keyspace('customer', shards, SHARDED)) }));

describe('shard-type-drift', () => {
  it('a keyspace on one shard has nothing to compare', () => {
    expect(check(fleet('int'))).toEqual([]);
  });

  it('identical types on every shard: nothing, whatever the display width', () => {
    expect(check(fleet('int', 'int', 'int'))).toEqual([]);
    expect(check(fleet('int(11)', 'int'))).toEqual([]);
    expect(check(fleet('bigint(20) unsigned', 'bigint unsigned'))).toEqual([]);
  });

  it('ZEROFILL alone is not drift (it does not change the range)', () => {
    expect(check(fleet('int(10) unsigned zerofill', 'int unsigned'))).toEqual([]);
  });

  it('int on one shard, bigint on another: a warning at the narrowest shard, naming every shard', () => {
    expect(check(fleet('int', 'bigint'))).toEqual<Finding[]>([
      {
        id: 'shard-type-drift:customer/vt_customer/orders.amount',
        check: 'shard-type-drift',
        severity: 'warning',
        shard: 's1',
        database: 'vt_customer',
        table: 'orders',
        column: 'amount',
        dataType: 'int',
        unsigned: false,
        max: 2147483647n,
        current: null,
        ratio: null,
        shards: ['s1', 's2'],
        message:
          'customer.orders.amount differs between shards: int on s1, bigint on s2. ' +
          'A widening that did not finish everywhere? The narrowest shard fails first; finish it on every shard.',
      },
    ]);
  });

  it('the narrowest shard is reported wherever it is in the list', () => {
    const [f] = check(fleet('bigint', 'bigint', 'int', 'bigint'));
    expect(f).toMatchObject({ shard: 's3', dataType: 'int', shards: ['s1', 's2', 's3', 's4'] });
    expect(f!.message).toContain('bigint on s1, bigint on s2, int on s3, bigint on s4.');
  });

  it('signed vs unsigned of the same width: the signed one is narrower', () => {
    const [f, ...rest] = check(fleet('int unsigned', 'int'));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ shard: 's2', dataType: 'int', unsigned: false, max: 2147483647n });
    expect(f!.message).toContain('int unsigned on s1, int on s2.');
  });

  it('three different types: one finding, at the narrowest', () => {
    const [f, ...rest] = check(fleet('int', 'mediumint', 'bigint'));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ shard: 's2', dataType: 'mediumint', max: 8388607n });
  });

  it('every column of every table is compared, each reported once', () => {
    const snap = snapshot(
      shard('s1', db('vt_customer', table('orders', { id: 'int', customer_id: 'int' }), table('items', { id: 'bigint', order_id: 'int' }))),
      shard('s2', db('vt_customer', table('orders', { id: 'bigint', customer_id: 'int' }), table('items', { id: 'bigint', order_id: 'bigint' }))),
    );
    expect(check(snap).map((f) => `${f.table}.${f.column}@${f.shard}`)).toEqual(['orders.id@s1', 'items.order_id@s1']);
  });

  it('a table or column missing on some shards is not drift', () => {
    const snap = snapshot(
      shard('s1', db('vt_customer', table('orders', { id: 'int', order_id: 'int' }))),
      shard('s2', db('vt_customer', table('orders', { id: 'int' }))),
      shard('s3', db('vt_customer')),
    );
    expect(check(snap)).toEqual([]);
  });

  it('only the keyspace\'s shards and its database are compared', () => {
    const snap = snapshot(
      shard('s1', db('vt_customer', table('orders', { id: 'int' })), db('other', table('orders', { id: 'bigint' }))),
      shard('s2', db('vt_customer', table('orders', { id: 'int' }))),
      shard('elsewhere', db('vt_customer', table('orders', { id: 'bigint' }))),
    );
    expect(check(snap, ['s1', 's2'])).toEqual([]);
  });

  it('each keyspace is compared on its own', () => {
    const snap = snapshot(shard('a1', db('vt_a', table('t', { id: 'int' }))), shard('b1', db('vt_b', table('t', { id: 'bigint' }))));
    const cfg = config({ vitess: vitessConfig(keyspace('a', ['a1'], SHARDED), keyspace('b', ['b1'], SHARDED)) });
    expect(runFleetCheck(shardTypeDrift, snap, cfg)).toEqual([]);
  });

  it('reports nothing without a `vitess:` block, and nothing from the per-shard run()', () => {
    expect(runFleetCheck(shardTypeDrift, fleet('int', 'bigint'), config())).toEqual([]);
    expect(runChecks(fleet('int', 'bigint'), config(), [shardTypeDrift]).findings).toEqual([]);
  });

  it('runs in scan and lint (it needs the schema only)', () => {
    expect(shardTypeDrift.schemaOnly).toBe(true);
  });
});

describe('planning a drifted column', () => {
  it('widens the column on the narrow shard', () => {
    const snap = fleet('int', 'bigint');
    const plan = planOf(snap, config({ vitess: vitessConfig(keyspace('customer', ['s1', 's2'], SHARDED)) }));
    expect(plan.plans.map((p) => [p.id, p.triggeredBy])).toEqual([['s1/vt_customer/orders.amount', ['shard-type-drift:customer/vt_customer/orders.amount']]]);
  });

  // BUG (src/plan/groups.ts:77): a drift finding carries `shards` but no `sequence`, so only its
  // narrowest shard gets a group; another shard still at the old type is left out of the plan.
  it('widens it on every shard still narrower than the widest one', () => {
    const snap = fleet('int', 'int', 'bigint');
    const plan = planOf(snap, config({ vitess: vitessConfig(keyspace('customer', ['s1', 's2', 's3'], SHARDED)) }));
    expect(plan.plans.map((p) => p.shard).sort()).toEqual(['s1', 's2']);
  });
});
