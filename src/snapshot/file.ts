/**
 * Snapshot files: the normalized catalog of a fleet, versioned JSON.
 * Integer values are written as decimal strings so nothing is ever rounded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileErrorText, UsageError } from '../errors.js';
import { INT_TYPES, toBigInt } from '../model/integers.js';
import type { Database, PartOf, ShardSnapshot, Snapshot, Table } from '../model/types.js';

const INT_TYPE_NAMES: ReadonlySet<unknown> = new Set(INT_TYPES);
const NO_MAX_VALUES: Record<string, bigint | null> = Object.freeze({}) as Record<string, bigint | null>;

export const SNAPSHOT_FORMAT = 'headroom-snapshot';

export function serializeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify({ format: SNAPSHOT_FORMAT, ...snapshot }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) + '\n';
}

export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await writeFile(path, serializeSnapshot(snapshot));
}

export async function loadSnapshot(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read snapshot: ${fileErrorText(e)}`);
  }
  return parseSnapshot(text, path);
}

export function parseSnapshot(text: string, file: string): Snapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not a snapshot: invalid JSON (${(e as Error).message})`);
  }
  const fail = (field: string, why: string) => new UsageError(`${file}: ${field}: ${why}`);
  if (!raw || typeof raw !== 'object') throw fail('(top)', 'expected a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.format !== SNAPSHOT_FORMAT) {
    throw fail('format', `expected "${SNAPSHOT_FORMAT}" (is this a scan report? use a file written by \`headroom snapshot\`)`);
  }
  if (o.version !== 1) throw fail('version', `unsupported snapshot version ${JSON.stringify(o.version)}; this headroom reads version 1`);
  if (!Array.isArray(o.shards)) throw fail('shards', 'expected a list');
  const rawShards = o.shards as any[];
  const at: TableAt = { file, si: 0, di: 0, ti: 0, cache: new Map() };
  const shards: ShardSnapshot[] = new Array(rawShards.length);
  for (let si = 0; si < rawShards.length; si++) {
    const s = rawShards[si];
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.databases)) throw fail(`shards[${si}]`, 'expected {name, databases: [...]}');
    const rawDatabases = s.databases as any[];
    const databases: Database[] = new Array(rawDatabases.length);
    for (let di = 0; di < rawDatabases.length; di++) {
      const d = rawDatabases[di];
      if (!d || typeof d.name !== 'string' || !Array.isArray(d.tables)) throw fail(`shards[${si}].databases[${di}]`, 'expected {name, tables: [...]}');
      const rawTables = d.tables as any[];
      const tables: Table[] = new Array(rawTables.length);
      for (let ti = 0; ti < rawTables.length; ti++) {
        at.si = si;
        at.di = di;
        at.ti = ti;
        tables[ti] = parseTable(rawTables[ti], at);
      }
      databases[di] = { name: d.name, tables };
    }
    const hidden = Array.isArray(s.triggersHidden) && s.triggersHidden.every((x: unknown) => typeof x === 'string') ? (s.triggersHidden as string[]) : undefined;
    shards[si] = { name: s.name, server: s.server ?? null, databases, ...(hidden ? { triggersHidden: hidden } : {}) };
  }
  const partition = o.partition === undefined ? undefined : parsePartOf(o.partition, (why) => new UsageError(`${file}: partition: ${why}`));
  return {
    version: 1,
    takenAt: typeof o.takenAt === 'string' ? o.takenAt : '',
    ...(partition ? { partition } : {}),
    shards,
    errors: Array.isArray(o.errors) ? (o.errors as Snapshot['errors']) : [],
  };
}

/**
 * Where a table is in the file. Error messages name the field by its path; the path is built
 * only when something is wrong (a 100k-table snapshot has ~500k integer fields).
 */
interface TableAt {
  file: string;
  si: number;
  di: number;
  ti: number;
  /** Integer strings already converted: tenant fleets repeat the same few sizes and counters ("0", "16384"). */
  cache: Map<string, bigint | null>;
}

function tableFail(at: TableAt, field: string, why: string): UsageError {
  return new UsageError(`${at.file}: shards[${at.si}].databases[${at.di}].tables[${at.ti}]${field}: ${why}`);
}

function big(v: unknown, at: TableAt, field: string, key?: string): bigint | null {
  if (typeof v === 'string') {
    const hit = at.cache.get(v);
    if (hit !== undefined) return hit;
  }
  let out: bigint | null;
  try {
    out = toBigInt(v);
  } catch {
    throw tableFail(at, key === undefined ? field : `${field}${key}`, `expected an integer, got ${JSON.stringify(v)}`);
  }
  if (typeof v === 'string') at.cache.set(v, out);
  return out;
}

function parseTable(t: any, at: TableAt): Table {
  if (!t || typeof t.name !== 'string' || !Array.isArray(t.columns)) throw tableFail(at, '', 'expected {name, columns: [...]}');
  const maxEntries = Object.entries(t.maxValues ?? {});
  // Most tables have no MAX() value: they share one frozen empty record (as snapshots read live do).
  const maxValues: Record<string, bigint | null> = maxEntries.length ? {} : NO_MAX_VALUES;
  for (const [k, v] of maxEntries) maxValues[k] = big(v, at, '.maxValues.', k);
  const columns = t.columns as any[];
  for (let ci = 0; ci < columns.length; ci++) {
    const c = columns[ci];
    if (!c || typeof c.name !== 'string' || !INT_TYPE_NAMES.has(c.dataType)) throw tableFail(at, `.columns[${ci}]`, 'expected an integer column');
  }
  const table: Table = {
    name: t.name,
    engine: t.engine ?? null,
    rowsEstimate: big(t.rowsEstimate, at, '.rowsEstimate'),
    dataBytes: big(t.dataBytes, at, '.dataBytes'),
    indexBytes: big(t.indexBytes, at, '.indexBytes'),
    autoIncrement: big(t.autoIncrement, at, '.autoIncrement'),
    primaryKey: t.primaryKey ?? [],
    columns,
    indexes: t.indexes ?? [],
    foreignKeys: t.foreignKeys ?? [],
    triggers: Number(t.triggers ?? 0),
    maxValues,
  };
  if (Array.isArray(t.sequenceRows)) {
    table.sequenceRows = (t.sequenceRows as any[]).map((r, ri) => ({
      id: big(r?.id, at, `.sequenceRows[${ri}].id`),
      nextId: big(r?.nextId, at, `.sequenceRows[${ri}].nextId`),
      cache: big(r?.cache, at, `.sequenceRows[${ri}].cache`),
    }));
  }
  return table;
}

/** `{ "index": i, "count": n }` of a partitioned run's part file, checked. */
export function parsePartOf(v: unknown, fail: (why: string) => Error): PartOf {
  const o = v as { index?: unknown; count?: unknown } | null;
  const index = o?.index;
  const count = o?.count;
  if (!Number.isInteger(index) || !Number.isInteger(count) || (count as number) < 1 || (index as number) < 1 || (index as number) > (count as number)) {
    throw fail(`expected { "index": i, "count": n } with 1 ≤ i ≤ n, got ${JSON.stringify(v)}`);
  }
  return { index: index as number, count: count as number };
}
