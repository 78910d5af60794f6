/**
 * Report + counter history → Report with forecasts and migration-aware severity. Pure.
 *
 * Runs after the checks. For every pk-capacity and fk-capacity finding it forecasts the
 * finding's counter (the key itself, or for fk-capacity the referenced key), asks the planner how
 * long widening that key's group takes (`planWidenings` over the snapshot, high end), and applies
 * the migration rule (severity.ts). The result is never less severe than the ratio rule.
 *
 * A key below the ratio thresholds emits no finding from its check, yet its forecast may already say
 * "critical". So the same two checks are run again with thresholds at zero, which yields a
 * candidate finding — same id, same fields, same wording — for every key; a candidate becomes a
 * finding when the migration rule gives it a severity. Check ids do not change.
 */
import { runChecks, compareFindings } from '../checks/run.js';
import { fkCapacity } from '../checks/fk-capacity.js';
import { pkCapacity } from '../checks/pk-capacity.js';
import type { CheckConfig } from '../config/types.js';
import type { Fraction } from '../model/ratio.js';
import { SEVERITY_RANK, type Finding, type KeyForecast, type Report, type Snapshot } from '../model/types.js';
import { findingKey, groupId } from '../plan/groups.js';
import { planWidenings } from '../plan/plan.js';
import type { Policy } from '../plan/types.js';
import { exhaustion, fmtRate, growthRate, type Point, type RateEstimate } from './forecast.js';
import { fmtDays, migrationRule, worse } from './severity.js';

/** Observations per counter, keyed by `shard/database/table.column` (plan/groups.ts `groupId`). */
export type CounterHistory = ReadonlyMap<string, readonly Point[]>;

export interface ForecastOptions {
  /** Needs `safetyFactor` and `leadDays`; the rest drives the planner's estimate. */
  policy: Policy;
  /** Observations older than this (before the scan) are not used. Default 30. */
  windowDays?: number;
  /** The scan's time (ms). Default: `snapshot.takenAt`. */
  asOf?: number;
}

export const DEFAULT_WINDOW_DAYS = 30;

/** The checks whose severity follows the migration rule. */
export const FORECAST_CHECKS: readonly string[] = [pkCapacity.id, fkCapacity.id];

const ZERO: Fraction = { num: 0n, den: 1n };
const NEVER: Fraction = { num: 1n << 80n, den: 1n };

