/**
 * Raw catalog rows → model. Pure: no I/O, testable on recorded rows.
 *
 * `CatalogBuilder` takes rows one at a time, as they come off the wire (collect.ts streams them),
 * so a server's raw rows are never all held at once. Tenant fleets repeat the same tables in
 * thousands of databases, so the builder shares what is identical: one string per distinct name,
 * one frozen Column / Index object and one frozen columns / indexes / primary-key array per
 * distinct shape. A table then costs its own name, sizes, counter and foreign keys, not a copy
 * of its structure (docs/scan-cost.md, "Memory"). Shared parts are frozen: nothing may edit them.
 */
import { parseIntegerType, toBigInt } from '../model/integers.js';
import { type Column, type Database, type ForeignKey, type Index, type Table, compareText } from '../model/types.js';
import type { MaxTarget, RawColumnRow, RawForeignKeyRow, RawIndexRow, RawMaxRow, RawTableRow, RawTriggerRow } from './queries.js';

export interface RawCatalog {
  tables: RawTableRow[];
  columns: RawColumnRow[];
  indexes: RawIndexRow[];
  foreignKeys: RawForeignKeyRow[];
  triggers: RawTriggerRow[];
}

/**
 * One row of each catalog read, as an array in the order of the statement's select list
 * (queries.ts `*_FIELDS`: the same order, checked by a unit test).
 */
export type TableTuple = [db: string, tableName: string, engine: string | null, tableRows: unknown, dataLength: unknown, indexLength: unknown, autoIncrement: unknown];
export type ColumnTuple = [db: string, tableName: string, columnName: string, position: unknown, dataType: string, columnType: string, isNullable: string, extra: string, columnDefault: string | null, comment: string];
export type IndexTuple = [db: string, tableName: string, indexName: string, nonUnique: unknown, seq: unknown, columnName: string];
export type ForeignKeyTuple = [db: string, tableName: string, constraintName: string, columnName: string, position: unknown, referencedDb: string, referencedTable: string, referencedColumn: string];
export type ForeignKeyRuleTuple = [db: string, tableName: string, constraintName: string, updateRule: string | null, deleteRule: string | null];
export type TriggerTuple = [db: string, tableName: string, triggers: unknown];

/**
 * A table while its rows arrive. Kept small, since this is what a server's catalog costs at the
 * peak of a scan: its column, index and foreign-key rows are chained through three flat arrays
 * shared by all tables (head and tail positions here), not held in arrays of their own.
 */
interface Pending {
  table: Table;
  /** A TABLES row arrived (the other reads also see views, and tables created in between). */
  seen: boolean;
  /** First and last row in `cols` / `idx` / `fks` (−1: none). */
  ch: number;
  ct: number;
  ih: number;
  it: number;
  fh: number;
  ft: number;
}

interface ListNode {
  next: Map<object, ListNode>;
  list: readonly object[] | undefined;
}

/** Every table's maxValues until a MAX() answer arrives for it (applyMaxValues). */
const NO_MAX_VALUES: Record<string, bigint | null> = Object.freeze({}) as Record<string, bigint | null>;

/** Values per row in the chains (the last one is the next row's position, −1 at the end). */
const COL = 2; // column, next
const IDX = 5; // name, unique, seq, column, next
const FK = 7; // constraint, position, column, referenced db, table, column, next

export class CatalogBuilder {
  private readonly strings = new Map<string, string>();
  private readonly shared = new Map<string, object>();
  private readonly byDb = new Map<string, Map<string, Pending>>();
  private readonly rules = new Map<string, [string | null, string | null]>();
  /** The row chains (see Pending). */
  private cols: (Column | number)[] = [];
  private idx: (string | boolean | number)[] = [];
  private fks: (string | number)[] = [];
  /** ORDINAL_POSITION of each shared column (part of what makes two columns the same). */
  private readonly positions = new Map<Column, number>();
  /** Shared by every table without indexes, foreign keys or a primary key. */
  private readonly empty: never[] = Object.freeze([]) as unknown as never[];

  /** One string per distinct value (names repeat in every tenant database). */
  private s(v: string): string;
  private s(v: string | null): string | null;
  private s(v: string | null): string | null {
    if (v === null) return null;
    const hit = this.strings.get(v);
    if (hit !== undefined) return hit;
    this.strings.set(v, v);
    return v;
  }

  private readonly smallInts = new Map<unknown, bigint>();
  /** Sizes and counters as bigint; small values (0, 16384, …) repeat across tenants: one each. */
  private n(v: unknown): bigint | null {
    if (v === null || v === undefined) return null;
    const hit = this.smallInts.get(v);
    if (hit !== undefined) return hit;
    const b = toBigInt(v)!;
    if (b >= 0n && b < 1_000_000n) this.smallInts.set(v, b);
    return b;
  }

