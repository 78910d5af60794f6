/**
 * The scanner as a library: inventory → snapshot → report, and the exit-code rule.
 */
import { runChecks } from './checks/run.js';
import { DEFAULT_THRESHOLDS } from './config/inventory.js';
import type { CheckConfig, Inventory } from './config/types.js';
import { collectSnapshot, type CollectOptions } from './introspect/collect.js';
import { SEVERITY_RANK, type Report, type Severity, type Snapshot } from './model/types.js';

export type FailOn = Severity | 'never';

export const DEFAULT_CHECK_CONFIG: CheckConfig = { thresholds: DEFAULT_THRESHOLDS, relationships: [], ignore: [] };

/** Read every shard of the inventory and run every check. Never throws for a shard that fails: see `report.errors`. */
export async function scan(inventory: Inventory, options: CollectOptions = {}): Promise<Report> {
  return runChecks(await collectSnapshot(inventory, options), inventory);
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
