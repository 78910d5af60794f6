import { describe, expect, it } from 'vitest';
import { checksFor } from '../../../src/checks/registry.js';
import { pkNarrowType } from '../../../src/checks/pk-narrow-type.js';
import { DEFAULT_POLICY } from '../../../src/plan/policy.js';
import type { Policy } from '../../../src/plan/types.js';
import { config, db, runCheck, shard, table } from '../builders.js';

const lint = (tables: ReturnType<typeof table>[], policy: Partial<Policy> = {}) =>
  runCheck(pkNarrowType, shard('s1', db('app', ...tables)), { ...config(), policy: { ...DEFAULT_POLICY, ...policy } });

describe('pk-narrow-type', () => {
  it('reports an INT key whatever its value (default minimum BIGINT), as a warning', () => {
    const f = lint([table('orders', { id: 'int auto' }, { autoIncrement: 2n })]);
    expect(f).toMatchObject([{ check: 'pk-narrow-type', severity: 'warning', table: 'orders', column: 'id', dataType: 'int', max: 2147483647n }]);
    expect(f[0]!.message).toMatch(/policy minimum for keys is bigint/);
  });

  it('does not report BIGINT or BIGINT UNSIGNED keys, nor tables without an integer key', () => {
    expect(lint([table('a', { id: 'bigint auto' }), table('b', { id: 'bigint unsigned auto' }), table('c', { x: 'int' }, { primaryKey: [] })])).toEqual([]);
  });

  it('honours policy.minKeyType', () => {
    expect(lint([table('orders', { id: 'int unsigned auto' })], { minKeyType: 'int' })).toEqual([]);
    expect(lint([table('orders', { id: 'smallint auto' })], { minKeyType: 'int' })).toHaveLength(1);
  });

  it('honours policy.narrowKeyAllow (table or db.table globs): a 20-row lookup table may stay SMALLINT', () => {
    const countries = table('countries', { id: 'smallint unsigned auto' });
    expect(lint([countries], { narrowKeyAllow: ['countries'] })).toEqual([]);
    expect(lint([countries], { narrowKeyAllow: ['app.countr*'] })).toEqual([]);
    expect(lint([countries], { narrowKeyAllow: ['other.countries'] })).toHaveLength(1);
  });

  it('runs in lint, not in scan (a live fleet gets pk-capacity instead)', () => {
    expect(checksFor('lint').map((c) => c.id)).toContain('pk-narrow-type');
    expect(checksFor('lint').map((c) => c.id)).not.toContain('pk-capacity');
    expect(checksFor('scan').map((c) => c.id)).not.toContain('pk-narrow-type');
    expect(checksFor('scan').map((c) => c.id)).toEqual(expect.arrayContaining(['pk-capacity', 'fk-capacity', 'fk-type-mismatch']));
  });
});
