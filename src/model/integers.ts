import type { IntType, IntegerType } from './types.js';

export const INT_TYPES: readonly IntType[] = ['tinyint', 'smallint', 'mediumint', 'int', 'bigint'];

const BITS: Record<IntType, bigint> = { tinyint: 8n, smallint: 16n, mediumint: 24n, int: 32n, bigint: 64n };

export function isIntType(dataType: string): dataType is IntType {
  return (INT_TYPES as readonly string[]).includes(dataType);
}

const MAX_SIGNED = {} as Record<IntType, bigint>;
const MAX_UNSIGNED = {} as Record<IntType, bigint>;
const MIN_SIGNED = {} as Record<IntType, bigint>;
for (const t of INT_TYPES) {
  MAX_UNSIGNED[t] = (1n << BITS[t]) - 1n;
  MAX_SIGNED[t] = (1n << (BITS[t] - 1n)) - 1n;
  MIN_SIGNED[t] = -(1n << (BITS[t] - 1n));
}

/** Largest value a column of this type can hold. */
export function typeMax(t: Pick<IntegerType, 'dataType' | 'unsigned'>): bigint {
  return (t.unsigned ? MAX_UNSIGNED : MAX_SIGNED)[t.dataType];
}

/** Smallest value a column of this type can hold. */
export function typeMin(t: Pick<IntegerType, 'dataType' | 'unsigned'>): bigint {
  return t.unsigned ? 0n : MIN_SIGNED[t.dataType];
}

/**
 * Parse `COLUMN_TYPE` by its words, not by a suffix: `int(10) unsigned zerofill`,
 * `int unsigned` (MySQL 8 drops display widths), `bigint(20) unsigned`.
 * A `LIKE '% unsigned'` test misses `unsigned zerofill` (percona/mysqld_exporter#391).
 * Returns null for anything that is not an integer type.
 */
export function parseIntegerType(columnType: string): IntegerType | null {
  const words = columnType.trim().toLowerCase().split(/\s+/);
  const head = words[0] ?? '';
  const base = head.replace(/\(\d*\)$/, '');
  const dataType = base === 'integer' ? 'int' : base === 'middleint' ? 'mediumint' : base;
  if (!isIntType(dataType)) return null;
  const rest = new Set(words.slice(1));
  // ZEROFILL implies UNSIGNED on every server version.
  const zerofill = rest.has('zerofill');
  return { dataType, unsigned: rest.has('unsigned') || zerofill, zerofill };
}

/** `int unsigned`, `bigint` — the canonical spelling used in messages and DDL. */
export function formatType(t: Pick<IntegerType, 'dataType' | 'unsigned'>): string {
  return t.unsigned ? `${t.dataType} unsigned` : t.dataType;
}

/** True when every value of `wide` fits in `narrow`. */
export function typeCovers(holder: Pick<IntegerType, 'dataType' | 'unsigned'>, values: Pick<IntegerType, 'dataType' | 'unsigned'>): boolean {
  return typeMax(holder) >= typeMax(values) && typeMin(holder) <= typeMin(values);
}

/** Convert what a driver returned (string, number, bigint or null) to bigint without rounding. */
export function toBigInt(value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`refusing to read ${value} as an integer: it is not exact in a JS number`);
    }
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const s = value.trim();
    if (!/^-?\d+$/.test(s)) throw new Error(`not an integer: ${JSON.stringify(value)}`);
    return BigInt(s);
  }
  throw new Error(`not an integer: ${String(value)}`);
}
