/**
 * Migration-aware severity. Pure.
 *
 * A ratio is the wrong alarm on its own: a key at 85% may have months left, while the copy that
 * widens a 35-billion-row table takes days. What matters is whether the time left is shorter than
 * the time the fix needs:
 *
 *   critical  when  daysLeft <  migrationDays × safetyFactor + leadDays
 *   warning   when  daysLeft < (migrationDays × safetyFactor + leadDays) × 2
 *
 * `migrationDays` is the high end of the planner's estimate for the key's widening group. The
 * result is combined with the ratio rule by taking the more severe of the two: a finding never
 * gets less severe than its ratio says.
 */
import { SEVERITY_RANK, type Severity } from '../model/types.js';

export interface MigrationPolicy {
  /** Multiplies the planner's estimate (default 3): copy rates vary, copies get paused, shards queue. */
  safetyFactor: number;
  /** Days added on top (default 14): review, scheduling, a deploy freeze, the application restart. */
  leadDays: number;
}

export interface MigrationVerdict {
  severity: 'critical' | 'warning' | undefined;
  /** Critical below this many days left. */
  criticalBelowDays: number;
  /** Warning below this many days left (twice the critical line). */
  warningBelowDays: number;
}

export function migrationRule(daysLeft: number, migrationDays: number, policy: MigrationPolicy): MigrationVerdict {
  const criticalBelowDays = migrationDays * policy.safetyFactor + policy.leadDays;
  const warningBelowDays = criticalBelowDays * 2;
  const severity = daysLeft < criticalBelowDays ? 'critical' : daysLeft < warningBelowDays ? 'warning' : undefined;
  return { severity, criticalBelowDays, warningBelowDays };
}

/** The more severe of the two; `undefined` (no finding) only when both are. */
export function worse(a: Severity | undefined, b: Severity | undefined): Severity | undefined {
  if (!a) return b;
  if (!b) return a;
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** 0.0417 → "0.042", 3.25 → "3.3", 150.4 → "150". */
export function fmtDays(days: number): string {
  if (!Number.isFinite(days)) return String(days);
  if (days >= 100) return days.toFixed(0);
  if (days >= 1) return days.toFixed(1);
  if (days === 0) return '0';
  // Below a quarter of an hour the digits are noise ("0.0000068 d"): say it is that small.
  if (days < 0.01) return '< 0.01';
  return days.toPrecision(2);
}
