/**
 * sequence-capacity (src/checks/sequence-capacity.ts): a Vitess global sequence against the
 * NARROWEST type of the column it feeds on any shard of the keyspace. Pure: snapshots built
 * with the builders, the `vitess:` block built in the test.
 *
 * The fleet: the unsharded keyspace `commerce` (shard c0, vt_commerce) holds the sequence
 * tables; the sharded keyspace `customer` (shards s1, s2, vt_customer) takes ids from them.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/run.js';
import { sequenceCapacity } from '../../../src/checks/sequence-capacity.js';
import { decimalToFraction } from '../../../src/model/ratio.js';
import type { Finding, ShardSnapshot, Snapshot, Table } from '../../../src/model/types.js';
import { DEFAULT_POLICY } from '../../../src/plan/policy.js';
import type { VSchema } from '../../../src/vitess/config.js';
import { config, configured, db, keyspace, planOf, runFleetCheck, sequenceTable, shard, snapshot, table, vitessConfig } from '../builders.js';

const SEQUENCES: VSchema = { tables: { order_seq: { type: 'sequence' } } };
/** customer.orders.order_id takes its ids from `sequence` (default: the unqualified `order_seq`). */
const customerVSchema = (sequence = 'order_seq'): VSchema => ({
  sharded: true,
  tables: { orders: { auto_increment: { column: 'order_id', sequence } } },
});
const vitess = (sequence?: string, commerce: VSchema = SEQUENCES) =>
  vitessConfig(keyspace('commerce', ['c0'], commerce), keyspace('customer', ['s1', 's2'], customerVSchema(sequence)));

/** `orders.order_id` is `types[i]` on shard s(i+1); the sequence row says next_id, cache. */
function fleet(next: bigint | null, cache: bigint | null, types: [string, string], seq: Table = sequenceTable('order_seq', next, cache)): Snapshot {
  return snapshot(
    shard('c0', db('vt_commerce', seq)),
    shard('s1', db('vt_customer', table('orders', { order_id: types[0] }, { primaryKey: ['order_id'] }))),
    shard('s2', db('vt_customer', table('orders', { order_id: types[1] }, { primaryKey: ['order_id'] }))),
  );
}
const check = (snap: Snapshot, sequence?: string, commerce?: VSchema) => runFleetCheck(sequenceCapacity, snap, config({ vitess: vitess(sequence, commerce) }));
/** The narrowest column is a tinyint unsigned (max 255) on s2; the sequence has handed out ids up to `current`. */
const tiny = (current: bigint, cache: bigint | null = 1n) => check(fleet(current + 1n, cache, ['int', 'tinyint unsigned']));

