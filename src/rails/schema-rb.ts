/**
 * `db/schema.rb` → a one-database catalog (shard `lint`, database `schema`, like `lint --ddl`),
 * read with prism and never run, with the file position of every column: the lint gate on a
 * Rails app without a database in the pipeline.
 *
 *   create_table "categories", id: :integer do |t|        categories.id int, AUTO_INCREMENT key
 *     t.integer "parent_id", limit: 2                      smallint (limit is in bytes: 1, 2, 3, 4, 8)
 *     t.bigint "community_id", unsigned: true              bigint unsigned
 *     t.references "owner", polymorphic: true, type: :integer   owner_id int (owner_type is text)
 *   end
 *   add_foreign_key "listings", "categories"               listings.category_id → categories.id
 *
 * Only integer columns are kept (as a catalog read keeps them; `t.boolean` is MySQL's tinyint(1)).
 */
import type { SourcePosition } from '../lint/ddl-positions.js';
import type { Column, ForeignKey, IntType, ShardSnapshot, Table } from '../model/types.js';
import { Inflector } from './inflector.js';
import { LineIndex, type PrismParse } from './prism.js';
import { literal, type OptionValue } from './read.js';

type Node = any;

const kind = (n: Node): string => (n ? n.constructor.name : '');

export interface SchemaRb {
  shard: ShardSnapshot;
  /** table → column (lower case) → where it is defined (`file` as given). */
  positions: Map<string, Map<string, SourcePosition>>;
  /** What could not be read, with its line (a computed table name, an unknown `id:` type). */
  warnings: { file: string; line: number; message: string }[];
}

/** MySQL adapter: integer `limit:` in bytes → type. */
function limitType(limit: number | undefined): IntType {
  if (limit === undefined) return 'int';
  if (limit <= 1) return 'tinyint';
  if (limit === 2) return 'smallint';
  if (limit === 3) return 'mediumint';
  if (limit === 4) return 'int';
  return 'bigint';
}

