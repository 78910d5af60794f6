import { describe, expect, it } from 'vitest';
import { formatType, parseIntegerType, toBigInt, typeCovers, typeMax, typeMin } from '../../src/model/integers.js';
import type { IntType } from '../../src/model/types.js';

describe('parseIntegerType', () => {
  it.each([
    ['int(11)', 'int', false, false],
    ['int', 'int', false, false],
    ['integer', 'int', false, false],
    ['int unsigned', 'int', true, false],
    ['int(10) unsigned', 'int', true, false],
    ['int(10) unsigned zerofill', 'int', true, true],
    ['INT(10) UNSIGNED ZEROFILL', 'int', true, true],
    ['bigint(20) unsigned', 'bigint', true, false],
    ['bigint', 'bigint', false, false],
    ['tinyint(1)', 'tinyint', false, false],
    ['tinyint unsigned', 'tinyint', true, false],
    ['smallint(6)', 'smallint', false, false],
    ['mediumint(8) unsigned', 'mediumint', true, false],
    ['mediumint', 'mediumint', false, false],
    // ZEROFILL implies UNSIGNED even when the server does not print it.
    ['smallint(5) zerofill', 'smallint', true, true],
    ['  int(11)  ', 'int', false, false],
  ] as const)('%s', (columnType, dataType, unsigned, zerofill) => {
    expect(parseIntegerType(columnType)).toEqual({ dataType, unsigned, zerofill });
  });

  it.each(['decimal(10,0)', 'varchar(10)', 'float', 'double unsigned', 'bit(1)', 'year', 'char(36)', ''])('%j is not an integer type', (columnType) => {
    expect(parseIntegerType(columnType)).toBeNull();
  });
});

describe('typeMax / typeMin', () => {
  const cases: [IntType, boolean, bigint, bigint][] = [
    ['tinyint', false, -128n, 127n],
    ['tinyint', true, 0n, 255n],
    ['smallint', false, -32768n, 32767n],
    ['smallint', true, 0n, 65535n],
    ['mediumint', false, -8388608n, 8388607n],
    ['mediumint', true, 0n, 16777215n],
    ['int', false, -2147483648n, 2147483647n],
    ['int', true, 0n, 4294967295n],
    ['bigint', false, -9223372036854775808n, 9223372036854775807n],
    ['bigint', true, 0n, 18446744073709551615n],
  ];
  it.each(cases)('%s unsigned=%s: %s … %s', (dataType, unsigned, min, max) => {
    expect(typeMin({ dataType, unsigned })).toBe(min);
    expect(typeMax({ dataType, unsigned })).toBe(max);
  });
});

describe('formatType', () => {
  it('spells the type canonically, without display width', () => {
    expect(formatType({ dataType: 'int', unsigned: true })).toBe('int unsigned');
    expect(formatType({ dataType: 'bigint', unsigned: false })).toBe('bigint');
  });
});

describe('typeCovers', () => {
  it('holds every value of a narrower or equal type', () => {
    expect(typeCovers({ dataType: 'bigint', unsigned: false }, { dataType: 'int', unsigned: true })).toBe(true);
    expect(typeCovers({ dataType: 'int', unsigned: false }, { dataType: 'int', unsigned: false })).toBe(true);
  });
  it('does not hold the top of an unsigned type of the same size, nor negatives in an unsigned one', () => {
    expect(typeCovers({ dataType: 'int', unsigned: false }, { dataType: 'int', unsigned: true })).toBe(false);
    expect(typeCovers({ dataType: 'int', unsigned: true }, { dataType: 'int', unsigned: false })).toBe(false);
  });
});

describe('toBigInt', () => {
  it('reads decimal strings exactly, far above 2^53', () => {
    expect(toBigInt('18446744073709551615')).toBe(18446744073709551615n);
    expect(toBigInt('9007199254740993')).toBe(9007199254740993n); // 2^53 + 1: not a JS number
    expect(toBigInt('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(toBigInt(' 42 ')).toBe(42n);
  });

  it('reads safe numbers and bigints', () => {
    expect(toBigInt(0)).toBe(0n);
    expect(toBigInt(2147483647)).toBe(2147483647n);
    expect(toBigInt(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    expect(toBigInt(-5)).toBe(-5n);
    expect(toBigInt(123n)).toBe(123n);
  });

  it('keeps null and undefined as null', () => {
    expect(toBigInt(null)).toBeNull();
    expect(toBigInt(undefined)).toBeNull();
  });

  it('refuses a number that is not exact in a JS number, instead of rounding', () => {
    expect(() => toBigInt(2 ** 53)).toThrow(/not exact/);
    expect(() => toBigInt(18446744073709551615)).toThrow(/not exact/);
    expect(() => toBigInt(1.5)).toThrow();
    expect(() => toBigInt(Number.NaN)).toThrow();
  });

  it('refuses strings and values that are not integers', () => {
    for (const bad of ['', '1.5', '1e3', 'abc', '0x10', '12abc']) expect(() => toBigInt(bad), bad).toThrow(/not an integer/);
    expect(() => toBigInt({})).toThrow(/not an integer/);
    expect(() => toBigInt(true)).toThrow(/not an integer/);
  });
});
