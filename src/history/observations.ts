/**
 * Observations: one counter's current value at one time. Pure.
 *
 * Recorded for every key that hands out ids (a table's AUTO_INCREMENT column or single-column
 * integer primary key, `keyColumn`) and for every column some reference points at, whenever its
 * current value is known. Counters, not row counts: REPLACE, ON DUPLICATE KEY UPDATE and rollbacks
 * burn ids that no row count shows.
 */
import type { CheckConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { toBigInt } from '../model/integers.js';
import { currentValue, keyColumn } from '../model/keys.js';
import type { Snapshot } from '../model/types.js';
import { groupId } from '../plan/groups.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import type { Point } from '../forecast/forecast.js';

export interface Observation {
  shard: string;
  database: string;
  table: string;
  /** The counter's column. */
  column: string;
  /** Unix time in milliseconds. */
  at: number;
  value: bigint;
}

/** Every counter of a snapshot, at `snapshot.takenAt`. */
export function observationsFromSnapshot(snapshot: Snapshot, config: CheckConfig): Observation[] {
  const at = Date.parse(snapshot.takenAt);
  if (!Number.isFinite(at)) throw new UsageError(`snapshot: takenAt ${JSON.stringify(snapshot.takenAt)} is not a time`);
  const out: Observation[] = [];
  for (const shard of snapshot.shards) {
    const seen = new Set<string>();
    const push = (database: string, table: string, column: string, value: bigint | null) => {
      const k = `${database}\u0000${table}\u0000${column}`;
      if (value === null || seen.has(k)) return;
      seen.add(k);
      out.push({ shard: shard.name, database, table, column, at, value });
    };
    for (const d of shard.databases) {
      for (const t of d.tables) {
        const key = keyColumn(t);
        if (key) push(d.name, t.name, key.name, currentValue(t, key.name));
      }
    }
    const catalog = new ShardCatalog(shard);
    for (const r of resolveRelationships(shard, config, catalog)) {
      const t = catalog.table(r.to.database, r.to.table);
      if (t) push(r.to.database, r.to.table, r.to.column, currentValue(t, r.to.column));
    }
  }
  return out;
}

/**
 * The counters a `scan --format json` report shows: the key of each pk finding and the referenced
 * key of each fk finding (their `current`). A report carries no time: `at` says when it was taken.
 */
export function observationsFromReport(raw: unknown, at: number, file: string): Observation[] {
  const o = raw as { version?: unknown; findings?: unknown };
  if (!o || o.version !== 1 || !Array.isArray(o.findings)) throw new UsageError(`${file}: not a scan report (expected "version": 1 and "findings": [...])`);
  const out = new Map<string, Observation>();
  o.findings.forEach((f: any, i: number) => {
    // Only the checks whose `current` is a counter on the finding's shard (docs/json-output.md).
    if (!f || typeof f !== 'object' || !REPORT_CHECKS.includes(f.check) || f.current === null || f.current === undefined) return;
    for (const k of ['shard', 'database', 'table', 'column']) {
      if (typeof f[k] !== 'string') throw new UsageError(`${file}: findings[${i}].${k}: expected a string`);
    }
    let value: bigint | null;
    try {
      value = toBigInt(f.current);
    } catch {
      throw new UsageError(`${file}: findings[${i}].current: expected an integer, got ${JSON.stringify(f.current)}`);
    }
    if (value === null) return;
    // pk checks: the column is the key; fk checks: `current` is the referenced key's (plan/groups.ts findingKey).
    const ref = f.references as { database?: unknown; table?: unknown; column?: unknown } | undefined;
    const key =
      ref && typeof ref.database === 'string' && typeof ref.table === 'string' && typeof ref.column === 'string'
        ? { shard: f.shard as string, database: ref.database, table: ref.table, column: ref.column }
        : { shard: f.shard as string, database: f.database as string, table: f.table as string, column: f.column as string };
    out.set(groupId(key), { ...key, at, value });
  });
  return [...out.values()];
}

const REPORT_CHECKS = ['pk-capacity', 'fk-capacity', 'fk-type-mismatch'];

/** Observations grouped per counter (`shard/database/table.column`), as forecast points. */
export function counterHistory(observations: Iterable<Observation>): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const o of observations) {
    const k = groupId(o);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push({ at: o.at, value: o.value });
  }
  return out;
}

/** The newest observation time per shard (a shard's last successful scan, as far as history knows). */
export function lastObservedPerShard(observations: Iterable<Observation>): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of observations) if ((out.get(o.shard) ?? -Infinity) < o.at) out.set(o.shard, o.at);
  return out;
}