describe('sequence-capacity thresholds against the narrowest column on any shard (0.70 / 0.85, exact)', () => {
  // 255 × 0.70 = 178.5, 255 × 0.85 = 216.75; s1's int would be far below both.
  it.each([
    [0n, undefined],
    [178n, undefined],
    [179n, 'warning'],
    [216n, 'warning'],
    [217n, 'critical'],
    [254n, 'critical'],
  ] as const)('sequence at %s (next_id − 1) → %s', (current, severity) => {
    expect(tiny(current).map((f) => f.severity)).toEqual(severity ? [severity] : []);
  });

  it('measures next_id − 1, not next_id', () => {
    // next_id 179 → ids up to 178 may be handed out: below the warning threshold.
    expect(check(fleet(179n, 1n, ['int', 'tinyint unsigned']))).toEqual([]);
    expect(check(fleet(180n, 1n, ['int', 'tinyint unsigned']))[0]!.current).toBe(179n);
  });

  it('reports the narrowest shard, whichever position it has', () => {
    expect(tiny(200n)[0]).toMatchObject({ shard: 's2', dataType: 'tinyint', unsigned: true, max: 255n, shards: ['s1', 's2'] });
    const f = check(fleet(2_000_000_001n, 1000n, ['int', 'bigint']))[0]!;
    expect(f).toMatchObject({ shard: 's1', dataType: 'int', max: 2147483647n });
    const g = check(fleet(2_000_000_001n, 1000n, ['bigint', 'int']))[0]!;
    expect(g).toMatchObject({ shard: 's2', dataType: 'int', max: 2147483647n });
  });

  it('a signed column is narrower than an unsigned one of the same width', () => {
    const f = check(fleet(2_000_000_001n, 1000n, ['int unsigned', 'int']))[0]!;
    expect(f).toMatchObject({ shard: 's2', dataType: 'int', unsigned: false, severity: 'critical' });
    // Against int unsigned alone, 2,000,000,000 is 46.6%: nothing.
    expect(check(fleet(2_000_000_001n, 1000n, ['int unsigned', 'int unsigned']))).toEqual([]);
  });

  it('reports nothing once every shard has widened', () => {
    expect(check(fleet(2_000_000_001n, 1000n, ['bigint', 'bigint']))).toEqual([]);
  });

  it('uses the configured thresholds', () => {
    const thresholds = { warning: decimalToFraction('0.5'), critical: decimalToFraction('0.6'), warningText: '0.5', criticalText: '0.6' };
    const cfg = config({ thresholds, vitess: vitess() });
    const at = (current: bigint) => runFleetCheck(sequenceCapacity, fleet(current + 1n, 1n, ['int', 'tinyint unsigned']), cfg).map((f) => f.severity);
    expect(at(127n)).toEqual([]);
    expect(at(128n)).toEqual(['warning']);
    expect(at(153n)).toEqual(['critical']);
  });

  it('does not round at the int boundary (2147483647 × 0.85 = 1825361099.95)', () => {
    const at = (current: bigint) => check(fleet(current + 1n, 1n, ['int', 'bigint'])).map((f) => f.severity);
    expect(at(1825361099n)).toEqual(['warning']);
    expect(at(1825361100n)).toEqual(['critical']);
  });
});

describe('sequence-capacity: the cache block', () => {
  // The primary tablet reserves [next_id, next_id + cache − 1] at once: its last id is next_id − 1 + cache.
  it('a block that would end past the max is critical even at a warning ratio', () => {
    const [f, ...rest] = tiny(180n, 76n); // 180 + 76 = 256 > 255
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('critical');
    expect(f!.current).toBe(180n);
    expect(f!.message).toBe(
      "sequence commerce.order_seq feeds customer.orders.order_id on 2 shards; it is at 180, 70.6% of the narrowest column's max 255 (tinyint unsigned on s2), " +
        'and its next cache block (cache 76) ends at 256, past the max: inserts can fail as soon as that block is reserved (on s2; already wide on s1 (int)).',
    );
  });

  it('a block that ends exactly at the max fits: the ratio decides', () => {
    const [f] = tiny(180n, 75n); // 180 + 75 = 255
    expect(f!.severity).toBe('warning');
    expect(f!.message).not.toMatch(/cache block/);
    expect(f!.message).toMatch(/When it passes, inserts fail on s2, where it is still tinyint unsigned \(already wide on s1 \(int\)\)\.$/);
  });

  it('a block past the max makes even a sequence below the warning ratio critical', () => {
    expect(tiny(10n, 300n).map((f) => f.severity)).toEqual(['critical']);
    expect(tiny(10n, 245n)).toEqual([]); // 10 + 245 = 255
  });

  it('a cache of 0 or NULL is critical whatever the ratio: vttablet refuses it (inserts that need an id fail)', () => {
    for (const cache of [0n, null, -5n]) {
      const [f] = tiny(180n, cache);
      expect(f).toMatchObject({ severity: 'critical', sequenceProblem: 'bad-cache', current: 180n });
      expect(f!.message).toBe(
        `sequence commerce.order_seq has cache ${cache === null ? 'NULL' : String(cache)}: vttablet refuses a cache below 1 ("invalid cache value for sequence"), so every insert into orders that needs an id fails, on every shard.`,
      );
    }
  });

  it('at the int boundary: the block from 1,800,000,000 with cache 400,000,000 ends at 2,200,000,000', () => {
    const [f] = check(fleet(1_800_000_001n, 400_000_000n, ['int', 'int']));
    expect(f).toMatchObject({ severity: 'critical', current: 1_800_000_000n });
    expect(f!.message).toContain('ends at 2,200,000,000, past the max');
    // cache 347,483,647: the block ends at exactly 2,147,483,647 — still a warning (83.8%).
    expect(check(fleet(1_800_000_001n, 347_483_647n, ['int', 'int'])).map((x) => x.severity)).toEqual(['warning']);
    expect(check(fleet(1_800_000_001n, 347_483_648n, ['int', 'int'])).map((x) => x.severity)).toEqual(['critical']);
  });
});

