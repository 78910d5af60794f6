/**
 * Snapshot files: the normalized catalog of a fleet, versioned JSON.
 * Integer values are written as decimal strings so nothing is ever rounded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileErrorText, UsageError } from '../errors.js';
import { isIntType, toBigInt } from '../model/integers.js';
import type { Database, Snapshot, Table } from '../model/types.js';

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
  const big = (v: unknown, field: string): bigint | null => {
    try {
      return toBigInt(v);
    } catch {
      throw fail(field, `expected an integer, got ${JSON.stringify(v)}`);
    }
  };
  const shards = o.shards.map((s: any, si: number) => {
    const f = `shards[${si}]`;
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.databases)) throw fail(f, 'expected {name, databases: [...]}');
    const databases: Database[] = s.databases.map((d: any, di: number) => {
      const fd = `${f}.databases[${di}]`;
      if (!d || typeof d.name !== 'string' || !Array.isArray(d.tables)) throw fail(fd, 'expected {name, tables: [...]}');
      const tables: Table[] = d.tables.map((t: any, ti: number) => {
        const ft = `${fd}.tables[${ti}]`;
        if (!t || typeof t.name !== 'string' || !Array.isArray(t.columns)) throw fail(ft, 'expected {name, columns: [...]}');
        const maxValues: Record<string, bigint | null> = {};
        for (const [k, v] of Object.entries(t.maxValues ?? {})) maxValues[k] = big(v, `${ft}.maxValues.${k}`);
        for (const [ci, c] of (t.columns as any[]).entries()) {
          if (!c || typeof c.name !== 'string' || !isIntType(c.dataType)) throw fail(`${ft}.columns[${ci}]`, 'expected an integer column');
        }
        return {
          name: t.name,
          engine: t.engine ?? null,
          rowsEstimate: big(t.rowsEstimate, `${ft}.rowsEstimate`),
          dataBytes: big(t.dataBytes, `${ft}.dataBytes`),
          indexBytes: big(t.indexBytes, `${ft}.indexBytes`),
          autoIncrement: big(t.autoIncrement, `${ft}.autoIncrement`),
          primaryKey: t.primaryKey ?? [],
          columns: t.columns,
          indexes: t.indexes ?? [],
          foreignKeys: t.foreignKeys ?? [],
          triggers: Number(t.triggers ?? 0),
          maxValues,
          ...(Array.isArray(t.sequenceRows)
            ? {
                sequenceRows: (t.sequenceRows as any[]).map((r, ri) => ({
                  id: big(r?.id, `${ft}.sequenceRows[${ri}].id`),
                  nextId: big(r?.nextId, `${ft}.sequenceRows[${ri}].nextId`),
                  cache: big(r?.cache, `${ft}.sequenceRows[${ri}].cache`),
                })),
              }
            : {}),
        } satisfies Table;
      });
      return { name: d.name, tables };
    });
    return { name: s.name, server: s.server ?? null, databases };
  });
  return {
    version: 1,
    takenAt: typeof o.takenAt === 'string' ? o.takenAt : '',
    shards,
    errors: Array.isArray(o.errors) ? (o.errors as Snapshot['errors']) : [],
  };
}
