import type { Thresholds } from '../config/types.js';
import { reaches } from '../model/ratio.js';
import { typeMax } from '../model/integers.js';
import { displayRatio } from '../model/ratio.js';
import type { Column, Finding, Severity } from '../model/types.js';

/** Severity of a key at `current` out of `max`, or undefined when below the warning threshold. Exact. */
export function capacitySeverity(current: bigint, max: bigint, t: Thresholds): Severity | undefined {
  if (reaches(current, max, t.critical)) return 'critical';
  if (reaches(current, max, t.warning)) return 'warning';
  return undefined;
}

export function findingId(check: string, shard: string, database: string, table: string, column: string): string {
  return `${check}:${shard}/${database}/${table}.${column}`;
}

/** 1874919423 → "1,874,919,423" (bigint-safe). */
export function groupDigits(n: bigint): string {
  const s = (n < 0n ? -n : n).toString();
  return (n < 0n ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `ratio` as a percentage; never shows 100% for a key that still has ids left (`full` false). */
export function percent(ratio: number, full = ratio >= 1): string {
  const p = ratio * 100;
  if (!full && p >= 99.99) return '>99.99%';
  return `${p >= 99.95 && p < 100 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/**
 * The fields every finding about one column has: stable id, where, the column's type and max,
 * and current/ratio (ratio only when `current` is known and `withRatio`).
 */
export function columnFinding(
  check: string,
  severity: Severity,
  where: { shard: string; database: string; table: string },
  column: Column,
  current: bigint | null,
  message: string,
  withRatio = true,
): Finding {
  const max = typeMax(column);
  return {
    id: findingId(check, where.shard, where.database, where.table, column.name),
    check,
    severity,
    shard: where.shard,
    database: where.database,
    table: where.table,
    column: column.name,
    dataType: column.dataType,
    unsigned: column.unsigned,
    max,
    current,
    ratio: withRatio && current !== null ? displayRatio(current, max) : null,
    message,
  };
}
