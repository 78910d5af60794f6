/**
 * Raw catalog rows → model. Pure: no I/O, testable on recorded rows.
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

const key = (db: string, table: string) => `${db}\u0000${table}`;

/** `databases`: every matched database, so that one without tables is still counted as scanned. */
export function normalizeCatalog(raw: RawCatalog, databases: readonly string[] = []): Database[] {
  const tables = new Map<string, Table & { db: string }>();
  for (const r of raw.tables) {
    tables.set(key(r.db, r.tableName), {
      db: r.db,
      name: r.tableName,
      engine: r.engine,
      rowsEstimate: toBigInt(r.tableRows),
      dataBytes: toBigInt(r.dataLength),
      indexBytes: toBigInt(r.indexLength),
      autoIncrement: toBigInt(r.autoIncrement),
      primaryKey: [],
      columns: [],
      indexes: [],
      foreignKeys: [],
      triggers: 0,
      maxValues: {},
    });
  }

  // Rows arrive in any order; columns are put in ORDINAL_POSITION order per table below.
  const positions = new Map<Column, number>();
  for (const r of raw.columns) {
    const t = tables.get(key(r.db, r.tableName));
    if (!t) continue; // a view's column, or a table created between the two reads
    const type = parseIntegerType(r.columnType);
    if (!type) continue;
    const column: Column = {
      name: r.columnName,
      columnType: r.columnType,
      ...type,
      nullable: r.isNullable.toUpperCase() === 'YES',
      autoIncrement: /\bauto_increment\b/i.test(r.extra),
    };
    if (r.columnDefault !== undefined) column.default = r.columnDefault;
    if (r.comment) column.comment = r.comment;
    t.columns.push(column);
    positions.set(column, Number(r.position));
  }
  for (const t of tables.values()) if (t.columns.length > 1) t.columns.sort((a, b) => positions.get(a)! - positions.get(b)!);

  const indexes = new Map<string, Map<string, { unique: boolean; cols: [number, string][] }>>();
  for (const r of raw.indexes) {
    const k = key(r.db, r.tableName);
    if (!tables.has(k)) continue;
    let byName = indexes.get(k);
    if (!byName) indexes.set(k, (byName = new Map()));
    let idx = byName.get(r.indexName);
    if (!idx) byName.set(r.indexName, (idx = { unique: Number(r.nonUnique) === 0, cols: [] }));
    idx.cols.push([Number(r.seq), r.columnName]);
  }
  for (const [k, byName] of indexes) {
    const t = tables.get(k)!;
    for (const [name, idx] of byName) {
      const cols = idx.cols.sort((a, b) => a[0] - b[0]).map((c) => c[1]);
      const index: Index = { name, unique: idx.unique, columns: cols };
      if (name === 'PRIMARY') t.primaryKey = cols;
      t.indexes.push(index);
    }
    t.indexes.sort((a, b) => (a.name === 'PRIMARY' ? -1 : b.name === 'PRIMARY' ? 1 : compareText(a.name, b.name)));
  }

  const fks = new Map<string, Map<string, { fk: ForeignKey; cols: [number, string, string][] }>>();
  for (const r of raw.foreignKeys) {
    const k = key(r.db, r.tableName);
    if (!tables.has(k)) continue;
    let byName = fks.get(k);
    if (!byName) fks.set(k, (byName = new Map()));
    let entry = byName.get(r.constraintName);
    if (!entry) {
      const fk: ForeignKey = {
        name: r.constraintName,
        columns: [],
        referencedDatabase: r.referencedDb,
        referencedTable: r.referencedTable,
        referencedColumns: [],
      };
      if (r.updateRule) fk.onUpdate = r.updateRule;
      if (r.deleteRule) fk.onDelete = r.deleteRule;
      byName.set(r.constraintName, (entry = { fk, cols: [] }));
    }
    entry.cols.push([Number(r.position), r.columnName, r.referencedColumn]);
  }
  for (const [k, byName] of fks) {
    const t = tables.get(k)!;
    for (const { fk, cols } of byName.values()) {
      cols.sort((a, b) => a[0] - b[0]);
      fk.columns = cols.map((c) => c[1]);
      fk.referencedColumns = cols.map((c) => c[2]);
      t.foreignKeys.push(fk);
    }
    t.foreignKeys.sort((a, b) => compareText(a.name, b.name));
  }

  for (const r of raw.triggers) {
    const t = tables.get(key(r.db, r.tableName));
    if (t) t.triggers = Number(r.triggers);
  }

  const dbs = new Map<string, Database>(databases.map((name) => [name, { name, tables: [] }]));
  for (const t of tables.values()) {
    let d = dbs.get(t.db);
    if (!d) dbs.set(t.db, (d = { name: t.db, tables: [] }));
    const { db: _db, ...table } = t;
    d.tables.push(table);
  }
  const out = [...dbs.values()].sort((a, b) => compareText(a.name, b.name));
  for (const d of out) d.tables.sort((a, b) => compareText(a.name, b.name));
  return out;
}

/** Merge MAX() answers (matched by position in `targets`) into the tables. */
export function applyMaxValues(databases: Database[], targets: MaxTarget[], rows: RawMaxRow[]): void {
  const byKey = new Map<string, Table>();
  for (const d of databases) for (const t of d.tables) byKey.set(key(d.name, t.name), t);
  for (const row of rows) {
    const target = targets[Number(row.i)];
    if (!target) continue;
    const t = byKey.get(key(target.database, target.table));
    if (t) t.maxValues[target.column] = toBigInt(row.v);
  }
}
