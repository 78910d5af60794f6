import { describe, expect, it } from 'vitest';
import { fkCapacity } from '../../../src/checks/fk-capacity.js';
import { config, configured, db, runCheck, shard, table } from '../builders.js';

/** `threads.id` has handed out ids up to `current`; `messages.thread_id` (of `childType`) stores them. */
function fleet(current: bigint, childType: string, parentType = 'bigint unsigned auto') {
  return shard('s1', db('app',
    table('threads', { id: parentType }, { autoIncrement: current + 1n }),
    table('messages', { id: 'bigint auto', thread_id: childType }),
  ));
}
const scan = (current: bigint, childType: string, parentType?: string) => runCheck(fkCapacity, fleet(current, childType, parentType));

describe('fk-capacity thresholds: referenced current / own max', () => {
  // tinyint unsigned child (max 255): 0.70 → 178.5, 0.85 → 216.75
  it.each([
    [178n, undefined],
    [179n, 'warning'],
    [216n, 'warning'],
    [217n, 'critical'],
    [255n, 'critical'],
  ] as const)('referenced current %s → %s', (current, severity) => {
    expect(scan(current, 'tinyint unsigned').map((f) => f.severity)).toEqual(severity ? [severity] : []);
  });

  it('does not round at the int boundary', () => {
    // int signed child: 2147483647 × 0.85 = 1825361099.95
    expect(scan(1825361099n, 'int').map((f) => f.severity)).toEqual(['warning']);
    expect(scan(1825361100n, 'int').map((f) => f.severity)).toEqual(['critical']);
  });
});

describe('fk-capacity finding', () => {
  it('names both columns, their types, the evidence and the numbers (Intercom, Feb 2024)', () => {
    const [f, ...rest] = scan(1874919423n, 'int');
    expect(rest).toEqual([]);
    expect(f).toEqual({
      id: 'fk-capacity:s1/app/messages.thread_id',
      check: 'fk-capacity',
      severity: 'critical',
      shard: 's1',
      database: 'app',
      table: 'messages',
      column: 'thread_id',
      dataType: 'int',
      unsigned: false,
      max: 2147483647n,
      current: 1874919423n,
      ratio: 0.8730773925,
      references: { database: 'app', table: 'threads', column: 'id', dataType: 'bigint', unsigned: true },
      relationSource: 'inferred',
      evidence: 'naming: thread_id → threads.id',
      message: 'messages.thread_id (int) stores ids of threads.id (bigint unsigned, inferred from its name), which is at 1,874,919,423: 87.3% of this column\'s max 2,147,483,647.',
    });
  });

  it('is critical and says writes fail when the referenced key is already past the column max', () => {
    const [f] = scan(2147483648n, 'int');
    expect(f).toMatchObject({ severity: 'critical', current: 2147483648n, max: 2147483647n });
    expect(f!.message).toBe(
      'messages.thread_id (int) stores ids of threads.id (bigint unsigned, inferred from its name), which is already at 2,147,483,648, ' +
        'above this column\'s max 2,147,483,647: writes of new threads ids into messages fail now.',
    );
  });

  it('names a declared constraint and a referenced key in another database', () => {
    const s = shard('s1',
      db('core', table('accounts', { id: 'bigint auto' }, { autoIncrement: 4000000000n })),
      db('billing', table('invoices', { id: 'bigint auto', acct: 'int unsigned' }, { fks: { acct: 'core.accounts.id' } })),
    );
    const [f] = runCheck(fkCapacity, s);
    expect(f).toMatchObject({ database: 'billing', table: 'invoices', column: 'acct', relationSource: 'declared', evidence: 'constraint fk_invoices_acct', severity: 'critical' });
    expect(f!.message).toMatch(/^invoices\.acct \(int unsigned\) stores ids of core\.accounts\.id \(bigint, declared by constraint fk_invoices_acct\), which is at 3,999,999,999: 93\.1% /);
  });

  it('says a configured relationship is configured', () => {
    const s = shard('s1', db('app',
      table('threads', { id: 'bigint auto' }, { autoIncrement: 250n }),
      table('snapshots', { id: 'int auto', source_thread: 'tinyint unsigned' }),
    ));
    const [f] = runCheck(fkCapacity, s, config({ relationships: [configured('snapshots.source_thread', 'threads.id')] }));
    expect(f).toMatchObject({ relationSource: 'configured', evidence: 'test.yml snapshots.source_thread', current: 249n });
    expect(f!.message).toContain('(bigint, configured in relationships)');
  });
});

describe('fk-capacity: what is not reported', () => {
  it('a child wider than its nearly full parent', () => {
    expect(scan(2147483000n, 'bigint', 'int auto')).toEqual([]);
  });

  it('a child whose referenced key is far from the child max', () => {
    expect(scan(1000n, 'int')).toEqual([]);
  });

  it('a referenced key whose current value is unknown', () => {
    const s = shard('s1', db('app',
      table('threads', { id: 'bigint auto' }, { autoIncrement: null }),
      table('messages', { id: 'bigint auto', thread_id: 'tinyint' }),
    ));
    expect(runCheck(fkCapacity, s)).toEqual([]);
  });

  it('an ignored column', () => {
    expect(runCheck(fkCapacity, fleet(250n, 'tinyint unsigned'), config({ ignore: ['messages.thread_id'] }))).toEqual([]);
  });

  it('uses MAX() of the referenced key when its counter is NULL', () => {
    const s = shard('s1', db('app',
      table('threads', { id: 'bigint auto' }, { autoIncrement: null, max: { id: 3000000000n } }),
      table('messages', { id: 'bigint auto', thread_id: 'int' }),
    ));
    expect(runCheck(fkCapacity, s)).toMatchObject([{ severity: 'critical', current: 3000000000n }]);
  });
});