  /** One frozen object per distinct key. */
  private share<T extends object>(key: string, make: () => T): T {
    const hit = this.shared.get(key);
    if (hit) return hit as T;
    const v = Object.freeze(make());
    this.shared.set(key, v);
    return v;
  }

  /** The last table each kind of row went to (rows of one table arrive together): db, table, Pending. */
  private readonly last: [string, string, Pending][] = [];

  /** `slot`: which read asks (each read's rows come grouped by table; reads interleave). */
  private pending(db: string, tableName: string, slot: number): Pending {
    const l = this.last[slot];
    if (l && l[1] === tableName && l[0] === db) return l[2];
    const p = this.lookup(db, tableName);
    this.last[slot] = [db, tableName, p];
    return p;
  }

  private lookup(db: string, tableName: string): Pending {
    let tables = this.byDb.get(db);
    if (!tables) this.byDb.set(this.s(db), (tables = new Map()));
    let p = tables.get(tableName);
    if (!p) {
      const name = this.s(tableName);
      p = {
        table: {
          name,
          engine: null,
          rowsEstimate: null,
          dataBytes: null,
          indexBytes: null,
          autoIncrement: null,
          primaryKey: this.empty,
          columns: this.empty,
          indexes: this.empty,
          foreignKeys: this.empty,
          triggers: 0,
          maxValues: NO_MAX_VALUES,
        },
        seen: false,
        ch: -1,
        ct: -1,
        ih: -1,
        it: -1,
        fh: -1,
        ft: -1,
      };
      tables.set(name, p);
    }
    return p;
  }

  table(r: TableTuple): void {
    const p = this.pending(r[0], r[1], 0);
    const t = p.table;
    p.seen = true;
    t.engine = this.s(r[2]);
    t.rowsEstimate = this.n(r[3]);
    t.dataBytes = this.n(r[4]);
    t.indexBytes = this.n(r[5]);
    t.autoIncrement = this.n(r[6]);
  }

  column(r: ColumnTuple): void {
    const column = this.sharedColumn(r);
    if (!column) return;
    const p = this.pending(r[0], r[1], 1);
    const at = this.cols.length;
    this.cols.push(column, -1);
    if (p.ct < 0) p.ch = at;
    else this.cols[p.ct + COL - 1] = at;
    p.ct = at;
  }

  /** Columns seen so far by name, with the row they came from: the same row gives the same Column. */
  private readonly columnsByName = new Map<string, { row: ColumnTuple; column: Column | null }[]>();

  private sharedColumn(r: ColumnTuple): Column | null {
    const name = r[2];
    let seen = this.columnsByName.get(name);
    if (seen) {
      for (const x of seen) {
        const o = x.row;
        // Same position, type, nullability, extra, default and comment (compared as sent).
        if (o[5] === r[5] && o[3] == r[3] && o[6] === r[6] && o[7] === r[7] && o[8] === r[8] && o[9] === r[9]) return x.column;
      }
    } else this.columnsByName.set(this.s(name), (seen = []));
    const [, , , position, , columnType, isNullable, extra, columnDefault, comment] = r;
    const type = parseIntegerType(columnType);
    let column: Column | null = null;
    if (type) {
      const c: Column = { name: this.s(name), columnType: this.s(columnType), ...type, nullable: isNullable.toUpperCase() === 'YES', autoIncrement: /\bauto_increment\b/i.test(extra) };
      if (columnDefault !== undefined) c.default = this.s(columnDefault);
      if (comment) c.comment = this.s(comment);
      column = Object.freeze(c);
      this.positions.set(column, Number(position));
    }
    seen.push({ row: [r[0], r[1], this.s(name), position, r[4], this.s(columnType), isNullable, extra, columnDefault, comment], column });
    return column;
  }

  index(r: IndexTuple): void {
    const p = this.pending(r[0], r[1], 2);
    const at = this.idx.length;
    this.idx.push(this.s(r[2]), Number(r[3]) === 0, Number(r[4]), this.s(r[5]), -1);
    if (p.it < 0) p.ih = at;
    else this.idx[p.it + IDX - 1] = at;
    p.it = at;
  }

  foreignKey(r: ForeignKeyTuple): void {
    const p = this.pending(r[0], r[1], 3);
    const at = this.fks.length;
    this.fks.push(this.s(r[2]), Number(r[4]), this.s(r[3]), this.s(r[5]), this.s(r[6]), this.s(r[7]), -1);
    if (p.ft < 0) p.fh = at;
    else this.fks[p.ft + FK - 1] = at;
    p.ft = at;
  }

  /** REFERENTIAL_CONSTRAINTS: ON UPDATE / ON DELETE of a constraint (read apart, joined here). */
  foreignKeyRule(r: ForeignKeyRuleTuple): void {
    this.rules.set(`${r[0]}\u0000${r[1]}\u0000${r[2]}`, [this.s(r[3]), this.s(r[4])]);
  }

