/**
 * Counter offsets for test databases — the canary (Intercom's Rails World 2024
 * trick; discourse/discourse-prometheus#98): every table starts its ids at a
 * distinct value derived from a hash of its name (no two tables of the database
 * share one, so an id of one table passed where another's belongs finds no row),
 * and tables with a BIGINT key start above 2^32, so an INT column that stores one
 * of their ids fails the test suite instead of production. Pure; applying is in
 * src/introspect/offsets.ts.
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
/** BIGINT tables: 2^32 + slot × 10^9 + 1 (10^6 slots): up to ~10^15, far below the BIGINT max; 10^9 ids of room each. */
const BIG_SLOTS = 1_000_000n;
const BIG_STRIDE = 1_000_000_000n;
/** INT tables: (slot + 1) × 10^6 + 1 (never the fresh counter 1), below half the type's max (1,073 slots signed, 2,147 unsigned), so half the range stays free for the suite. */
const INT_STRIDE = 1_000_000n;
/** Probe rounds with a fresh hash each before falling back to the next free slot in order. */
const ROUNDS = 64;

export function tableHash(name: string, round = 0): bigint {
  // Round 0 hashes the name alone (the value a table gets when nothing collides with it).
  const input = round === 0 ? name : `${name}\u0000${round}`;
  return BigInt('0x' + createHash('sha256').update(input).digest('hex').slice(0, 12));
}

interface Grid {
  base: bigint;
  stride: bigint;
  slots: bigint;
}

function gridFor(dataType: IntType, unsigned: boolean): Grid | undefined {
  if (dataType === 'bigint') return { base: TWO_32, stride: BIG_STRIDE, slots: BIG_SLOTS };
  if (dataType === 'int') {
    // Every value stride + slot × stride + 1 stays below max / 2.
    const limit = typeMax({ dataType, unsigned }) / 2n;
    return { base: INT_STRIDE, stride: INT_STRIDE, slots: (limit - 2n - INT_STRIDE) / INT_STRIDE + 1n };
  }
  return undefined;
}

const valueAt = (g: Grid, slot: bigint) => g.base + slot * g.stride + 1n;

/**
 * The starting AUTO_INCREMENT a table prefers: its name's hash picks the slot. Undefined for types
 * too small to offset. Within a database `planOffsets` keeps this value unless another table
 * wants the same one (then see `assignOffsets`).
 */
export function offsetFor(table: string, dataType: IntType, unsigned: boolean): bigint | undefined {
  const g = gridFor(dataType, unsigned);
  return g ? valueAt(g, tableHash(table) % g.slots) : undefined;
}

/**
 * A distinct starting value for every table, deterministically (the same names and types give the
 * same values, whatever order they come in) and still derived from each name, so values stay put as
 * tables are added. In rounds: every table still without a value asks for the slot its name's
 * round-r hash picks; a slot wanted by several goes to the first name in code-unit order, the rest
 * try again with the next round's hash; after 64 rounds a table takes the next free slot after its
 * own. A new table therefore moves an existing one only when both want the same slot and the new
 * name sorts first (or, rarer still, further down that chain). INT and BIGINT tables have disjoint
 * ranges (below 2^31 and above 2^32), so every value is distinct within the set. Tables that do not
 * fit (more INT tables than slots) are left out of the map.
 */
export function assignOffsets(tables: readonly { name: string; dataType: IntType; unsigned: boolean }[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const taken = new Set<bigint>();
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  let pending = [...new Map(tables.map((t) => [t.name, t])).values()].filter((t) => gridFor(t.dataType, t.unsigned)).sort(byName);
  for (let round = 0; round < ROUNDS && pending.length > 0; round++) {
    const next: typeof pending = [];
    for (const t of pending) {
      const g = gridFor(t.dataType, t.unsigned)!;
      const v = valueAt(g, tableHash(t.name, round) % g.slots);
      if (taken.has(v)) next.push(t);
      else {
        taken.add(v);
        out.set(t.name, v);
      }
    }
    pending = next;
  }
  for (const t of pending) {
    const g = gridFor(t.dataType, t.unsigned)!;
    const first = tableHash(t.name) % g.slots;
    for (let k = 0n; k < g.slots; k++) {
      const v = valueAt(g, (first + k) % g.slots);
      if (!taken.has(v)) {
        taken.add(v);
        out.set(t.name, v);
        break;
      }
    }
  }
  return out;
}

export function planOffsets(database: Database): { changes: OffsetChange[]; skipped: OffsetSkip[] } {
  const changes: OffsetChange[] = [];
  const skipped: OffsetSkip[] = [];
  const keyed = database.tables.flatMap((t) => {
    const key = keyColumn(t);
    return key && key.autoIncrement ? [{ table: t, key }] : [];
  });
  // Every table with a counter takes part, also one skipped below (already offset): the values do not depend on the counters.
  const assigned = assignOffsets(keyed.map(({ table, key }) => ({ name: table.name, dataType: key.dataType, unsigned: key.unsigned })));
  for (const t of database.tables) {
    const key = keyColumn(t);
    if (!key || !key.autoIncrement) {
      skipped.push({ table: t.name, reason: 'no AUTO_INCREMENT column' });
      continue;
    }
    if (!gridFor(key.dataType, key.unsigned)) {
      skipped.push({ table: t.name, reason: `${key.dataType} key: its whole range is too small to offset` });
      continue;
    }
    const to = assigned.get(t.name);
    if (to === undefined) {
      skipped.push({ table: t.name, reason: `no distinct ${key.dataType} starting value left (more tables than slots)` });
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