describe('sequence-capacity: a sequence at or past the max', () => {
  it('next_id = max + 1 (ids up to the max are gone): inserts fail now, on every shard', () => {
    const [f] = tiny(255n);
    expect(f).toMatchObject({ severity: 'critical', current: 255n, max: 255n, ratio: 1 });
    expect(f!.message).toBe('sequence commerce.order_seq is at 255, the max 255 of customer.orders.order_id (tinyint unsigned on s2): inserts fail now on s2, where it is still tinyint unsigned (already wide on s1 (int)).');
  });

  it('next_id well past the max: same message, ratio above 1', () => {
    const [f] = tiny(299n, 1000n);
    expect(f).toMatchObject({ severity: 'critical', current: 299n });
    expect(f!.ratio).toBeGreaterThan(1);
    expect(f!.message).toMatch(/inserts fail now on s2, where it is still tinyint unsigned \(already wide on s1 \(int\)\)\.$/);
    expect(f!.message).not.toMatch(/cache block/);
  });

  it('next_id = max (one id left): critical, but not "fail now"', () => {
    const [f] = tiny(254n);
    expect(f).toMatchObject({ severity: 'critical', current: 254n });
    expect(f!.message).not.toMatch(/fail .*now/);
  });

  it('the Intercom shape: a signed INT, a sequence past 2,147,483,647', () => {
    const [f] = check(fleet(2_147_483_649n, 1000n, ['int', 'int']));
    expect(f!.message).toBe('sequence commerce.order_seq is at 2,147,483,648, past the max 2,147,483,647 of customer.orders.order_id (int on s1): inserts fail on all 2 shards now.');
  });
});

describe('sequence-capacity finding', () => {
  it('carries the keyspace, every shard, the sequence and the numbers', () => {
    const findings = check(fleet(2_000_000_001n, 1000n, ['int', 'bigint']));
    expect(findings).toEqual<Finding[]>([
      {
        id: 'sequence-capacity:customer/orders.order_id',
        check: 'sequence-capacity',
        severity: 'critical',
        shard: 's1',
        database: 'vt_customer',
        table: 'orders',
        column: 'order_id',
        dataType: 'int',
        unsigned: false,
        max: 2147483647n,
        current: 2000000000n,
        ratio: 0.931322575,
        shards: ['s1', 's2'],
        sequence: { keyspace: 'commerce', table: 'order_seq' },
        message:
          "sequence commerce.order_seq feeds customer.orders.order_id on 2 shards; it is at 2,000,000,000, 93.1% of the narrowest column's max 2,147,483,647 (int on s1). " +
          'When it passes, inserts fail on s1, where it is still int (already wide on s2 (bigint)).',
      },
    ]);
  });

  it('names only the shards that have the table, and says "1 shard" for one', () => {
    const snap = snapshot(
      shard('c0', db('vt_commerce', sequenceTable('order_seq', 2_000_000_001n, 1000n))),
      shard('s1', db('vt_customer', table('orders', { order_id: 'int' }, { primaryKey: ['order_id'] }))),
      shard('s2', db('vt_customer')),
    );
    const [f] = check(snap);
    expect(f!.shards).toEqual(['s1']);
    expect(f!.message).toContain('on 1 shard;');
  });

  it('ignores shards that are not in the keyspace and databases other than vt_<keyspace>', () => {
    const snap = snapshot(
      shard('c0', db('vt_commerce', sequenceTable('order_seq', 2_000_000_001n, 1000n))),
      shard('s1', db('vt_customer', table('orders', { order_id: 'bigint' }, { primaryKey: ['order_id'] })), db('other', table('orders', { order_id: 'tinyint' }))),
      shard('s2', db('vt_customer', table('orders', { order_id: 'bigint' }, { primaryKey: ['order_id'] }))),
      shard('elsewhere', db('vt_customer', table('orders', { order_id: 'int' }, { primaryKey: ['order_id'] }))),
    );
    expect(check(snap)).toEqual([]);
  });

  it('uses the keyspace\'s own database name when the inventory gives one', () => {
    const cfg = config({
      vitess: vitessConfig(keyspace('commerce', ['c0'], SEQUENCES, 'commerce_db'), keyspace('customer', ['s1'], customerVSchema(), 'customer_db')),
    });
    const snap = snapshot(
      shard('c0', db('commerce_db', sequenceTable('order_seq', 2_000_000_001n, 1000n))),
      shard('s1', db('customer_db', table('orders', { order_id: 'int' }, { primaryKey: ['order_id'] }))),
    );
    expect(runFleetCheck(sequenceCapacity, snap, cfg)).toMatchObject([{ database: 'customer_db', current: 2000000000n, shards: ['s1'] }]);
  });

  it('reports nothing without a `vitess:` block, and nothing from the per-shard run()', () => {
    const snap = fleet(2_000_000_001n, 1000n, ['int', 'int']);
    expect(runFleetCheck(sequenceCapacity, snap, config())).toEqual([]);
    expect(runChecks(snap, config(), [sequenceCapacity]).findings).toEqual([]);
  });

  it('only sharded keyspaces\' auto_increment entries are read', () => {
    const cfg = config({
      vitess: vitessConfig(keyspace('commerce', ['c0'], SEQUENCES), keyspace('customer', ['s1', 's2'], { ...customerVSchema(), sharded: false })),
    });
    expect(runFleetCheck(sequenceCapacity, fleet(2_000_000_001n, 1000n, ['int', 'int']), cfg)).toEqual([]);
  });
});

