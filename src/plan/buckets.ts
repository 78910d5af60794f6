/**
 * Items 0 … n−1 grouped by a key object, each group in item order. One flat index for all the
 * groups instead of an array per key: the planner groups ~130k relationships under ~50k columns
 * per 100k tables, and an array grown by push keeps room for ~16 more items, which every GC copies
 * while the plan is built.
 */
export class Buckets<K> {
  private readonly slots = new Map<K, number>();
  /** Group s is items[starts[s]] … items[starts[s + 1] − 1]. */
  private readonly starts: Int32Array;
  private readonly items: Int32Array;

  /** `keys[i]`: the group of item i; undefined leaves it out. */
  constructor(keys: readonly (K | undefined)[]) {
    const n = keys.length;
    const slotOf = new Int32Array(n);
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      if (key === undefined) {
        slotOf[i] = -1;
        continue;
      }
      let s = this.slots.get(key);
      if (s === undefined) {
        s = counts.length;
        this.slots.set(key, s);
        counts.push(0);
      }
      counts[s]!++;
      slotOf[i] = s;
    }
    this.starts = new Int32Array(counts.length + 1);
    for (let s = 0; s < counts.length; s++) this.starts[s + 1] = this.starts[s]! + counts[s]!;
    const next = this.starts.slice(0, counts.length);
    this.items = new Int32Array(this.starts[counts.length]!);
    for (let i = 0; i < n; i++) {
      const s = slotOf[i]!;
      if (s >= 0) this.items[next[s]!++] = i;
    }
  }

  /** The items of `key`'s group, in item order (empty when it has none). */
  get(key: K): Int32Array {
    const s = this.slots.get(key);
    return s === undefined ? NONE : this.items.subarray(this.starts[s]!, this.starts[s + 1]!);
  }

  /** How many groups there are. */
  get size(): number {
    return this.slots.size;
  }
}

const NONE = new Int32Array(0);

/**
 * A number per (database, table[, column]) name of one shard: the identity the planner uses for
 * columns and tables. Never the catalog's objects: tenant tables share their Column objects (and
 * any two columns defined alike share one), so an object names a shape, not a column.
 */
export class NameIds {
  private readonly ids = new Map<string, Map<string, Map<string, number>>>();
  private next = 0;

  /** The id of `database.table.column` (`column` '' for the table itself); a new one the first time. */
  id(database: string, table: string, column = ''): number {
    let tables = this.ids.get(database);
    if (!tables) this.ids.set(database, (tables = new Map()));
    let columns = tables.get(table);
    if (!columns) tables.set(table, (columns = new Map()));
    let id = columns.get(column);
    if (id === undefined) columns.set(column, (id = this.next++));
    return id;
  }
}
