/**
 * parsePolicy (src/plan/policy.ts): defaults, every field, sizes, errors that name the field.
 */
import { describe, expect, it } from 'vitest';
import { validateInventory } from '../../../src/config/inventory.js';
import { DEFAULT_POLICY, POLICY_KEYS, parsePolicy } from '../../../src/plan/policy.js';

const parse = (raw: unknown) => parsePolicy(raw, (field, why) => new Error(`${field}: ${why}`));
const GiB = 1n << 30n;

describe('defaults', () => {
  it('no policy block (absent or null): the defaults', () => {
    expect(parse(undefined)).toEqual(DEFAULT_POLICY);
    expect(parse(null)).toEqual(DEFAULT_POLICY);
  });

  it('an empty mapping: the defaults, as a copy (changing it does not change DEFAULT_POLICY)', () => {
    const p = parse({});
    expect(p).toEqual(DEFAULT_POLICY);
    p.tools.push('spirit');
    p.directAlter.maxRows = 5n;
    expect(DEFAULT_POLICY.tools).toEqual(['gh-ost', 'pt-online-schema-change']);
    expect(DEFAULT_POLICY.directAlter.maxRows).toBe(0n);
  });

  it('the values, each with its reason in policy.ts and docs/planner.md', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      targetType: 'bigint',
      tools: ['gh-ost', 'pt-online-schema-change'],
      copyRowsPerSecond: 5000,
      rowsUncertainty: { low: 0.5, high: 1.5 },
      diskMargin: 1.6,
      binlogFactor: 1.2,
      directAlter: { maxRows: 0n, maxBytes: 0n, maxConcurrentPerShard: 1, tables: [] },
      maxConcurrentCopiesPerShard: 1,
      lockWaitTimeoutSeconds: 5,
      maxTableBytes: 0n,
    });
  });

  it('every key of DEFAULT_POLICY is an allowed key, and the other way round (migrationUser has no default)', () => {
    expect([...POLICY_KEYS].filter((k) => k !== 'migrationUser').sort()).toEqual(Object.keys(DEFAULT_POLICY).sort());
  });

  it('migrationUser: a user name, or an error naming the field', () => {
    expect(parse({ migrationUser: 'migrator' }).migrationUser).toBe('migrator');
    expect(() => parse({ migrationUser: '' })).toThrow(/policy\.migrationUser/);
  });
});

describe('every field', () => {
  it.each([
    ['targetType', 'bigint', 'bigint'],
    ['tools', ['spirit', 'pt-online-schema-change', 'direct', 'vitess', 'gh-ost'], ['spirit', 'pt-online-schema-change', 'direct', 'vitess', 'gh-ost']],
    ['copyRowsPerSecond', 20000, 20000],
    ['copyRowsPerSecond', 1500.5, 1500.5],
    ['rowsUncertainty', { low: 0.6, high: 2 }, { low: 0.6, high: 2 }],
    ['diskMargin', 2.5, 2.5],
    ['binlogFactor', 0, 0],
    ['maxConcurrentCopiesPerShard', 4, 4],
    ['lockWaitTimeoutSeconds', 30, 30],
    ['maxTableBytes', '500GiB', 500n * GiB],
  ] as const)('%s: %j', (key, value, expected) => {
    expect(parse({ [key]: value })[key]).toEqual(expected);
  });

  it('directAlter: each sub-field alone leaves the others at their defaults', () => {
    expect(parse({ directAlter: { maxRows: 1000 } }).directAlter).toEqual({ maxRows: 1000n, maxBytes: 0n, maxConcurrentPerShard: 1, tables: [] });
    expect(parse({ directAlter: { maxBytes: '64MiB' } }).directAlter).toEqual({ maxRows: 0n, maxBytes: 64n << 20n, maxConcurrentPerShard: 1, tables: [] });
    expect(parse({ directAlter: { maxConcurrentPerShard: 3 } }).directAlter).toEqual({ maxRows: 0n, maxBytes: 0n, maxConcurrentPerShard: 3, tables: [] });
    expect(parse({ directAlter: { tables: ['app.listing_followers', 'category_*'] } }).directAlter.tables).toEqual(['app.listing_followers', 'category_*']);
    expect(() => parse({ directAlter: { tables: 'x' } })).toThrow(/^policy\.directAlter\.tables: expected a list of table or db\.table globs$/);
  });

  it('the lint and offsets fields (same block)', () => {
    expect(parse({ minKeyType: 'int' }).minKeyType).toBe('int');
    expect(parse({ narrowKeyAllow: ['countries', 'app.*_types'] }).narrowKeyAllow).toEqual(['countries', 'app.*_types']);
    expect(parse({ offsetsAllow: ['ci_*'] }).offsetsAllow).toEqual(['ci_*']);
  });

  it('fields not given keep their defaults', () => {
    const p = parse({ copyRowsPerSecond: 100 });
    expect({ ...p, copyRowsPerSecond: DEFAULT_POLICY.copyRowsPerSecond }).toEqual(DEFAULT_POLICY);
  });
});

describe('sizes and counts', () => {
  it.each([
    [1048576, 1048576n],
    ['1048576', 1048576n],
    [' 42 ', 42n],
    ['10GiB', 10n * GiB],
    ['10 GiB', 10n * GiB],
    ['10gib', 10n * GiB],
    ['10G', 10n * GiB],
    ['10GB', 10n * GiB], // read as binary units too
    ['512MiB', 512n << 20n],
    ['64KiB', 64n << 10n],
    ['2TiB', 2n << 40n],
    ['1.5GiB', (3n * GiB) / 2n],
    ['0.5M', 1n << 19n],
    ['18446744073709551615', 18446744073709551615n], // beyond a JS number, exact as a string
  ] as const)('%j → %s bytes', (raw, bytes) => {
    expect(parse({ maxTableBytes: raw }).maxTableBytes).toBe(bytes);
  });

  it.each([-1, 1.5, 2 ** 60, '10 PB', '-5', 'ten', '1e9', '', true, null, [], {}])('%j is refused, naming the field', (raw) => {
    expect(() => parse({ maxTableBytes: raw })).toThrow(/^policy\.maxTableBytes: expected a whole number \(or a size like 10GiB\)/);
  });
});

