/**
 * Which column of a table hands out ids, and how far it has got. Pure.
 */
import { typeMax } from './integers.js';
import type { Column, Index, ShardSnapshot, Table } from './types.js';

/**
 * The column whose values the table hands out: its AUTO_INCREMENT column, or
 * else a single-column integer primary key (ids assigned by the application).
 */
export function keyColumn(table: Table): Column | undefined {
  const auto = table.columns.find((c) => c.autoIncrement);
  if (auto) return auto;
  if (table.primaryKey.length !== 1) return undefined;
  const pk = table.primaryKey[0];
  return table.columns.find((c) => c.name === pk);
}

/** True when MAX(column) is one index dive (the column leads some index). */
export function leadsIndex(table: Table, column: string): boolean {
  return table.indexes.some((i: Index) => i.columns[0] === column);
}

/**
 * The highest value already handed out for this column, or null when unknown
 * (no counter read and no MAX() read, or an empty table without a counter).
 *
 * `AUTO_INCREMENT` is the NEXT value, so the current one is AUTO_INCREMENT − 1;
 * a MAX() read, where there is one, wins when it is larger (a counter that was
 * stale or reset).
 */
/**
 * Every table key of a shard with a known current value, in catalog order — except keys fed by a
 * Vitess global sequence (sequence-capacity measures those once, fleet-wide). What pk-capacity
 * checks and the Prometheus key gauges export.
 */
export function* countedKeys(shard: ShardSnapshot): Generator<{ database: string; table: Table; key: Column; current: bigint }> {
  for (const d of shard.databases) {
    for (const t of d.tables) {
      const key = keyColumn(t);
      if (!key || t.sequence?.column === key.name) continue;
      const current = currentValue(t, key.name);
      if (current !== null) yield { database: d.name, table: t, key, current };
    }
  }
}

export function currentValue(table: Table, columnName: string): bigint | null {
  const column = table.columns.find((c) => c.name === columnName);
  let best: bigint | null = null;
  if (column?.autoIncrement && table.autoIncrement !== null) best = table.autoIncrement - 1n;
  const max = table.maxValues[columnName];
  if (max !== undefined && max !== null && (best === null || max > best)) best = max;
  // A Vitess global sequence feeds every shard: its counter is the key's current value.
  const seq = table.sequence;
  if (seq && seq.column === columnName && seq.current !== null && (best === null || seq.current > best)) best = seq.current;
  return best;
}

/**
 * Whether the counter alone answers `currentValue` (no MAX() needed).
 * A counter at the type's max cannot move on, so it no longer tells whether
 * that last id was handed out: MAX() decides.
 */
export function counterKnown(table: Table, column: Column): boolean {
  return column.autoIncrement && table.autoIncrement !== null && table.autoIncrement < typeMax(column);
}