  trigger(r: TriggerTuple): void {
    this.pending(r[0], r[1], 4).table.triggers = Number(r[2]);
  }

  /** `databases`: every matched database, so that one without tables is still counted as scanned. */
  finish(databases: readonly string[] = []): Database[] {
    const out = new Map<string, Database>(databases.map((name) => [name, { name, tables: [] }]));
    for (const [dbName, tables] of this.byDb) {
      let d = out.get(dbName);
      for (const p of tables.values()) {
        if (!p.seen) continue; // a view's column, or a table created between two reads
        if (!d) out.set(dbName, (d = { name: dbName, tables: [] }));
        d.tables.push(this.complete(dbName, p));
      }
    }
    this.byDb.clear();
    this.rules.clear();
    this.last.length = 0;
    this.columnsByName.clear();
    this.cols = [];
    this.idx = [];
    this.fks = [];
    const list = [...out.values()].sort((a, b) => compareText(a.name, b.name));
    for (const d of list) d.tables.sort((a, b) => compareText(a.name, b.name));
    return list;
  }

  private complete(dbName: string, p: Pending): Table {
    const t = p.table;
    // Columns in ORDINAL_POSITION order (the server sends them so; sort only when it did not).
    if (p.ch >= 0) {
      let cols: Column[] = [];
      for (let i = p.ch; i >= 0; i = this.cols[i + COL - 1] as number) cols.push(this.cols[i] as Column);
      for (let i = 1; i < cols.length; i++) {
        if (this.positions.get(cols[i]!)! < this.positions.get(cols[i - 1]!)!) {
          cols = [...cols].sort((a, b) => this.positions.get(a)! - this.positions.get(b)!);
          break;
        }
      }
      t.columns = this.sharedList(cols);
    }

    if (p.ih >= 0) {
      // Rows of one index arrive together, in SEQ_IN_INDEX order (sorted below when they did not).
      const ir = this.idx;
      const list: Index[] = [];
      let name = '';
      let unique = false;
      let cols: [number, string][] = [];
      const flush = () => {
        if (!cols.length) return;
        const ordered = cols.length === 1 ? [cols[0]![1]] : cols.sort((x, y) => x[0] - y[0]).map((c) => c[1]);
        const index = this.shareIndex(name, unique, ordered);
        if (name === 'PRIMARY') t.primaryKey = index.columns;
        list.push(index);
      };
      for (let i = p.ih; i >= 0; i = ir[i + IDX - 1] as number) {
        const n = ir[i] as string;
        if (n !== name) {
          flush();
          // An index whose rows were split by another's: regroup the slow way.
          if (list.some((x) => x.name === n)) return this.completeSlowIndexes(t, p, dbName);
          name = n;
          unique = ir[i + 1] as boolean;
          cols = [];
        }
        cols.push([ir[i + 2] as number, ir[i + 3] as string]);
      }
      flush();
      if (list.length > 1) list.sort((x, y) => (x.name === 'PRIMARY' ? -1 : y.name === 'PRIMARY' ? 1 : compareText(x.name, y.name)));
      t.indexes = this.sharedList(list);
    }

    return this.completeForeignKeys(t, p, dbName);
  }

  /** Indexes when one index's rows did not arrive together (never seen from MariaDB; kept correct anyway). */
  private completeSlowIndexes(t: Table, p: Pending, dbName: string): Table {
    const ir = this.idx;
    const byName = new Map<string, { unique: boolean; cols: [number, string][] }>();
    for (let i = p.ih; i >= 0; i = ir[i + IDX - 1] as number) {
      const name = ir[i] as string;
      let idx = byName.get(name);
      if (!idx) byName.set(name, (idx = { unique: ir[i + 1] as boolean, cols: [] }));
      idx.cols.push([ir[i + 2] as number, ir[i + 3] as string]);
    }
    const list: Index[] = [];
    for (const [name, idx] of byName) {
      const index = this.shareIndex(name, idx.unique, idx.cols.sort((a, b) => a[0] - b[0]).map((c) => c[1]));
      if (name === 'PRIMARY') t.primaryKey = index.columns;
      list.push(index);
    }
    list.sort((a, b) => (a.name === 'PRIMARY' ? -1 : b.name === 'PRIMARY' ? 1 : compareText(a.name, b.name)));
    t.indexes = this.sharedList(list);
    return this.completeForeignKeys(t, p, dbName);
  }

  private shareIndex(name: string, unique: boolean, columns: string[]): Index {
    return this.share(`i\u0001${name}\u0001${unique}\u0001${columns.join('\u0002')}`, () => ({ name, unique, columns: Object.freeze(columns) as string[] }));
  }

