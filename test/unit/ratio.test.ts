import { describe, expect, it } from 'vitest';
import { decimalToFraction, displayRatio, reaches } from '../../src/model/ratio.js';

describe('decimalToFraction', () => {
  it.each([
    ['0.70', 70n, 100n],
    ['0.7', 7n, 10n],
    ['0.85', 85n, 100n],
    ['1', 1n, 1n],
    ['1.0', 10n, 10n],
    [' 0.5 ', 5n, 10n],
    ['1e-3', 1n, 1000n],
    ['2.5E-1', 25n, 100n],
    ['5e2', 500n, 1n],
  ] as const)('%j → %s/%s', (text, num, den) => {
    expect(decimalToFraction(text)).toEqual({ num, den });
  });

  it('reads numbers through their shortest decimal spelling', () => {
    expect(decimalToFraction(0.7)).toEqual({ num: 7n, den: 10n });
    expect(decimalToFraction(0.85)).toEqual({ num: 85n, den: 100n });
    expect(decimalToFraction(1e-7)).toEqual({ num: 1n, den: 10000000n });
  });

  it.each(['-0.5', 'abc', '', '0.', '.5', '0x1', '1/2'])('refuses %j', (text) => {
    expect(() => decimalToFraction(text)).toThrow(/not a non-negative decimal/);
  });
});

describe('reaches (exact current/max >= threshold)', () => {
  const sixty = decimalToFraction('0.6');
  const seventy = decimalToFraction('0.70');

  it('255 × 0.6 = 153 exactly: 153 reaches, 152 does not', () => {
    expect(reaches(153n, 255n, sixty)).toBe(true);
    expect(reaches(152n, 255n, sixty)).toBe(false);
  });

  it('4294967295 × 0.70 = 3006477106.5: 3006477106 (0.69999999988) does not reach, 3006477107 does', () => {
    expect(reaches(3006477106n, 4294967295n, seventy)).toBe(false);
    expect(reaches(3006477107n, 4294967295n, seventy)).toBe(true);
  });

  it('stays exact near 2^64, where floats cannot tell the values apart', () => {
    const max = 18446744073709551615n; // bigint unsigned
    const threshold = decimalToFraction('0.85');
    // 0.85 × max = 15679732462653118872.75
    expect(reaches(15679732462653118872n, max, threshold)).toBe(false);
    expect(reaches(15679732462653118873n, max, threshold)).toBe(true);
    // A float comparison would say yes: the two are the same double.
    expect(Number(15679732462653118872n) / Number(max) >= 0.85).toBe(true);
    expect(reaches(max, max, decimalToFraction('1'))).toBe(true);
    expect(reaches(max - 1n, max, decimalToFraction('1'))).toBe(false);
  });

  it('treats a value above max as past every threshold', () => {
    expect(reaches(2147483648n, 2147483647n, decimalToFraction('1'))).toBe(true);
  });

  it('zero never reaches a positive threshold', () => {
    expect(reaches(0n, 255n, decimalToFraction('0.01'))).toBe(false);
  });
});

describe('displayRatio', () => {
  it.each([
    [153n, 255n, 0.6],
    [0n, 255n, 0],
    [255n, 255n, 1],
    [3006477106n, 4294967295n, 0.6999999999],
    [1874919423n, 2147483647n, 0.8730773925],
    [4294967296n, 2147483647n, 2.000000001],
  ] as const)('%s / %s ≈ %s', (current, max, ratio) => {
    expect(displayRatio(current, max)).toBe(ratio);
  });

  it('keeps leading digits for values far above 2^53', () => {
    const max = 18446744073709551615n;
    expect(displayRatio(max / 2n, max)).toBe(0.5);
    expect(displayRatio(9223372036854775807n, 18446744073709551615n)).toBe(0.5);
    expect(displayRatio(12345678901234567890n, max)).toBe(0.6692605943);
  });

  it('is infinite for a zero max', () => {
    expect(displayRatio(1n, 0n)).toBe(Number.POSITIVE_INFINITY);
  });
});