describe('errors name the field', () => {
  it.each([
    ['not a mapping', 'fast', /^policy: expected a mapping$/],
    ['a list', ['gh-ost'], /^policy: expected a mapping$/],
    ['unknown key', { tool: ['gh-ost'] }, /^policy\.tool: unknown key \(did you mean "tools"\?\); allowed: targetType, tools, /],
    ['targetType', { targetType: 'int' }, /^policy\.targetType: only "bigint" is supported$/],
    ['tools empty', { tools: [] }, /^policy\.tools: expected a non-empty list of: gh-ost, pt-online-schema-change, spirit, vitess, direct$/],
    ['tools not a list', { tools: 'gh-ost' }, /^policy\.tools: expected a non-empty list/],
    ['unknown tool', { tools: ['gh-ost', 'pt-osc'] }, /^policy\.tools\[1\]: unknown tool "pt-osc"; known: /],
    ['copyRowsPerSecond 0', { copyRowsPerSecond: 0 }, /^policy\.copyRowsPerSecond: expected a number from 1 to 10000000, got 0$/],
    ['copyRowsPerSecond string', { copyRowsPerSecond: '5000' }, /^policy\.copyRowsPerSecond: expected a number/],
    ['copyRowsPerSecond NaN', { copyRowsPerSecond: Number.NaN }, /^policy\.copyRowsPerSecond: /],
    ['rowsUncertainty scalar', { rowsUncertainty: 0.5 }, /^policy\.rowsUncertainty: expected \{low, high\}$/],
    ['rowsUncertainty.low > 1', { rowsUncertainty: { low: 1.2, high: 1.5 } }, /^policy\.rowsUncertainty\.low: expected a number from 0\.01 to 1, got 1\.2$/],
    ['rowsUncertainty.high < 1', { rowsUncertainty: { low: 0.5, high: 0.9 } }, /^policy\.rowsUncertainty\.high: expected a number from 1 to 100/],
    ['rowsUncertainty.high missing', { rowsUncertainty: { low: 0.5 } }, /^policy\.rowsUncertainty\.high: /],
    ['diskMargin < 1', { diskMargin: 0.9 }, /^policy\.diskMargin: expected a number from 1 to 10/],
    ['binlogFactor < 0', { binlogFactor: -1 }, /^policy\.binlogFactor: expected a number from 0 to 100/],
    ['directAlter not a mapping', { directAlter: 1000 }, /^policy\.directAlter: expected \{maxRows, maxBytes, maxConcurrentPerShard, tables\}$/],
    ['directAlter list', { directAlter: [1000] }, /^policy\.directAlter: expected /],
    ['directAlter unknown key', { directAlter: { maxrows: 10 } }, /^policy\.directAlter\.maxrows: unknown key; allowed: maxRows, maxBytes, maxConcurrentPerShard, tables$/],
    ['directAlter.maxRows', { directAlter: { maxRows: -1 } }, /^policy\.directAlter\.maxRows: expected a whole number/],
    ['directAlter.maxBytes', { directAlter: { maxBytes: 'lots' } }, /^policy\.directAlter\.maxBytes: expected a whole number/],
    ['directAlter.maxConcurrentPerShard 0', { directAlter: { maxConcurrentPerShard: 0 } }, /^policy\.directAlter\.maxConcurrentPerShard: expected a number from 1 to 64/],
    ['maxConcurrentCopiesPerShard fraction', { maxConcurrentCopiesPerShard: 1.5 }, /^policy\.maxConcurrentCopiesPerShard: expected a whole number, got 1\.5$/],
    ['maxConcurrentCopiesPerShard 65', { maxConcurrentCopiesPerShard: 65 }, /^policy\.maxConcurrentCopiesPerShard: expected a number from 1 to 64/],
    ['lockWaitTimeoutSeconds 0', { lockWaitTimeoutSeconds: 0 }, /^policy\.lockWaitTimeoutSeconds: expected a number from 1 to 3600, got 0$/],
    ['lockWaitTimeoutSeconds a year', { lockWaitTimeoutSeconds: 31536000 }, /^policy\.lockWaitTimeoutSeconds: /],
    ['minKeyType', { minKeyType: 'huge' }, /^policy\.minKeyType: expected one of tinyint, smallint, mediumint, int, bigint/],
    ['narrowKeyAllow', { narrowKeyAllow: 'countries' }, /^policy\.narrowKeyAllow: expected a list of glob patterns$/],
    ['offsetsAllow', { offsetsAllow: [''] }, /^policy\.offsetsAllow: expected a list of glob patterns$/],
  ])('%s', (_, raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it('through the inventory: the file, the field and the reason on one line', () => {
    const inv = (policy: unknown) => validateInventory({ shards: [{ name: 's1', host: 'db1', user: 'u' }], policy }, 'headroom.yaml');
    expect(() => inv({ copyRowsPerSecond: 0 })).toThrow('headroom.yaml: policy.copyRowsPerSecond: expected a number from 1 to 10000000, got 0');
    expect(inv({ tools: ['spirit'], directAlter: { maxRows: 500 } }).policy).toMatchObject({ tools: ['spirit'], directAlter: { maxRows: 500n } });
    expect(inv(undefined).policy).toEqual(DEFAULT_POLICY);
  });
});