describe('sequence-capacity: naming the sequence', () => {
  it('an unqualified name finds the sequence in whichever keyspace declares it', () => {
    expect(check(fleet(2_000_000_001n, 1n, ['int', 'int']), 'order_seq')[0]!.sequence).toEqual({ keyspace: 'commerce', table: 'order_seq' });
  });

  it('a qualified `keyspace.seq` name finds it in that keyspace', () => {
    const [f] = check(fleet(2_000_000_001n, 1n, ['int', 'int']), 'commerce.order_seq');
    expect(f).toMatchObject({ severity: 'critical', current: 2000000000n, sequence: { keyspace: 'commerce', table: 'order_seq' } });
    expect(f!.message).toMatch(/^sequence commerce\.order_seq feeds/);
  });

  it('a qualified name in a keyspace that does not declare it is a sequence that does not exist', () => {
    const [f, ...rest] = check(fleet(2_000_000_001n, 1n, ['int', 'int']), 'customer.order_seq');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'critical', current: null, ratio: null, shards: ['s1', 's2'] });
    expect(f!.message).toMatch(/sequence "customer\.order_seq", which no keyspace's VSchema declares/);
  });
});

describe('sequence-capacity: missing and broken sequences (critical: inserts fail on every shard)', () => {
  it('a sequence named in the VSchema but declared nowhere', () => {
    const [f, ...rest] = check(fleet(2n, 1n, ['bigint', 'bigint']), 'ghost_seq');
    expect(rest).toEqual([]);
    expect(f).toEqual<Finding>({
      id: 'sequence-capacity:customer/orders.order_id',
      check: 'sequence-capacity',
      severity: 'critical',
      shard: 's1',
      database: 'vt_customer',
      table: 'orders',
      column: 'order_id',
      dataType: 'bigint',
      unsigned: false,
      max: 9223372036854775807n,
      current: null,
      ratio: null,
      shards: ['s1', 's2'],
      message: 'customer.orders.order_id takes ids from sequence "ghost_seq", which no keyspace\'s VSchema declares as {"type": "sequence"}: inserts into orders fail on every shard.',
      sequenceProblem: 'undeclared',
    });
  });

  it('a table declared as a sequence, but missing on the shards of its keyspace', () => {
    const snap = fleet(null, null, ['bigint', 'bigint']);
    const noSeq = { ...snap, shards: snap.shards.map((s) => (s.name === 'c0' ? shard('c0', db('vt_commerce')) : s)) };
    const [f, ...rest] = check(noSeq);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'critical', current: null, ratio: null, sequence: { keyspace: 'commerce', table: 'order_seq' }, shards: ['s1', 's2'] });
    expect(f!.message).toBe('sequence table commerce.order_seq (for customer.orders.order_id) was not found on the shards of keyspace commerce: inserts into orders fail.');
  });

  it('a sequence table that is on a shard outside its keyspace does not count', () => {
    const snap = snapshot(
      shard('c0', db('vt_commerce')),
      shard('s1', db('vt_customer', table('orders', { order_id: 'bigint' }, { primaryKey: ['order_id'] })), db('vt_commerce', sequenceTable('order_seq', 5n, 1n))),
    );
    expect(check(snap)[0]!.message).toMatch(/was not found on the shards of keyspace commerce/);
  });

  it('a sequence table without rows', () => {
    const [f] = check(fleet(null, null, ['bigint', 'bigint'], sequenceTable('order_seq', null, null, { rows: [] })));
    expect(f).toMatchObject({ severity: 'critical', current: null, ratio: null, sequence: { keyspace: 'commerce', table: 'order_seq' } });
    expect(f!.message).toBe('sequence table commerce.order_seq has no row with id = 0 (vttablet reads only that row): inserts into orders fail on every shard.');
  });

  it('a sequence table whose only row has id <> 0', () => {
    const seq = sequenceTable('order_seq', null, null, { rows: [{ id: 1n, nextId: 2_000_000_001n, cache: 1000n }] });
    const [f] = check(fleet(null, null, ['int', 'int'], seq));
    expect(f).toMatchObject({ severity: 'critical', current: null });
    expect(f!.message).toMatch(/has no row with id = 0/);
  });

  it('the row with id = 0 is the one read, whatever other rows there are', () => {
    const seq = sequenceTable('order_seq', null, null, {
      rows: [
        { id: 1n, nextId: 2n, cache: 1n },
        { id: 0n, nextId: 2_000_000_001n, cache: 1000n },
      ],
    });
    expect(check(fleet(null, null, ['int', 'int'], seq))).toMatchObject([{ severity: 'critical', current: 2000000000n }]);
  });

  it('a sharded table missing on every shard: no finding (nothing was read for it)', () => {
    const snap = snapshot(shard('c0', db('vt_commerce', sequenceTable('order_seq', 2_000_000_001n, 1000n))), shard('s1', db('vt_customer')), shard('s2', db('vt_customer')));
    expect(check(snap)).toEqual([]);
    expect(check(snap, 'ghost_seq')).toEqual([]);
  });

  it('a table whose auto_increment column is missing on every shard: no finding', () => {
    const snap = snapshot(
      shard('c0', db('vt_commerce', sequenceTable('order_seq', 2_000_000_001n, 1000n))),
      shard('s1', db('vt_customer', table('orders', { id: 'int' }))),
    );
    expect(check(snap)).toEqual([]);
  });

  // BUG (src/vitess/sequences.ts:29-30, src/checks/sequence-capacity.ts:63-65): a snapshot whose sequence
  // rows were never read (taken with an inventory without `vitess:`; `sequenceRows` absent) is reported
  // as "no row with id = 0 ... inserts fail on every shard", a false critical.
  it('sequence rows that were never read are not reported as a missing row', () => {
    const seq = sequenceTable('order_seq', null, null, { rows: undefined });
    expect(seq.sequenceRows).toBeUndefined();
    const findings = check(fleet(null, null, ['int', 'int'], seq));
    expect(findings.map((f) => f.message).join('\n')).not.toMatch(/no row with id = 0/);
  });

  // BUG (src/vitess/sequences.ts:24-28 + src/checks/sequence-capacity.ts:59-61): when the shard holding the
  // sequence keyspace could not be read (it is in snapshot.errors), the table is reported as "not found"
  // with "inserts into orders fail" — a false critical; the shard error already says why nothing was read.
  it('a sequence keyspace whose shard could not be read is not reported as "not found"', () => {
    const snap = fleet(2_000_000_001n, 1000n, ['int', 'int']);
    const unread: Snapshot = { ...snap, shards: snap.shards.filter((s) => s.name !== 'c0'), errors: [{ shard: 'c0', message: 'connect ECONNREFUSED' }] };
    expect(check(unread).map((f) => f.message).join('\n')).not.toMatch(/was not found/);
  });

  // BUG (src/vitess/sequences.ts:30, src/checks/sequence-capacity.ts:63): a row with id = 0 but next_id NULL
  // is reported as "has no row with id = 0"; the row is there, its next_id is NULL.
  it('a row with id = 0 and next_id NULL is not called a missing row', () => {
    const seq = sequenceTable('order_seq', null, 1000n);
    const [f] = check(fleet(null, null, ['int', 'int'], seq));
    expect(f!.severity).toBe('critical');
    expect(f!.message).not.toMatch(/no row with id = 0/);
  });
});

