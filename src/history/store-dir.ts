/**
 * The local history store: a directory of JSON-lines files, one per UTC day.
 *
 *   .headroom/history/2024-02-22.jsonl
 *   {"v":1,"t":"2024-02-22T10:00:00.000Z","shard":"shard-1","keys":{"ws_001":{"users":{"id":"18231"}}}}
 *
 * One line per shard per scan; values are decimal strings (exact above 2^53). Appending is one
 * `appendFile` per day file, so concurrent writers on one machine do not interleave lines on Linux
 * (O_APPEND). A line that does not parse (a crash mid-write) is skipped when read. Pruning deletes
 * whole day files older than `history.keepDays`.
 */
import { appendFile, open, readdir, readFile, unlink } from 'node:fs/promises';
import { makeDirectory } from '../files.js';
import { join } from 'node:path';
import { fileErrorText, UsageError } from '../errors.js';
import { DAY_MS, isoDay } from '../forecast/forecast.js';
import type { Observation } from './observations.js';
import { Thinner, type HistoryStore } from './store.js';

export const DEFAULT_HISTORY_DIR = '.headroom/history';

const FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

interface Line {
  v: 1;
  t: string;
  shard: string;
  keys: Record<string, Record<string, Record<string, string>>>;
}

export class DirStore implements HistoryStore {
  /** Lines skipped by the last `read` because they did not parse. */
  skippedLines = 0;

  constructor(readonly dir: string) {}

  get description(): string {
    return this.dir;
  }

  async append(observations: readonly Observation[]): Promise<number> {
    if (observations.length === 0) return 0;
    const lines = new Map<string, Map<string, Line>>(); // day → (time + shard) → line
    for (const o of observations) {
      const day = isoDay(o.at);
      const t = new Date(o.at).toISOString();
      let byDay = lines.get(day);
      if (!byDay) lines.set(day, (byDay = new Map()));
      const k = `${t}\u0000${o.shard}`;
      let line = byDay.get(k);
      if (!line) byDay.set(k, (line = { v: 1, t, shard: o.shard, keys: {} }));
      ((line.keys[o.database] ??= {})[o.table] ??= {})[o.column] = o.value.toString();
    }
    try {
      await makeDirectory(this.dir);
      for (const [day, byDay] of [...lines].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const file = join(this.dir, `${day}.jsonl`);
        // After a crash mid-write the file ends in a torn line: start on a new line so only that one is lost.
        const lead = (await endsTorn(file)) ? '\n' : '';
        await appendFile(file, lead + [...byDay.values()].map((l) => JSON.stringify(l) + '\n').join(''));
      }
    } catch (e) {
      throw new UsageError(`history ${this.dir}: cannot write: ${fileErrorText(e)}`);
    }
    return observations.length;
  }

  async read(from: number, to: number, shards?: readonly string[]): Promise<Observation[]> {
    const wanted = shards ? new Set(shards) : undefined;
    const out = new Thinner(from, to);
    this.skippedLines = 0;
    for (const day of await this.days()) {
      const start = Date.parse(`${day}T00:00:00.000Z`);
      if (start > to || start + DAY_MS <= from) continue;
      let text: string;
      try {
        text = await readFile(join(this.dir, `${day}.jsonl`), 'utf8');
      } catch (e) {
        throw new UsageError(`history ${this.dir}: cannot read ${day}.jsonl: ${fileErrorText(e)}`);
      }
      for (const raw of text.split('\n')) {
        if (raw.trim() === '') continue;
        const line = parseLine(raw);
        if (!line) {
          this.skippedLines++;
          continue;
        }
        const at = Date.parse(line.t);
        if (at < from || at > to || (wanted && !wanted.has(line.shard))) continue;
        for (const [database, tables] of Object.entries(line.keys)) {
          for (const [table, columns] of Object.entries(tables)) {
            for (const [column, value] of Object.entries(columns)) {
              if (/^-?\d+$/.test(value)) out.add({ shard: line.shard, database, table, column, at, value: BigInt(value) });
            }
          }
        }
      }
    }
    return out.result();
  }

  async prune(before: number): Promise<number> {
    let removed = 0;
    for (const day of await this.days()) {
      // A day file holds that whole UTC day: delete it once its last millisecond is older than `before`.
      if (Date.parse(`${day}T00:00:00.000Z`) + DAY_MS <= before) {
        try {
          await unlink(join(this.dir, `${day}.jsonl`));
          removed++;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`history ${this.dir}: cannot prune ${day}.jsonl: ${(e as NodeJS.ErrnoException).code}`);
        }
      }
    }
    return removed;
  }

  async close(): Promise<void> {}

  private async days(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new UsageError(`history ${this.dir}: cannot list: ${fileErrorText(e)}`);
    }
    return names.flatMap((n) => FILE.exec(n)?.[1] ?? []).sort();
  }
}

async function endsTorn(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

function parseLine(raw: string): Line | undefined {
  try {
    const l = JSON.parse(raw) as Line;
    if (l && l.v === 1 && typeof l.t === 'string' && typeof l.shard === 'string' && l.keys && typeof l.keys === 'object' && Number.isFinite(Date.parse(l.t))) return l;
  } catch {
    /* a torn line */
  }
  return undefined;
}
