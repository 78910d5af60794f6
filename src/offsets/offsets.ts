/**
 * Counter offsets for test databases — the canary (Intercom's Rails World 2024
 * trick; discourse/discourse-prometheus#98): every table starts its ids at a
 * distinct value derived from a hash of its name, and tables with a BIGINT key
 * start above 2^32, so an INT column that stores one of their ids fails the test
 * suite instead of production. Pure; applying is in src/introspect/offsets.ts.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { typeMax } from '../model/integers.js';
import { keyColumn } from '../model/keys.js';
import type { Database, IntType } from '../model/types.js';

export interface OffsetChange {
  table: string;
  column: string;
  dataType: IntType;
  unsigned: boolean;
  /** AUTO_INCREMENT now (next value). */
  from: bigint | null;
  /** AUTO_INCREMENT after. */
  to: bigint;
}

export interface OffsetSkip {
  table: string;
  reason: string;
}

const TWO_32 = 1n << 32n;
/** BIGINT tables: 2^32 + bucket × 10^9 (10^6 buckets): up to ~10^15, far below the BIGINT max; 10^9 ids of room each. */
const BIG_BUCKETS = 1_000_000n;
const BIG_STRIDE = 1_000_000_000n;
/** INT tables: bucket × 10^6 (1,000 buckets): at most ~10^9, so half the signed INT range stays free for the suite. */
const INT_BUCKETS = 1000n;
const INT_STRIDE = 1_000_000n;

export function tableHash(name: string): bigint {
  return BigInt('0x' + createHash('sha256').update(name).digest('hex').slice(0, 12));
}

/** The starting AUTO_INCREMENT headroom gives a table, or undefined for types too small to offset. */
export function offsetFor(table: string, dataType: IntType, unsigned: boolean): bigint | undefined {
  const h = tableHash(table);
  if (dataType === 'bigint') return TWO_32 + (h % BIG_BUCKETS) * BIG_STRIDE + 1n;
  if (dataType === 'int') {
    const v = (h % INT_BUCKETS) * INT_STRIDE + 1n;
    return v < typeMax({ dataType, unsigned }) / 2n ? v : undefined;
  }
  return undefined;
}

export function planOffsets(database: Database): { changes: OffsetChange[]; skipped: OffsetSkip[] } {
  const changes: OffsetChange[] = [];
  const skipped: OffsetSkip[] = [];
  for (const t of database.tables) {
    const key = keyColumn(t);
    if (!key || !key.autoIncrement) {
      skipped.push({ table: t.name, reason: 'no AUTO_INCREMENT column' });
      continue;
    }
    const to = offsetFor(t.name, key.dataType, key.unsigned);
    if (to === undefined) {
      skipped.push({ table: t.name, reason: `${key.dataType} key: its whole range is too small to offset` });
      continue;
    }
    if (t.autoIncrement !== null && t.autoIncrement >= to) {
      skipped.push({ table: t.name, reason: `counter already at ${t.autoIncrement} (never lowered)` });
      continue;
    }
    changes.push({ table: t.name, column: key.name, dataType: key.dataType, unsigned: key.unsigned, from: t.autoIncrement, to });
  }
  return { changes, skipped };
}

/** Whether `offsets` may write to this database: its name must say it is for tests. */
export function offsetsAllowed(database: string, allow: readonly string[]): boolean {
  return allow.length > 0 && picomatch(allow as string[])(database);
}