export function applyForecasts(report: Report, snapshot: Snapshot, config: CheckConfig, history: CounterHistory, options: ForecastOptions): Report {
  const policy = options.policy;
  const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
  const asOf = options.asOf ?? Date.parse(snapshot.takenAt);

  // One candidate per pk/fk-capacity id, whatever its ratio.
  const all = runChecks(snapshot, { ...config, thresholds: { warning: ZERO, critical: NEVER, warningText: '0', criticalText: 'never' } }, [pkCapacity, fkCapacity]).findings;
  const existing = new Map(report.findings.map((f) => [f.id, f]));

  const rates = new Map<string, RateEstimate>();
  const rateOf = (counter: string): RateEstimate => {
    let r = rates.get(counter);
    if (!r) {
      r = growthRate(history.get(counter) ?? [], { asOf, windowDays });
      rates.set(counter, r);
    }
    return r;
  };

  interface Work {
    base: Finding;
    ratioSeverity: Finding['severity'] | undefined;
    counter: string;
    rate: RateEstimate;
  }
  const work: Work[] = [];
  for (const f of report.findings) {
    if (!FORECAST_CHECKS.includes(f.check) || f.current === null) continue;
    const counter = groupId(findingKey(f));
    work.push({ base: f, ratioSeverity: f.severity, counter, rate: rateOf(counter) });
  }
  for (const f of all) {
    if (existing.has(f.id) || f.current === null) continue;
    const counter = groupId(findingKey(f));
    const rate = rateOf(counter);
    // Below the ratio thresholds, only a key that grows can become a finding.
    if (rate.status === 'ok') work.push({ base: f, ratioSeverity: undefined, counter, rate });
  }

  // The planner's estimate per group: only groups of findings that are or may become findings.
  const plan = planWidenings(
    work.map((w) => w.base),
    snapshot,
    config,
    { policy },
  );
  // Every key of a plan (keys that share a table are planned, and estimated, together).
  const estimates = new Map(plan.plans.flatMap((p) => p.groups.map((g) => [g, p] as const)));

  const updated = new Map<string, Finding>();
  for (const w of work) {
    const f = w.base;
    const current = f.current!;
    const { daysLeft, date } = exhaustion(current, f.max, w.rate.idsPerDay, asOf);
    const p = estimates.get(w.counter);
    const notes = [...w.rate.notes];
    let migrationDays: KeyForecast['migrationDays'] = null;
    if (p) {
      // Sum the copy steps ourselves: a copy whose row count is unknown has no duration (NaN); count the known ones.
      const copies = p.steps.flatMap((s) => (s.estimate ? [s.estimate] : []));
      const sum = (pick: (e: (typeof copies)[number]) => number) => copies.reduce((n, e) => (Number.isFinite(pick(e)) ? n + pick(e) : n), 0);
      migrationDays = { low: sum((e) => e.secondsLow) / 86_400, high: sum((e) => e.secondsHigh) / 86_400 };
      const unknown = copies.filter((e) => e.rowsEstimate === null || !Number.isFinite(e.secondsHigh)).length;
      if (unknown) notes.push(`row count unknown for ${unknown === 1 ? 'a table' : `${unknown} tables`} of the group: ${unknown === 1 ? 'its copy counts' : 'their copies count'} as 0 days in the estimate`);
      if (copies.length === 0) notes.push('nothing in the group can be widened (already the widest type): the estimate is 0 days');
    }
    const status: KeyForecast['status'] = current >= f.max ? 'exhausted' : w.rate.status;
    const verdict = daysLeft !== null && migrationDays ? migrationRule(daysLeft, migrationDays.high, policy) : undefined;
    const severity = worse(w.ratioSeverity, verdict?.severity);
    if (!severity) continue; // a candidate the migration rule does not raise
    const rule: KeyForecast['rule'] = w.ratioSeverity && SEVERITY_RANK[w.ratioSeverity] >= SEVERITY_RANK[severity] ? 'ratio' : 'migration';
    const forecast: KeyForecast = {
      status,
      counter: w.counter,
      observations: w.rate.observations,
      windowDays,
      idsPerDay: w.rate.idsPerDay,
      daysLeft,
      date,
      migrationDays,
      criticalBelowDays: migrationDays ? migrationDays.high * policy.safetyFactor + policy.leadDays : null,
      rule,
      notes,
    };
    updated.set(f.id, { ...f, severity, forecast, message: `${f.message} ${sentence(forecast, severity, verdict?.severity, policy)}` });
  }

  const findings = [...report.findings.map((f) => updated.get(f.id) ?? f), ...[...updated.values()].filter((f) => !existing.has(f.id))];
  findings.sort(compareFindings);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { ...report, summary: { ...report.summary, findings: counts }, findings };
}

/** What the forecast says and which rule set the severity, with the numbers. */
function sentence(
  fc: KeyForecast,
  severity: Finding['severity'],
  migrationSeverity: Finding['severity'] | undefined,
  policy: Policy,
): string {
  if (fc.status === 'exhausted') return 'Severity by the ratio rule: no ids left.';
  if (fc.status === 'unknown') return `Forecast unknown (${fc.notes[fc.notes.length - 1] ?? 'no history'}); severity by the ratio rule.`;
  if (fc.status === 'not-growing') return `Forecast: not growing over the last ${fc.windowDays} days; severity by the ratio rule.`;
  const head = `Forecast: ${fmtRate(fc.idsPerDay!)} ids/day, ${fmtDays(fc.daysLeft!)} days left (${fc.date ?? 'after 9999'}).`;
  if (!fc.migrationDays || fc.criticalBelowDays === null) return `${head} No widening estimate for its group; severity by the ratio rule.`;
  const t = fc.criticalBelowDays;
  const high = fc.migrationDays.high;
  const formula = `${high > 0 && high < 0.01 ? 'under 0.01' : fmtDays(high)} estimated migration days × safetyFactor ${policy.safetyFactor} + leadDays ${policy.leadDays} = ${fmtDays(t)}`;
  if (fc.rule === 'migration') {
    return migrationSeverity === 'critical'
      ? `${head} Critical by the migration rule: ${fmtDays(fc.daysLeft!)} days left < ${formula} days.`
      : `${head} Warning by the migration rule: ${fmtDays(fc.daysLeft!)} days left < 2 × (${formula}) = ${fmtDays(t * 2)} days.`;
  }
  const alone = migrationSeverity ? `${migrationSeverity} (below ${fmtDays(migrationSeverity === 'critical' ? t : t * 2)} days)` : `nothing (critical below ${fmtDays(t)} days, warning below ${fmtDays(t * 2)}; ${formula})`;
  return `${head} ${severity === 'critical' ? 'Critical' : 'Warning'} by the ratio rule; the migration rule alone says ${alone}.`;
}
