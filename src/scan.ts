/**
 * The scanner as a library: inventory → snapshot → report, and the exit-code rule.
 */
import { CheckRun, runChecks } from './checks/run.js';
import { DEFAULT_THRESHOLDS } from './config/inventory.js';
import type { CheckConfig, Inventory } from './config/types.js';
import { collectFleet, type CollectOptions, type ShardResult } from './introspect/collect.js';
import { SEVERITY_RANK, type Finding, type Report, type Severity, type ShardError, type ShardSnapshot, type Snapshot } from './model/types.js';

export type FailOn = Severity | 'never';

export const DEFAULT_CHECK_CONFIG: CheckConfig = { thresholds: DEFAULT_THRESHOLDS, relationships: [], ignore: [] };

/** Read every shard of the inventory and run every check. Never throws for a shard that fails: see `report.errors`. */
export async function scan(inventory: Inventory, options: ScanOptions = {}): Promise<Report> {
  return (await scanLive(inventory, options)).report;
}

export interface ScanOptions extends CollectOptions {
  /** Keep every shard's catalog and return it as `snapshot` (history, plans): memory then grows with the fleet. */
  keepSnapshot?: boolean;
  /** Sees each shard once it is read and checked, before it is let go (e.g. `--only` looks for its column). */
  onShard?: (shard: ShardSnapshot) => void;
  /**
   * Changes or adds to each shard's findings while the shard is at hand (`--history`: forecasts,
   * see HistoryRun). Not called when the shards are kept (a `vitess:` block): check those after.
   */
  forecast?: (shard: ShardSnapshot, findings: Finding[]) => Finding[];
}

export interface LiveScan {
  report: Report;
  takenAt: string;
  /** Names of the shards that were read (even in part), in inventory order. */
  shards: string[];
  /** The catalog that was read: with `keepSnapshot`, or when fleet-wide checks need it (a `vitess:` block). */
  snapshot?: Snapshot;
}

/**
 * Read and check the fleet one shard at a time: each shard is checked as soon as it is read and
 * then let go, so memory stays flat in the number of shards (docs/scan-cost.md). The report is the
 * one `runChecks` gives on the whole snapshot. Vitess checks compare shards, so with a `vitess:`
 * block the shards are kept and checked together at the end.
 */
export async function scanLive(inventory: Inventory, options: ScanOptions = {}): Promise<LiveScan> {
  const now = options.now ?? (() => new Date());
  const keep = options.keepSnapshot === true || inventory.vitess !== undefined;
  const kept: (ShardResult | undefined)[] = new Array(inventory.shards.length);
  const read: boolean[] = new Array(inventory.shards.length).fill(false);
  const run = new CheckRun(inventory);
  const errors: (ShardError | undefined)[] = new Array(inventory.shards.length);
  await collectFleet(inventory, options, (result, i) => {
    if (result.error) errors[i] = result.error;
    read[i] = result.snapshot !== undefined;
    if (keep) kept[i] = result;
    else if (result.snapshot) run.addShard(result.snapshot, result.error !== undefined, i, options.forecast);
    if (result.snapshot) options.onShard?.(result.snapshot);
  });
  const takenAt = now().toISOString();
  const shards = inventory.shards.filter((_, i) => read[i]).map((s) => s.name);
  if (keep) {
    const snapshot: Snapshot = { version: 1, takenAt, shards: [], errors: [] };
    for (const r of kept) {
      if (r?.snapshot) snapshot.shards.push(r.snapshot);
      if (r?.error) snapshot.errors.push(r.error);
    }
    return { report: runChecks(snapshot, inventory), takenAt, shards, snapshot };
  }
  return { report: run.finish({ takenAt, shards: [], errors: errors.filter((e): e is ShardError => e !== undefined) }), takenAt, shards };
}

/** Run every check on a snapshot, without any server. */
export function scanSnapshot(snapshot: Snapshot, config: CheckConfig = DEFAULT_CHECK_CONFIG): Report {
  return runChecks(snapshot, config);
}

/**
 * 2 when any shard could not be read (a scan that saw less than it was asked to is never "clean"),
 * 1 when a finding is at or above `failOn`, 0 otherwise.
 */
export function exitCode(report: Report, failOn: FailOn = 'critical'): 0 | 1 | 2 {
  if (report.errors.length > 0) return 2;
  if (failOn === 'never') return 0;
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
}
