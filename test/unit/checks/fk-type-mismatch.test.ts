import { describe, expect, it } from 'vitest';
import { fkTypeMismatch } from '../../../src/checks/fk-type-mismatch.js';
import { config, configured, db, runCheck, shard, table } from '../builders.js';

/** `messages.thread_id` (childType) references `threads.id` (parentType). */
function scan(childType: string, parentType: string, parent: { autoIncrement?: bigint | null; max?: Record<string, bigint | null> } = {}) {
  return runCheck(fkTypeMismatch, shard('s1', db('app',
    table('threads', { id: `${parentType} auto` }, parent),
    table('messages', { id: 'bigint auto', thread_id: childType }),
  )));
}

describe('fk-type-mismatch: which pairs are reported', () => {
  it.each([
    ['int', 'bigint', true],
    ['int unsigned', 'bigint', true],
    ['int', 'int unsigned', true], // signed child under an unsigned parent of the same size
    ['smallint unsigned', 'int', true],
    ['bigint', 'bigint unsigned', true],
    ['int', 'int', false],
    ['int(11)', 'int(10)', false], // display width is not a type
    ['int unsigned', 'int', false], // ids are positive: an unsigned child holds every id of a signed parent
    ['bigint unsigned', 'bigint', false],
    ['bigint', 'int unsigned', false], // wider child
    ['bigint', 'int', false],
    ['int(10) unsigned zerofill', 'int unsigned', false],
  ] as const)('%s child under %s parent → %s', (child, parent, reported) => {
    expect(scan(child, parent)).toHaveLength(reported ? 1 : 0);
  });
});

describe('fk-type-mismatch finding', () => {
  it('is a warning while the parent is below the child max, and says what to do', () => {
    const [f] = scan('int', 'bigint unsigned', { autoIncrement: 5000n });
    expect(f).toEqual({
      id: 'fk-type-mismatch:s1/app/messages.thread_id',
      check: 'fk-type-mismatch',
      severity: 'warning',
      shard: 's1',
      database: 'app',
      table: 'messages',
      column: 'thread_id',
      dataType: 'int',
      unsigned: false,
      max: 2147483647n,
      current: 4999n,
      ratio: 0.000002327840776,
      references: { database: 'app', table: 'threads', column: 'id', dataType: 'bigint', unsigned: true },
      relationSource: 'inferred',
      evidence: 'naming: thread_id → threads.id',
      message: "messages.thread_id is int but threads.id is bigint unsigned: ids above 2,147,483,647 cannot be stored. Widen it to the key's type before the key gets there.",
    });
  });

  it('is reported from the schema alone when the parent current is unknown', () => {
    const [f] = scan('int', 'int unsigned', { autoIncrement: null });
    expect(f).toMatchObject({ severity: 'warning', current: null, ratio: null });
    expect(f!.message).toBe("messages.thread_id is int but threads.id is int unsigned: ids above 2,147,483,647 cannot be stored. Widen it to the key's type before the key gets there.");
  });

  it('stays a warning when the parent is exactly at the child max', () => {
    expect(scan('int', 'int unsigned', { autoIncrement: 2147483648n })).toMatchObject([{ severity: 'warning', current: 2147483647n }]);
  });

  it('is critical when the referenced current already exceeds the child max', () => {
    const [f] = scan('int', 'int unsigned', { autoIncrement: 2147483649n });
    expect(f).toMatchObject({ severity: 'critical', current: 2147483648n, max: 2147483647n, ratio: 1 });
    expect(f!.message).toBe('messages.thread_id is int but threads.id is int unsigned: ids above 2,147,483,647 cannot be stored and threads.id is already at 2,147,483,648.');
  });

  it('uses MAX() of the parent when its counter is NULL', () => {
    expect(scan('smallint', 'int', { autoIncrement: null, max: { id: 40000n } })).toMatchObject([{ severity: 'critical', current: 40000n }]);
  });

  it('reports declared and configured relationships too, with their source', () => {
    const s = shard('s1',
      db('core', table('accounts', { id: 'bigint auto' })),
      db('app',
        table('threads', { id: 'bigint auto' }),
        table('invoices', { id: 'bigint auto', acct: 'int' }, { fks: { acct: 'core.accounts.id' } }),
        table('snapshots', { id: 'bigint auto', source_thread: 'int' }),
      ),
    );
    const findings = runCheck(fkTypeMismatch, s, config({ relationships: [configured('snapshots.source_thread', 'threads.id')] }));
    expect(findings.map((f) => [f.table, f.column, f.relationSource])).toEqual([
      ['invoices', 'acct', 'declared'],
      ['snapshots', 'source_thread', 'configured'],
    ]);
    expect(findings[0]!.message).toMatch(/^invoices\.acct is int but core\.accounts\.id is bigint:/);
  });

  it('does not report an ignored inferred column', () => {
    const s = shard('s1', db('app', table('customers', { id: 'bigint auto' }), table('payments', { id: 'bigint auto', stripe_customer_id: 'int' })));
    expect(runCheck(fkTypeMismatch, s)).toHaveLength(0); // `stripe_customers` does not exist
    const s2 = shard('s1', db('app', table('customers', { id: 'bigint auto' }), table('payments', { id: 'bigint auto', customer_id: 'int' })));
    expect(runCheck(fkTypeMismatch, s2, config({ ignore: ['*.customer_id'] }))).toHaveLength(0);
    expect(runCheck(fkTypeMismatch, s2)).toHaveLength(1);
  });
});
