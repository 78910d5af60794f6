/**
 * Where observations are kept. Two implementations, both append-only:
 *  - store-dir.ts: a local directory of JSON-lines files, one per UTC day (default `.headroom/history/`);
 *  - store-mysql.ts: one table on a MySQL/MariaDB server that is not a scanned shard.
 */
import { MAX_POINTS } from '../forecast/forecast.js';
import type { Observation } from './observations.js';

export interface HistoryStore {
  /** For messages: the directory, or `host:port/database.table` (never a password). */
  readonly description: string;
  /** Adds observations. Recording the same key at the same time twice keeps one. Returns how many were written. */
  append(observations: readonly Observation[]): Promise<number>;
  /**
   * Observations with `from <= at <= to` (ms), optionally only of these shards: per counter at most
   * MAX_POINTS, the newest of each of MAX_POINTS equal slices of [from, to] (the forecast thins the
   * same way), so hourly scans of a large fleet do not load every row of the window.
   */
  read(from: number, to: number, shards?: readonly string[]): Promise<Observation[]>;
  /** Deletes observations older than `before` (ms). Returns how many (days for the directory store, rows for MySQL). */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

/** The slice of [from, to] an observation falls in (0 … MAX_POINTS − 1). */
export function sliceOf(at: number, from: number, to: number): number {
  const width = Math.max(1, (to - from) / MAX_POINTS);
  return Math.max(0, Math.min(MAX_POINTS - 1, Math.floor((at - from) / width)));
}

/** Keeps the newest observation per counter per slice. */
export class Thinner {
  private readonly kept = new Map<string, Observation>();
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}
  add(o: Observation): void {
    const k = `${o.shard}\u0000${o.database}\u0000${o.table}\u0000${o.column}\u0000${sliceOf(o.at, this.from, this.to)}`;
    const prev = this.kept.get(k);
    if (!prev || prev.at < o.at || (prev.at === o.at && prev.value < o.value)) this.kept.set(k, o);
  }
  result(): Observation[] {
    return [...this.kept.values()];
  }
}
