/**
 * History at the edge of the pipeline: open the store (guarded), read the window, record this
 * scan's counters, prune, and hand the pure forecast stage its observations.
 *
 *   snapshot ─┬─ runChecks ─────────────────────────┐
 *             └─ observationsFromSnapshot ─┐         │
 *   store.read(window) ────────────────────┴─ counterHistory ─ applyForecasts ─ Report
 *   store.append(this scan) · store.prune(keepDays)
 */
import type { CheckConfig, ShardConfig } from '../config/types.js';
import { applyForecasts } from '../forecast/apply.js';
import { DAY_MS } from '../forecast/forecast.js';
import type { Report, Snapshot } from '../model/types.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import type { Policy } from '../plan/types.js';
import type { HistoryConfig } from './config.js';
import { counterHistory, lastObservedPerShard, observationsFromSnapshot, type Observation } from './observations.js';
import { DirStore } from './store-dir.js';
import { assertNotAShard, openMysqlStore, type GuardOptions } from './store-mysql.js';
import type { HistoryStore } from './store.js';

/**
 * Open the configured store. For the MySQL store, first refuse a server that is one of `shards`
 * (the inventory's; none for `--snapshot` without a config) unless `allowOnShard`.
 */
export async function openHistoryStore(config: HistoryConfig, shards: readonly ShardConfig[] = [], guard: Pick<GuardOptions, 'resolve'> = {}): Promise<HistoryStore> {
  if (config.store.kind === 'dir') return new DirStore(config.store.dir);
  await assertNotAShard(config.store, shards, { allowOnShard: config.allowOnShard, ...guard });
  return openMysqlStore(config.store);
}

export interface HistoryScanOptions {
  policy?: Policy;
  windowDays: number;
  keepDays: number;
  /** Write this scan's observations (default true). */
  record?: boolean;
}

export interface HistoryScanResult {
  report: Report;
  /** Observations this scan added. */
  recorded: number;
  /** Day files (directory) or rows (MySQL) deleted as older than keepDays. */
  pruned: number;
  /** Per shard, the newest time history has a reading of it (this scan's time for the shards just read). */
  lastSuccess: Map<string, number>;
}

/** Forecast every pk/fk-capacity finding from the store's window plus this snapshot, then record the snapshot. */
export async function scanWithHistory(report: Report, snapshot: Snapshot, config: CheckConfig, store: HistoryStore, options: HistoryScanOptions): Promise<HistoryScanResult> {
  const asOf = Date.parse(snapshot.takenAt);
  const current = observationsFromSnapshot(snapshot, config);
  const shards = [...snapshot.shards.map((s) => s.name), ...snapshot.errors.map((e) => e.shard)];
  const past = await store.read(asOf - options.windowDays * DAY_MS, asOf, shards);
  const all: Observation[] = [...past, ...current];
  const forecasted = applyForecasts(report, snapshot, config, counterHistory(all), {
    policy: options.policy ?? DEFAULT_POLICY,
    windowDays: options.windowDays,
    asOf,
  });
  let recorded = 0;
  let pruned = 0;
  if (options.record ?? true) {
    recorded = await store.append(current);
    pruned = await store.prune(asOf - options.keepDays * DAY_MS);
  }
  const lastSuccess = lastObservedPerShard(all);
  for (const s of snapshot.shards) lastSuccess.set(s.name, asOf);
  return { report: forecasted, recorded, pruned, lastSuccess };
}