  private completeForeignKeys(t: Table, p: Pending, dbName: string): Table {
    if (p.fh >= 0) {
      const fr = this.fks;
      const fks: ForeignKey[] = [];
      const byName = new Map<string, [number, string, string, string, string][]>();
      for (let i = p.fh; i >= 0; i = fr[i + FK - 1] as number) {
        const name = fr[i] as string;
        let rows = byName.get(name);
        if (!rows) byName.set(name, (rows = []));
        rows.push([fr[i + 1] as number, fr[i + 2] as string, fr[i + 3] as string, fr[i + 4] as string, fr[i + 5] as string]);
      }
      for (const [name, rows] of byName) {
        rows.sort((a, b) => a[0] - b[0]);
        const fk: ForeignKey = {
          name,
          columns: rows.map((r) => r[1]),
          referencedDatabase: rows[0]![2],
          referencedTable: rows[0]![3],
          referencedColumns: rows.map((r) => r[4]),
        };
        const rule = this.rules.get(`${dbName}\u0000${t.name}\u0000${name}`);
        if (rule?.[0]) fk.onUpdate = rule[0];
        if (rule?.[1]) fk.onDelete = rule[1];
        fks.push(fk);
      }
      // slice: an array exactly as long as its keys (one built by push keeps spare room).
      t.foreignKeys = fks.sort((a, b) => compareText(a.name, b.name)).slice();
    }
    return t;
  }

  /** Shared lists, found by walking their items (no key strings): item → next level; `list` at the end. */
  private readonly lists: ListNode = { next: new Map(), list: undefined };

  /** One frozen array per distinct sequence of (shared) items. */
  private sharedList<T extends object>(items: T[]): T[] {
    if (items.length === 0) return this.empty;
    let node = this.lists;
    for (const x of items) {
      let n = node.next.get(x);
      if (!n) node.next.set(x, (n = { next: new Map(), list: undefined }));
      node = n;
    }
    return (node.list ??= Object.freeze(items)) as T[];
  }
}

const TABLE_KEYS = ['db', 'tableName', 'engine', 'tableRows', 'dataLength', 'indexLength', 'autoIncrement'] as const;
const COLUMN_KEYS = ['db', 'tableName', 'columnName', 'position', 'dataType', 'columnType', 'isNullable', 'extra', 'columnDefault', 'comment'] as const;
const INDEX_KEYS = ['db', 'tableName', 'indexName', 'nonUnique', 'seq', 'columnName'] as const;
const FK_KEYS = ['db', 'tableName', 'constraintName', 'columnName', 'position', 'referencedDb', 'referencedTable', 'referencedColumn'] as const;
const TRIGGER_KEYS = ['db', 'tableName', 'triggers'] as const;

function tuple<T>(row: object, keys: readonly string[]): T {
  return keys.map((k) => (row as Record<string, unknown>)[k]) as T;
}

/** The whole catalog at once (recorded rows, tests, `lint`): the same builder, fed from arrays. */
export function normalizeCatalog(raw: RawCatalog, databases: readonly string[] = []): Database[] {
  const b = new CatalogBuilder();
  for (const r of raw.tables) b.table(tuple(r, TABLE_KEYS));
  for (const r of raw.columns) b.column(tuple(r, COLUMN_KEYS));
  for (const r of raw.indexes) b.index(tuple(r, INDEX_KEYS));
  for (const r of raw.foreignKeys) {
    b.foreignKey(tuple(r, FK_KEYS));
    if (r.updateRule !== undefined || r.deleteRule !== undefined) b.foreignKeyRule([r.db, r.tableName, r.constraintName, r.updateRule ?? null, r.deleteRule ?? null]);
  }
  for (const r of raw.triggers) b.trigger(tuple(r, TRIGGER_KEYS));
  return b.finish(databases);
}

/** Tables by database and name, for applyMaxValues (built once per shard, not once per batch). */
export function tableIndex(databases: Database[]): Map<string, Map<string, Table>> {
  return new Map(databases.map((d) => [d.name, new Map(d.tables.map((t) => [t.name, t]))]));
}

/** Merge MAX() answers (matched by position in `targets`) into the tables. */
export function applyMaxValues(databases: Database[] | Map<string, Map<string, Table>>, targets: MaxTarget[], rows: RawMaxRow[]): void {
  const byName = databases instanceof Map ? databases : tableIndex(databases);
  for (const row of rows) {
    const target = targets[Number(row.i)];
    if (!target) continue;
    const t = byName.get(target.database)?.get(target.table);
    if (!t) continue;
    // Tables share one frozen empty maxValues until their first MAX() answer.
    if (t.maxValues === NO_MAX_VALUES) t.maxValues = {};
    t.maxValues[target.column] = toBigInt(row.v);
  }
}
