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
import type { Finding, Report, ShardSnapshot, Snapshot } from '../model/types.js';
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

/**
 * `scan --history` one shard at a time, for a scan that checks each shard as it is read and lets it
 * go (scanLive). The window's past observations are read once, before the scan; each shard's
 * findings get their forecasts while that shard is still in memory; this scan's observations are
 * written at the end. For shards that do not compare across servers (no `vitess:` block), this
 * gives what `scanWithHistory` gives on the whole snapshot.
 */
export class HistoryRun {
  private readonly current: Observation[] = [];
  private readonly read: string[] = [];

  private constructor(
    private readonly store: HistoryStore,
    private readonly config: CheckConfig,
    private readonly options: HistoryScanOptions & { asOf: number },
    private readonly past: Map<string, Observation[]>,
  ) {}

  /** `shards`: every shard the scan may read (their past observations are read now). */
  static async open(store: HistoryStore, config: CheckConfig, shards: readonly string[], options: HistoryScanOptions & { asOf: number }): Promise<HistoryRun> {
    const past = new Map<string, Observation[]>();
    for (const o of await store.read(options.asOf - options.windowDays * DAY_MS, options.asOf, shards)) {
      let list = past.get(o.shard);
      if (!list) past.set(o.shard, (list = []));
      list.push(o);
    }
    return new HistoryRun(store, config, options, past);
  }

  /** One shard's findings, with forecasts and migration-aware severity (some may be added). */
  forecast(shard: ShardSnapshot, findings: Finding[]): Finding[] {
    const at = new Date(this.options.asOf).toISOString();
    const snapshot: Snapshot = { version: 1, takenAt: at, shards: [shard], errors: [] };
    const current = observationsFromSnapshot(snapshot, this.config);
    for (const o of current) this.current.push(o);
    this.read.push(shard.name);
    const report: Report = { version: 1, summary: { shards: 1, databases: 0, tables: 0, findings: { critical: 0, warning: 0, info: 0 }, errors: 0 }, findings, errors: [] };
    return applyForecasts(report, snapshot, this.config, counterHistory([...(this.past.get(shard.name) ?? []), ...current]), {
      policy: this.options.policy ?? DEFAULT_POLICY,
      windowDays: this.options.windowDays,
      asOf: this.options.asOf,
    }).findings;
  }

  /** Write this scan's observations and prune; per shard, the newest time history has a reading of it. */
  async finish(): Promise<Omit<HistoryScanResult, 'report'>> {
    let recorded = 0;
    let pruned = 0;
    if (this.options.record ?? true) {
      recorded = await this.store.append(this.current);
      pruned = await this.store.prune(this.options.asOf - this.options.keepDays * DAY_MS);
    }
    const lastSuccess = lastObservedPerShard([...[...this.past.values()].flat(), ...this.current]);
    for (const s of this.read) lastSuccess.set(s, this.options.asOf);
    return { recorded, pruned, lastSuccess };
  }
}
