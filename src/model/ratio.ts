/**
 * Exact ratio arithmetic. A threshold of 0.70 means exactly 70/100: a key at
 * 0.69999999998 of its max is below it. Floats are used only for display.
 */

export interface Fraction {
  num: bigint;
  den: bigint;
}

/** The decimal a user wrote (0.85, "0.85", 1e-3) as an exact fraction. */
export function decimalToFraction(value: number | string): Fraction {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = /^(\d+)(?:\.(\d+))?(?:e([-+]?\d+))?$/i.exec(text);
  if (!m) throw new Error(`not a non-negative decimal: ${text}`);
  const intPart = m[1] ?? '0';
  const frac = m[2] ?? '';
  const exp = Number(m[3] ?? 0) - frac.length;
  let num = BigInt(intPart + frac);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { num, den };
}

/** current / max >= threshold, exactly. */
export function reaches(current: bigint, max: bigint, threshold: Fraction): boolean {
  return current * threshold.den >= threshold.num * max;
}

/** current / max as a float with 10 significant digits (display only). */
export function displayRatio(current: bigint, max: bigint): number {
  if (max === 0n) return Number.POSITIVE_INFINITY;
  // Divide in bigint first so values above 2^53 keep their leading digits.
  const scaled = (current * 10n ** 15n) / max;
  return Number((Number(scaled) / 1e15).toPrecision(10));
}
