/**
 * Counter offsets are distinct within a database: two tables whose names hash to the same slot
 * get different values (the first by name keeps it), deterministically and whatever the order,
 * and a table added later moves an existing one only when it takes that one's value.
 * The 73-table Rails schema on a real server is in test/integration/offsets.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Database, IntType, Table } from '../../src/model/types.js';
import { assignOffsets, offsetFor, planOffsets } from '../../src/offsets/offsets.js';

const TWO_32 = 1n << 32n;
const INT_HALF = 2147483647n / 2n;

function table(name: string, dataType: IntType, unsigned = false, autoIncrement: bigint | null = 1n): Table {
  return {
    name,
    engine: 'InnoDB',
    rowsEstimate: 0n,
    dataBytes: 0n,
    indexBytes: 0n,
    autoIncrement,
    primaryKey: ['id'],
    columns: [{ name: 'id', columnType: dataType, dataType, unsigned, zerofill: false, nullable: false, autoIncrement: true }],
    indexes: [],
    foreignKeys: [],
    triggers: 0,
    maxValues: {},
  };
}

/** The first two names `t<i>` whose preferred INT value is the same. */
function collidingPair(): [string, string] {
  const seen = new Map<bigint, string>();
  for (let i = 0; ; i++) {
    const name = `t${i}`;
    const v = offsetFor(name, 'int', false)!;
    const other = seen.get(v);
    if (other !== undefined) return [other, name];
    seen.set(v, name);
  }
}

describe('assignOffsets: distinct starting values', () => {
  it('the collision case: two tables whose names pick the same value get different ones; the first by name keeps it', () => {
    const [a, b] = collidingPair();
    expect(offsetFor(a, 'int', false)).toBe(offsetFor(b, 'int', false));
    const { changes } = planOffsets({ name: 'app_test', tables: [table(b, 'int'), table(a, 'int')] });
    const to = Object.fromEntries(changes.map((c) => [c.table, c.to]));
    const first = a < b ? a : b;
    const second = first === a ? b : a;
    expect(to[first]).toBe(offsetFor(first, 'int', false));
    expect(to[second]).not.toBe(to[first]);
    expect(to[second]! < INT_HALF).toBe(true);
    expect((to[second]! - 1n) % 1_000_000n).toBe(0n);
  });

  it('the pair that collided in the old 1,000-bucket scheme on the Rails schema (order_permissions, invitations) differ', () => {
    const m = assignOffsets([
      { name: 'order_permissions', dataType: 'int', unsigned: false },
      { name: 'invitations', dataType: 'int', unsigned: false },
    ]);
    expect(m.get('order_permissions')).not.toBe(m.get('invitations'));
  });

  it('every INT slot can be used: 1,073 signed INT tables all get distinct values below max/2; the 1,074th is skipped with a reason', () => {
    const names = Array.from({ length: 1073 }, (_, i) => `table_${i}`);
    const m = assignOffsets(names.map((name) => ({ name, dataType: 'int' as const, unsigned: false })));
    expect(m.size).toBe(1073);
    expect(new Set(m.values()).size).toBe(1073);
    for (const v of m.values()) expect(v > 0n && v < INT_HALF).toBe(true);
    const db: Database = { name: 'big_test', tables: [...names, 'one_too_many'].map((n) => table(n, 'int')) };
    const { changes, skipped } = planOffsets(db);
    expect(changes).toHaveLength(1073);
    expect(skipped).toEqual([{ table: expect.any(String), reason: 'no distinct int starting value left (more tables than slots)' }]);
  });

  it('BIGINT tables start above 2^32, INT tables below half their max (unsigned INT too), smaller types are left alone', () => {
    const tables = [table('a', 'bigint'), table('b', 'bigint', true), table('c', 'int'), table('d', 'int', true), table('e', 'mediumint'), table('f', 'smallint')];
    const { changes, skipped } = planOffsets({ name: 'x_test', tables });
    const to = Object.fromEntries(changes.map((c) => [c.table, c.to]));
    expect(to.a! > TWO_32 && to.b! > TWO_32).toBe(true);
    expect(to.a! < TWO_32 + 10n ** 15n + 1n).toBe(true);
    expect(to.c! < INT_HALF).toBe(true);
    expect(to.d! < 4294967295n / 2n).toBe(true);
    expect(skipped.map((s) => s.table)).toEqual(['e', 'f']);
  });

  it('deterministic: the same tables in any order give the same values', () => {
    const tables = Array.from({ length: 300 }, (_, i) => ({ name: `tbl_${(i * 7919) % 1000}`, dataType: (i % 3 ? 'int' : 'bigint') as IntType, unsigned: false }));
    const once = assignOffsets(tables);
    const reversed = assignOffsets([...tables].reverse());
    expect([...reversed].sort()).toEqual([...once].sort());
    expect(new Set(once.values()).size).toBe(once.size);
  });

  it('stable as tables are added: an existing table moves only when the new one takes its value (and rarely)', () => {
    const base = Array.from({ length: 400 }, (_, i) => ({ name: `base_${i}`, dataType: 'int' as const, unsigned: false }));
    const before = assignOffsets(base);
    let additionsThatMovedSomething = 0;
    for (let k = 0; k < 100; k++) {
      const added = { name: `added_${k}`, dataType: 'int' as const, unsigned: false };
      const after = assignOffsets([...base, added]);
      const moved = base.filter((t) => after.get(t.name) !== before.get(t.name));
      if (moved.length === 0) continue;
      additionsThatMovedSomething++;
      // The chain starts where the new table sat down.
      expect(moved.map((t) => before.get(t.name))).toContain(after.get(added.name));
    }
    // 400 of 1,073 slots taken: most additions find their own slot free.
    expect(additionsThatMovedSomething).toBeLessThan(50);
  });

  it('a table already offset is skipped but keeps its value reserved: a second run changes nothing', () => {
    const [a, b] = collidingPair();
    const first = planOffsets({ name: 'app_test', tables: [table(a, 'int'), table(b, 'int')] });
    const at = new Map(first.changes.map((c) => [c.table, c.to]));
    const second = planOffsets({ name: 'app_test', tables: [table(a, 'int', false, at.get(a)!), table(b, 'int', false, at.get(b)!)] });
    expect(second.changes).toEqual([]);
    expect(second.skipped.map((s) => s.reason)).toEqual([`counter already at ${at.get(a)} (never lowered)`, `counter already at ${at.get(b)} (never lowered)`]);
  });
});