export function readSchemaRb(text: string, file: string, parse: PrismParse, database = 'schema'): SchemaRb {
  const src = new LineIndex(text);
  const result = parse(text);
  const warnings: SchemaRb['warnings'] = [];
  if (result.errors.length) {
    const e = result.errors[0]!;
    throw new SchemaRbError(`${file}:${src.line(e.location.startOffset)}: Ruby syntax error: ${e.message}`);
  }
  const tables = new Map<string, Table>();
  const positions = new Map<string, Map<string, SourcePosition>>();
  const pending: { from: string; fk: ForeignKey; line: number }[] = [];
  const inflector = Inflector.withDefaults();
  const at = (n: Node): SourcePosition => ({ file, line: src.line(n.location.startOffset), column: src.column(n.location.startOffset) });
  const place = (table: string, column: string, n: Node) => {
    let m = positions.get(table);
    if (!m) positions.set(table, (m = new Map()));
    m.set(column.toLowerCase(), at(n));
  };
  const name = (n: Node): string | undefined => {
    const v = literal(n, src);
    return v && (v.kind === 'string' || v.kind === 'symbol') ? v.value : undefined;
  };
  const optionsOf = (args: Node[]): Map<string, OptionValue> => {
    const out = new Map<string, OptionValue>();
    for (const a of args) {
      if (kind(a) !== 'KeywordHashNode' && kind(a) !== 'HashNode') continue;
      for (const e of a.elements) {
        if (kind(e) !== 'AssocNode') continue;
        const k = name(e.key);
        if (k !== undefined) out.set(k, literal(e.value, src) ?? { kind: 'dynamic', text: src.text(e.value.location) });
      }
    }
    return out;
  };
  const hashOf = (n: Node): Map<string, OptionValue> | undefined => (kind(n) === 'HashNode' || kind(n) === 'KeywordHashNode' ? optionsOf([n]) : undefined);
  const str = (v: OptionValue | undefined): string | undefined => (v && (v.kind === 'string' || v.kind === 'symbol') ? v.value : undefined);
  // An integer literal reads as `dynamic` with its digits.
  const num = (v: OptionValue | undefined): number | undefined => (v?.kind === 'dynamic' && /^\d+$/.test(v.text) ? Number(v.text) : undefined);
  const yes = (v: OptionValue | undefined) => v?.kind === 'bool' && v.value;

  const column = (name: string, dataType: IntType, unsigned: boolean, nullable: boolean, autoIncrement: boolean, columnType?: string): Column => ({
    name,
    dataType,
    unsigned,
    zerofill: false,
    columnType: columnType ?? `${dataType}${unsigned ? ' unsigned' : ''}`,
    nullable,
    autoIncrement,
  });

  /** An integer type from a column method and its options, or undefined for a non-integer column. */
  const integerType = (method: string, opts: Map<string, OptionValue>): { dataType: IntType; unsigned: boolean; columnType?: string } | undefined => {
    const unsigned = yes(opts.get('unsigned'));
    switch (method) {
      case 'integer':
        return { dataType: limitType(num(opts.get('limit'))), unsigned };
      case 'bigint':
        return { dataType: 'bigint', unsigned };
      case 'unsigned_integer':
        return { dataType: limitType(num(opts.get('limit'))), unsigned: true };
      case 'unsigned_bigint':
        return { dataType: 'bigint', unsigned: true };
      case 'boolean':
        return { dataType: 'tinyint', unsigned: false, columnType: 'tinyint(1)' };
      default:
        return undefined;
    }
  };

  const createTable = (n: Node) => {
    const args: Node[] = n.arguments_?.arguments_ ?? [];
    const tableName = args[0] ? name(args[0]) : undefined;
    if (tableName === undefined) {
      warnings.push({ file, line: src.line(n.location.startOffset), message: 'create_table with a computed name: not read' });
      return;
    }
    const opts = optionsOf(args.slice(1));
    const t: Table = { name: tableName, engine: 'InnoDB', rowsEstimate: null, dataBytes: null, indexBytes: null, autoIncrement: null, primaryKey: [], columns: [], indexes: [], foreignKeys: [], triggers: 0, maxValues: {} };
    tables.set(tableName, t);
    const pkOpt = opts.get('primary_key');
    const pkNames = pkOpt?.kind === 'array' ? pkOpt.values.map((v) => str(v)).filter((v): v is string => v !== undefined) : str(pkOpt) !== undefined ? [str(pkOpt)!] : undefined;
    // id: false | :integer | :bigint | :uuid | { type: :integer, unsigned: true } (default: bigint AUTO_INCREMENT).
    const idOpt = opts.get('id');
    const idNode = args.slice(1).flatMap((a: Node) => (kind(a) === 'KeywordHashNode' || kind(a) === 'HashNode' ? a.elements : [])).find((e: Node) => kind(e) === 'AssocNode' && name(e.key) === 'id');
    const idHash = idNode ? hashOf(idNode.value) : undefined;
    let idType: { dataType: IntType; unsigned: boolean } | undefined | null = { dataType: 'bigint', unsigned: false };
    let auto = true;
    if (idOpt?.kind === 'bool' && !idOpt.value) idType = null;
    else if (idHash) {
      const type = str(idHash.get('type')) ?? 'bigint';
      idType = type === 'integer' ? { dataType: limitType(num(idHash.get('limit'))), unsigned: yes(idHash.get('unsigned')) } : type === 'bigint' ? { dataType: 'bigint', unsigned: yes(idHash.get('unsigned')) } : undefined;
      if (idHash.get('default')?.kind === 'nil' || idHash.has('default')) auto = false;
    } else if (idOpt && str(idOpt) !== undefined) {
      const type = str(idOpt)!;
      idType = type === 'integer' || type === 'primary_key' || type === 'serial' ? { dataType: 'int', unsigned: yes(opts.get('unsigned')) } : type === 'bigint' || type === 'bigserial' ? { dataType: 'bigint', unsigned: yes(opts.get('unsigned')) } : undefined;
      if (opts.has('default')) auto = false;
    }
    if (idType === null) {
      if (pkNames) t.primaryKey = pkNames;
    } else if (idType === undefined) {
      // A uuid or string key: not an integer, nothing to keep.
      t.primaryKey = pkNames ?? ['id'];
    } else if (!pkNames || pkNames.length === 1) {
      const pk = pkNames?.[0] ?? 'id';
      t.primaryKey = [pk];
      t.columns.push(column(pk, idType.dataType, idType.unsigned, false, auto));
      place(tableName, pk, n);
      t.indexes.push({ name: 'PRIMARY', unique: true, columns: [pk] });
    } else {
      t.primaryKey = pkNames;
    }
    if (t.primaryKey.length && !t.indexes.some((i) => i.name === 'PRIMARY')) t.indexes.push({ name: 'PRIMARY', unique: true, columns: t.primaryKey });
    const block = n.block;
    if (!block || kind(block) !== 'BlockNode' || !block.body) return;
    const param: string | undefined = block.parameters?.parameters?.requireds?.[0]?.name;
    for (const s of kind(block.body) === 'StatementsNode' ? block.body.body : [block.body]) {
      if (kind(s) !== 'CallNode' || kind(s.receiver) !== 'LocalVariableReadNode' || s.receiver.name !== param) continue;
      const method: string = s.name;
      const cargs: Node[] = s.arguments_?.arguments_ ?? [];
      const copts = optionsOf(cargs);
      const nullable = !(copts.get('null')?.kind === 'bool' && (copts.get('null') as { value: boolean }).value === false);
      if (method === 'index') {
        const cols = literal(cargs[0], src);
        const list = cols?.kind === 'array' ? cols.values.map(str).filter((v): v is string => v !== undefined) : str(cols) !== undefined ? [str(cols)!] : [];
        if (list.length) t.indexes.push({ name: str(copts.get('name')) ?? `index_${tableName}_on_${list.join('_and_')}`, unique: yes(copts.get('unique')), columns: list });
        continue;
      }
      if (method === 'references' || method === 'belongs_to') {
        const ref = cargs[0] ? name(cargs[0]) : undefined;
        if (!ref) continue;
        const type = str(copts.get('type')) ?? 'bigint';
        const it = integerType(type === 'integer' ? 'integer' : type, copts);
        const colName = `${ref}_id`;
        if (it) {
          t.columns.push(column(colName, it.dataType, it.unsigned, nullable, false));
          place(tableName, colName, s);
        }
        if (copts.get('index')?.kind !== 'bool' || yes(copts.get('index'))) t.indexes.push({ name: `index_${tableName}_on_${ref}_id`, unique: false, columns: yes(copts.get('polymorphic')) ? [`${ref}_type`, colName] : [colName] });
        const fk = copts.get('foreign_key');
        if (fk && !(fk.kind === 'bool' && !fk.value)) {
          const to = str(hashOfValue(s, 'foreign_key')?.get('to_table')) ?? inflector.pluralize(ref);
          pending.push({ from: tableName, fk: { name: `fk_rails_${tableName}_${colName}`, columns: [colName], referencedDatabase: database, referencedTable: to, referencedColumns: ['id'] }, line: src.line(s.location.startOffset) });
        }
        continue;
      }
      const colNode = cargs[0];
      const colName = colNode ? name(colNode) : undefined;
      if (!colName) continue;
      // t.column "x", :integer, limit: 8
      const m = method === 'column' ? str(literal(cargs[1], src)) ?? '' : method;
      const it = integerType(m, copts);
      if (!it) continue;
      const isPk = method === 'primary_key' || yes(copts.get('primary_key'));
      t.columns.push(column(colName, it.dataType, it.unsigned, nullable && !isPk, yes(copts.get('auto_increment')) || isPk, it.columnType));
      place(tableName, colName, s);
    }
  };

  /** The hash value of `key:` in a call's options (`foreign_key: { to_table: :people }`). */
  function hashOfValue(call: Node, key: string): Map<string, OptionValue> | undefined {
    for (const a of call.arguments_?.arguments_ ?? []) {
      if (kind(a) !== 'KeywordHashNode' && kind(a) !== 'HashNode') continue;
      for (const e of a.elements) if (kind(e) === 'AssocNode' && name(e.key) === key) return hashOf(e.value);
    }
    return undefined;
  }

  const visit = (n: Node) => {
    if (!n || typeof n !== 'object') return;
    if (kind(n) === 'CallNode' && n.receiver === null) {
      const args: Node[] = n.arguments_?.arguments_ ?? [];
      if (n.name === 'create_table') {
        createTable(n);
        return;
      }
      if (n.name === 'add_foreign_key') {
        const from = args[0] ? name(args[0]) : undefined;
        const to = args[1] ? name(args[1]) : undefined;
        if (from && to) {
          const opts = optionsOf(args.slice(2));
          const col = str(opts.get('column')) ?? `${inflector.singularize(to)}_id`;
          pending.push({ from, fk: { name: str(opts.get('name')) ?? `fk_rails_${from}_${col}`, columns: [col], referencedDatabase: database, referencedTable: to, referencedColumns: [str(opts.get('primary_key')) ?? 'id'] }, line: src.line(n.location.startOffset) });
        }
        return;
      }
      if (n.name === 'add_index') {
        const table = args[0] ? name(args[0]) : undefined;
        const cols = args[1] ? literal(args[1], src) : undefined;
        const t = table ? tables.get(table) : undefined;
        const list = cols?.kind === 'array' ? cols.values.map(str).filter((v): v is string => v !== undefined) : str(cols) !== undefined ? [str(cols)!] : [];
        const opts = optionsOf(args.slice(2));
        if (t && list.length) t.indexes.push({ name: str(opts.get('name')) ?? `index_${table}_on_${list.join('_and_')}`, unique: yes(opts.get('unique')), columns: list });
        return;
      }
    }
    for (const c of n.compactChildNodes?.() ?? []) visit(c);
  };
  visit(result.value);
  for (const p of pending) {
    const t = tables.get(p.from);
    if (!t) {
      warnings.push({ file, line: p.line, message: `add_foreign_key on ${p.from}, which no create_table defines: not read` });
      continue;
    }
    t.foreignKeys.push(p.fk);
    if (!t.indexes.some((i) => i.columns[0] === p.fk.columns[0])) t.indexes.push({ name: p.fk.name, unique: false, columns: p.fk.columns });
  }
  const shard: ShardSnapshot = { name: 'lint', server: null, databases: [{ name: database, tables: [...tables.values()] }] };
  return { shard, positions, warnings };
}

export class SchemaRbError extends Error {}