describe('sequence-capacity with the other checks (runChecks)', () => {
  /** customers.id takes ids from commerce.customer_seq; orders.customer_id references it. */
  function customersFleet(opts: { next: bigint; s1: ShardSnapshot['databases']; s2: ShardSnapshot['databases'] }): Snapshot {
    return snapshot(
      shard('c0', db('vt_commerce', sequenceTable('customer_seq', opts.next, 1000n))),
      { ...shard('s1'), databases: opts.s1 },
      { ...shard('s2'), databases: opts.s2 },
    );
  }
  const customersVitess = vitessConfig(
    keyspace('commerce', ['c0'], { tables: { customer_seq: { type: 'sequence' } } }),
    keyspace('customer', ['s1', 's2'], { sharded: true, tables: { customers: { auto_increment: { column: 'id', sequence: 'commerce.customer_seq' } } } }),
  );

  it('pk-capacity does not also report a sequence-backed key, even with a local MAX() near the max', () => {
    const snap = customersFleet({
      next: 2_000_000_001n,
      s1: [db('vt_customer', table('customers', { id: 'int' }, { max: { id: 1_999_000_000n } }))],
      s2: [db('vt_customer', table('customers', { id: 'int' }, { max: { id: 1_999_500_000n } }))],
    });
    const report = runChecks(snap, config({ vitess: customersVitess }));
    expect(report.findings.map((f) => f.check)).toEqual(['sequence-capacity']);
    // Without the vitess block, each shard's MAX() is pk-capacity's.
    expect(runChecks(snap, config()).findings.map((f) => `${f.check}:${f.shard}`)).toEqual(['pk-capacity:s2', 'pk-capacity:s1']);
  });

  it('pk-capacity still reports the other keys of the keyspace (application-assigned ids)', () => {
    const snap = customersFleet({
      next: 2n,
      s1: [db('vt_customer', table('customers', { id: 'int' }), table('flags', { id: 'tinyint unsigned' }, { max: { id: 250n } }))],
      s2: [db('vt_customer', table('customers', { id: 'int' }))],
    });
    expect(runChecks(snap, config({ vitess: customersVitess })).findings).toMatchObject([{ check: 'pk-capacity', table: 'flags', shard: 's1' }]);
  });

  it('fk-capacity measures a referencing column on any shard against the sequence', () => {
    const snap = customersFleet({
      next: 2_000_000_001n,
      // The key has no counter and no MAX() of its own: only the sequence knows how far it got.
      s1: [db('vt_customer', table('customers', { id: 'bigint' }), table('orders', { id: 'bigint', customer_id: 'int' }))],
      s2: [db('vt_customer', table('customers', { id: 'bigint' }), table('invoices', { id: 'bigint', buyer: 'int' }), table('refunds', { id: 'bigint', customer_id: 'int' }, { fks: { customer_id: 'customers.id' } }))],
    });
    const cfg = config({ vitess: customersVitess, relationships: [configured('invoices.buyer', 'customers.id')] });
    const fk = runChecks(snap, cfg).findings.filter((f) => f.check === 'fk-capacity');
    expect(fk.map((f) => [f.shard, `${f.table}.${f.column}`, f.relationSource, f.current, f.severity]).sort()).toEqual([
      ['s1', 'orders.customer_id', 'inferred', 2000000000n, 'critical'],
      ['s2', 'invoices.buyer', 'configured', 2000000000n, 'critical'],
      ['s2', 'refunds.customer_id', 'declared', 2000000000n, 'critical'],
    ]);
    // The number is the sequence's, and the message says so.
    expect(fk[0]!.message).toMatch(/stores ids of customers\.id \(bigint, .*\), which is at 2,000,000,000 \(from sequence commerce\.customer_seq: next id 2,000,000,001\): 93\.1% of this column's max/);
    // The key itself is bigint everywhere: no sequence-capacity finding.
    expect(runChecks(snap, cfg).findings.filter((f) => f.check === 'sequence-capacity')).toEqual([]);
    // Without the vitess block the key's current value is unknown, so nothing is measured.
    expect(runChecks(snap, config({ relationships: cfg.relationships })).findings.filter((f) => f.check === 'fk-capacity')).toEqual([]);
  });

  it('fk-capacity takes the sequence when it is ahead of a shard\'s own MAX()', () => {
    const snap = customersFleet({
      next: 2_000_000_001n,
      s1: [db('vt_customer', table('customers', { id: 'bigint' }, { max: { id: 10n } }), table('orders', { id: 'bigint', customer_id: 'int' }))],
      s2: [db('vt_customer', table('customers', { id: 'bigint' }, { max: { id: 20n } }), table('orders', { id: 'bigint', customer_id: 'int' }))],
    });
    const fk = runChecks(snap, config({ vitess: customersVitess })).findings.filter((f) => f.check === 'fk-capacity');
    expect(fk.map((f) => [f.shard, f.current])).toEqual([
      ['s1', 2000000000n],
      ['s2', 2000000000n],
    ]);
  });

  it('the report orders sequence findings with the rest (worst first)', () => {
    const snap = customersFleet({
      next: 2_100_000_001n,
      s1: [db('vt_customer', table('customers', { id: 'int' }), table('flags', { id: 'tinyint unsigned' }, { max: { id: 189n } }))],
      s2: [db('vt_customer', table('customers', { id: 'int' }))],
    });
    expect(runChecks(snap, config({ vitess: customersVitess })).findings.map((f) => `${f.severity}:${f.check}`)).toEqual(['critical:sequence-capacity', 'warning:pk-capacity']);
  });
});

describe('planning a sequence-backed key', () => {
  const vtPolicy = { ...DEFAULT_POLICY, tools: ['vitess', 'pt-online-schema-change'] as typeof DEFAULT_POLICY.tools };
  const threeShards = (types: [string, string, string]) => {
    const cfg = config({ vitess: vitessConfig(keyspace('commerce', ['c0'], SEQUENCES), keyspace('customer', ['s1', 's2', 's3'], customerVSchema())) });
    const snap = snapshot(
      shard('c0', db('vt_commerce', sequenceTable('order_seq', 2_000_000_001n, 1000n))),
      ...types.map((t, i) => shard(`s${i + 1}`, db('vt_customer', table('orders', { order_id: t }, { primaryKey: ['order_id'], rows: 1000n })))),
    );
    return { cfg, snap };
  };

  it('one group per shard of the keyspace, each with the every-shard warning', () => {
    const { cfg, snap } = threeShards(['int', 'int', 'int']);
    const plan = planOf(snap, cfg, { policy: vtPolicy });
    expect(plan.plans.map((p) => p.id)).toEqual(['s1/vt_customer/orders.order_id', 's2/vt_customer/orders.order_id', 's3/vt_customer/orders.order_id']);
    for (const p of plan.plans) {
      expect(p.triggeredBy).toEqual(['sequence-capacity:customer/orders.order_id']);
      expect(p.warnings.join(' ')).toMatch(/Vitess sequence commerce\.order_seq, shared by every shard of keyspace customer: widen it on every shard before the sequence passes the old max/);
      const copy = p.steps.find((s) => s.kind === 'copy')!;
      expect(copy.tool).toBe('vitess');
    }
    // One keyspace-wide migration, carried by the first shard's group.
    expect(plan.plans[0]!.steps.find((s) => s.kind === 'copy')!.commands[0]).toMatch(
      /^vtctldclient --server '<vtctld host:port>' ApplySchema --ddl-strategy 'vitess --postpone-completion' --uuid [0-9a-f_]{36} --sql 'ALTER TABLE `orders` MODIFY `order_id` BIGINT NOT NULL' customer$/,
    );
  });

  // BUG (src/plan/groups.ts:77, src/plan/plan.ts:193-205): the group is built on every shard of the finding,
  // including a shard where the column is already BIGINT; that shard's plan is BLOCKED with "already
  // bigint ... widening cannot help — the key needs a new scheme" although nothing is wrong there.
  it('a shard where the column is already BIGINT is not reported as blocked', () => {
    const { cfg, snap } = threeShards(['int', 'bigint', 'int']);
    const plan = planOf(snap, cfg, { policy: vtPolicy });
    expect(plan.plans.filter((p) => p.blocked.length > 0).map((p) => p.id)).toEqual([]);
  });

  // BUG (src/plan/plan.ts:159 + 261-262, src/plan/commands.ts:162): `vtctldclient ApplySchema <keyspace>`
  // runs the migration on EVERY shard of the keyspace, yet it is emitted once per shard's group, so
  // following the plan submits the same keyspace-wide migration N times.
  it('the keyspace-wide Vitess migration is submitted once, not once per shard', () => {
    const { cfg, snap } = threeShards(['int', 'int', 'int']);
    const plan = planOf(snap, cfg, { policy: vtPolicy });
    const applies = plan.plans.flatMap((p) => p.steps.flatMap((s) => s.commands)).filter((c) => / ApplySchema /.test(c));
    expect(applies).toHaveLength(1);
  });

  it('with gh-ost, each shard gets its own run against its own server', () => {
    const { cfg, snap } = threeShards(['int', 'int', 'int']);
    const plan = planOf(snap, cfg, { policy: { ...DEFAULT_POLICY, tools: ['gh-ost'] }, connections: new Map(['s1', 's2', 's3'].map((s) => [s, { host: `${s}.db`, port: 3306, user: 'headroom' }])) });
    const runs = plan.plans.map((p) => p.steps.find((s) => s.kind === 'copy')!.commands.find((c) => c.includes('--execute'))!);
    expect(runs.map((c) => /--host=(\S+)/.exec(c)![1])).toEqual(['s1.db', 's2.db', 's3.db']);
    for (const p of plan.plans) expect(p.warnings.join(' ')).toMatch(/with per-shard gh-ost or pt-online-schema-change runs, every run must have cut over in time/);
  });

  // BUG (src/plan/commands.ts, ghostCommands): the postpone-cut-over flag file is named after database and
  // table only (/tmp/ghost.postpone.vt_customer.orders.flag), and every shard of a keyspace has the same
  // database, so per-shard gh-ost runs started from one host share it: `rm` for one shard cuts over all of
  // them. (gh-ost's default --serve-socket-file, /tmp/gh-ost.<db>.<table>.sock, collides the same way.)
  it('per-shard gh-ost runs use distinct postpone flag files', () => {
    const { cfg, snap } = threeShards(['int', 'int', 'int']);
    const plan = planOf(snap, cfg, { policy: { ...DEFAULT_POLICY, tools: ['gh-ost'] } });
    const flags = plan.plans.map((p) => /--postpone-cut-over-flag-file=(\S+)/.exec(p.steps.find((s) => s.kind === 'copy')!.commands.join(' '))![1]);
    expect(new Set(flags).size).toBe(3);
  });
});

describe('sequence-capacity: a sequence behind the data (its next ids already exist on a shard)', () => {
  /** MAX(order_id) read in the scan on s1 and s2. */
  function withMax(next: bigint, max: [bigint, bigint]): Snapshot {
    const s = fleet(next, 1000n, ['bigint', 'bigint']);
    return {
      ...s,
      shards: s.shards.map((sh, i) => (i === 0 ? sh : { ...sh, databases: sh.databases.map((d) => ({ ...d, tables: d.tables.map((t) => ({ ...t, maxValues: { order_id: max[i - 1]! } })) })) })),
    };
  }

  it('next_id at or below MAX(key) on a shard: critical, naming the shard (duplicate-key errors there)', () => {
    const [f] = check(withMax(5_001n, [4_000n, 5_001n]));
    expect(f).toMatchObject({ severity: 'critical', sequenceProblem: 'behind-data', current: 5_000n });
    expect(f!.message).toBe(
      'sequence commerce.order_seq is behind the data: its next id is 5,001, but customer.orders.order_id already holds 5,001 on s2: the next ids collide there (duplicate-key errors on that shard).',
    );
  });

  it('next_id above every shard\'s MAX: nothing to say', () => {
    expect(check(withMax(5_002n, [4_000n, 5_001n]))).toEqual([]);
  });
});
