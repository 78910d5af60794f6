/**
 * What the HTML report shows, computed from the data before any markup is written. Pure.
 *
 *   Report (+ forecasts, runbook links) ─┬─ groupFindings ─ one row per group (like the CLI table)
 *   Snapshot + config (optional) ────────┼─ planWidenings ─ group members, migration estimate
 *                                        └─ every key's ratio ─ heat strip per shard
 *   counter history (optional) ────────── chart points per row
 *
 * Integers stay bigints here; numbers appear only for days, rates and chart coordinates.
 */
import { runChecks } from '../checks/run.js';
import { fkCapacity } from '../checks/fk-capacity.js';
import { pkCapacity } from '../checks/pk-capacity.js';
import type { CheckConfig, Thresholds } from '../config/types.js';
import { DAY_MS, type Point } from '../forecast/forecast.js';
import { reaches, type Fraction } from '../model/ratio.js';
import { SEVERITY_RANK, compareText, type Finding, type Report, type Severity, type Snapshot } from '../model/types.js';
import { findingKey, groupId } from '../plan/groups.js';
import { planWidenings } from '../plan/plan.js';
import type { Policy, WideningPlan } from '../plan/types.js';
import { groupFindings, type FindingGroup } from './table.js';

export interface HtmlReportInput {
  /** Findings, with `forecast` (history) and `runbook` (links) when known. */
  report: Report;
  /** The catalog the report came from: heat strip from every key, widening groups, estimates. Absent for a saved JSON report alone. */
  snapshot?: Snapshot;
  /** Thresholds, relationships, ignore (and vitess) as the scan used them. */
  config: CheckConfig;
  /** leadDays and safetyFactor for "start migrating by"; the planner's settings for estimates. */
  policy: Policy;
  /** Counter history, when a history store was given. */
  history?: {
    /** Observations per counter, keyed `shard/database/table.column` (plan/groups.ts groupId). */
    observations: ReadonlyMap<string, readonly Point[]>;
    windowDays: number;
    /** The store, for people (a directory, or host:port/database.table). */
    description: string;
  };
  /** When the fleet was read (ISO); null when unknown (a JSON report without --at). */
  scannedAt: string | null;
  /** When the page was generated (ISO): the caller's clock. */
  generatedAt: string;
  /** Where the data came from, for people: "snapshot fleet.json", "live scan of headroom.yaml". */
  source: string;
}

export interface KeyRow {
  /** 1-based position in the default order; anchors are `key-<n>`. */
  n: number;
  group: FindingGroup;
  /** The finding the row shows: the one that runs out soonest, or (without forecasts) the worst. */
  lead: Finding;
  /** The group's worst severity. */
  severity: Severity;
  /** `shard/database/table.column` of the lead's counter (the key itself, or the referenced key). */
  counter: string;
  daysLeft: number | null;
  /** When the lead's key reaches its max (ms), if it grows. */
  exhaustionAt: number | null;
  /** Days to widen the group: the forecast's figure, or the planner's estimate over the snapshot. */
  migrationDays: { low: number; high: number } | null;
  /** `daysLeft − migrationDays.high − leadDays`, and that date. Negative: it should have started already. */
  startBy: { days: number; at: number } | null;
  /** The lead's widening group (needs the snapshot). */
  plan: WideningPlan | undefined;
  /** Without a plan (no snapshot): the report's findings about the same key, the lead included. */
  related: Finding[];
  /** The lead counter's observations in the window; undefined when no history was given. */
  points: Point[] | undefined;
}

export interface HeatBand {
  label: string;
  /** CSS class and meaning: ok < 50%, mid below warning, warn, crit, over (≥ 100%). */
  tone: 'ok' | 'mid' | 'warn' | 'crit' | 'over';
}

export interface HeatRow {
  shard: string;
  /** Databases per band, in `bands` order. */
  counts: number[];
  /** Databases with no key value read (no integer key, or an empty table without a counter). */
  unknown: number;
  /** Only for `source: 'findings'`: databases the scan read that have no finding (below the warning threshold). */
  noFinding: number | null;
  /** The shard could not be read (in part or at all). */
  error: boolean;
}

export interface HeatModel {
  /** `snapshot`: every key of every database; `findings`: only what a JSON report's findings show. */
  source: 'snapshot' | 'findings';
  bands: HeatBand[];
  rows: HeatRow[];
}

export interface HtmlModel {
  input: HtmlReportInput;
  /** Scan time in ms, when known. */
  asOf: number | null;
  rows: KeyRow[];
  heat: HeatModel;
}

export function buildHtmlModel(input: HtmlReportInput): HtmlModel {
  const asOf = input.scannedAt === null ? null : Date.parse(input.scannedAt);
  const plans = input.snapshot ? planIndex(input) : undefined;
  const rows = groupFindings(input.report.findings).map((group) => keyRow(group, input, asOf, plans));
  // Default order: worst severity, then soonest to run out (unknown last), then the CLI's order (ratio).
  const order = new Map(rows.map((r, i) => [r, i]));
  rows.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || soon(a) - soon(b) || order.get(a)! - order.get(b)!);
  rows.forEach((r, i) => (r.n = i + 1));
  return { input, asOf: Number.isFinite(asOf) ? asOf : null, rows, heat: input.snapshot ? heatFromSnapshot(input.snapshot, input.config) : heatFromFindings(input.report, input.config.thresholds) };
}

const soon = (r: KeyRow) => (r.daysLeft === null ? Number.POSITIVE_INFINITY : r.daysLeft);

function planIndex(input: HtmlReportInput): Map<string, WideningPlan> {
  const plan = planWidenings(input.report.findings, input.snapshot!, input.config, { policy: input.policy });
  // Every key of a plan (keys that share a table are planned together).
  return new Map(plan.plans.flatMap((p) => p.groups.map((g) => [g, p] as const)));
}

function keyRow(group: FindingGroup, input: HtmlReportInput, asOf: number | null, plans: Map<string, WideningPlan> | undefined): KeyRow {
  // The finding that runs out soonest; without any forecast, the group's worst (what the CLI shows).
  let lead = group.worst;
  let best = Number.POSITIVE_INFINITY;
  for (const f of group.findings) {
    const d = f.forecast?.daysLeft;
    if (d !== null && d !== undefined && d < best) {
      best = d;
      lead = f;
    }
  }
  const key = findingKey(lead);
  const counter = lead.forecast?.counter ?? groupId(key);
  const plan = plans?.get(groupId(key));
  const fc = lead.forecast;
  const daysLeft = fc?.daysLeft ?? null;
  const migrationDays = fc?.migrationDays ?? (plan ? planDays(plan) : null);
  let exhaustionAt: number | null = null;
  if (daysLeft !== null) {
    if (asOf !== null && Number.isFinite(asOf)) exhaustionAt = asOf + daysLeft * DAY_MS;
    else if (fc?.date) exhaustionAt = Date.parse(`${fc.date}T00:00:00Z`);
  }
  let startBy: KeyRow['startBy'] = null;
  if (daysLeft !== null && exhaustionAt !== null) {
    const days = daysLeft - (migrationDays?.high ?? 0) - input.policy.leadDays;
    startBy = { days, at: exhaustionAt - (daysLeft - days) * DAY_MS };
  }
  const related = plan ? [] : input.report.findings.filter((f) => groupId(findingKey(f)) === groupId(key));
  return {
    n: 0,
    group,
    lead,
    severity: group.worst.severity,
    counter,
    daysLeft,
    exhaustionAt,
    migrationDays,
    startBy,
    plan,
    related,
    points: input.history ? windowPoints(input.history.observations.get(counter) ?? [], asOf, input.history.windowDays) : undefined,
  };
}

/** The group's copy steps summed (a copy whose row count is unknown counts 0, as in forecast/apply.ts). */
function planDays(p: WideningPlan): { low: number; high: number } {
  const copies = p.steps.flatMap((s) => (s.estimate ? [s.estimate] : []));
  const sum = (pick: (e: (typeof copies)[number]) => number) => copies.reduce((n, e) => (Number.isFinite(pick(e)) ? n + pick(e) : n), 0);
  return { low: sum((e) => e.secondsLow) / 86_400, high: sum((e) => e.secondsHigh) / 86_400 };
}

/** Observations inside the forecast window (all of them when the scan time is unknown), one per time, oldest first. */
export function windowPoints(points: readonly Point[], asOf: number | null, windowDays: number): Point[] {
  const from = asOf === null ? Number.NEGATIVE_INFINITY : asOf - windowDays * DAY_MS;
  const to = asOf === null ? Number.POSITIVE_INFINITY : asOf;
  const byTime = new Map<number, Point>();
  for (const p of points) {
    if (p.at < from || p.at > to) continue;
    const prev = byTime.get(p.at);
    if (!prev || p.value > prev.value) byTime.set(p.at, p);
  }
  return [...byTime.values()].sort((a, b) => a.at - b.at);
}

// ── Heat strip ────────────────────────────────────────────────────────────────────────────────

const HALF: Fraction = { num: 1n, den: 2n };
const ONE: Fraction = { num: 1n, den: 1n };
const ZERO: Fraction = { num: 0n, den: 1n };
const NEVER: Fraction = { num: 1n << 80n, den: 1n };

const cmpFraction = (a: Fraction, b: Fraction) => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};

/** `0.7` → "70", `0.725` → "72.5" (display only). */
export function percentText(f: Fraction): string {
  const hundredths = (f.num * 10_000n) / f.den;
  const whole = hundredths / 100n;
  const frac = (hundredths % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

interface Edge {
  at: Fraction;
  tone: HeatBand['tone'];
}

/**
 * Band edges: 50%, the warning and critical thresholds, and 100%, sorted and without duplicates.
 * A band is named after its lower edge: below 50% `ok`, from 50% `mid`, from warning `warn`,
 * from critical `crit`, from 100% `over`.
 */
function edges(t: Thresholds): Edge[] {
  const inner = ([
    { at: HALF, tone: 'mid' },
    { at: t.warning, tone: 'warn' },
    { at: t.critical, tone: 'crit' },
  ] satisfies Edge[] as Edge[]).filter((e) => cmpFraction(e.at, ZERO) > 0 && cmpFraction(e.at, ONE) < 0);
  inner.sort((a, b) => cmpFraction(a.at, b.at) || RANK[a.tone] - RANK[b.tone]);
  const out: Edge[] = [];
  for (const e of inner) {
    const last = out[out.length - 1];
    if (last && cmpFraction(last.at, e.at) === 0) out[out.length - 1] = e; // the more severe name wins
    else out.push(e);
  }
  out.push({ at: ONE, tone: 'over' });
  return out;
}

const RANK: Record<HeatBand['tone'], number> = { ok: 0, mid: 1, warn: 2, crit: 3, over: 4 };

export function heatBands(t: Thresholds): HeatBand[] {
  const e = edges(t);
  const bands: HeatBand[] = [{ label: `< ${percentText(e[0]!.at)}%`, tone: 'ok' }];
  for (let i = 0; i < e.length; i++) {
    const lo = percentText(e[i]!.at);
    const hi = e[i + 1];
    bands.push({ label: hi ? `${lo}–${percentText(hi.at)}%` : `≥ ${lo}%`, tone: e[i]!.tone });
  }
  return bands;
}

/** Index into heatBands(t) for current / max, exactly. */
export function bandOf(current: bigint, max: bigint, t: Thresholds): number {
  return edges(t).filter((e) => reaches(current, max, e.at)).length;
}

interface Worst {
  current: bigint;
  max: bigint;
}

function worse(a: Worst | undefined, b: Worst): Worst {
  return !a || b.current * a.max > a.current * b.max ? b : a;
}

/**
 * Per shard, databases per band of their worst key: every key (its own ratio) and every
 * reference (referenced current / own max), from the same pk-capacity and fk-capacity logic
 * as the scan, run with thresholds at zero so every key yields a value.
 */
export function heatFromSnapshot(snapshot: Snapshot, config: CheckConfig): HeatModel {
  const zero = { warning: ZERO, critical: NEVER, warningText: '0', criticalText: 'never' };
  const all = runChecks(snapshot, { ...config, thresholds: zero }, [pkCapacity, fkCapacity]).findings;
  const worst = new Map<string, Worst>();
  for (const f of all) {
    if (f.current === null) continue;
    const k = `${f.shard}\u0000${f.database}`;
    worst.set(k, worse(worst.get(k), { current: f.current, max: f.max }));
  }
  const bands = heatBands(config.thresholds);
  const failed = new Set(snapshot.errors.map((e) => e.shard));
  const rows: HeatRow[] = snapshot.shards.map((s) => {
    const counts = bands.map(() => 0);
    let unknown = 0;
    for (const d of s.databases) {
      const w = worst.get(`${s.name}\u0000${d.name}`);
      if (w) counts[bandOf(w.current, w.max, config.thresholds)]!++;
      else unknown++;
    }
    return { shard: s.name, counts, unknown, noFinding: null, error: failed.has(s.name) };
  });
  const read = new Set(snapshot.shards.map((s) => s.name));
  for (const e of snapshot.errors) {
    if (!read.has(e.shard)) {
      read.add(e.shard);
      rows.push({ shard: e.shard, counts: bands.map(() => 0), unknown: 0, noFinding: null, error: true });
    }
  }
  rows.sort((a, b) => compareText(a.shard, b.shard));
  return { source: 'snapshot', bands, rows };
}

/**
 * Without a snapshot: only databases with a finding have a known worst ratio. The others the scan
 * read (summary.coverage) are below the warning threshold, in no finer band.
 */
export function heatFromFindings(report: Report, thresholds: Thresholds): HeatModel {
  const worst = new Map<string, Worst>();
  const shards = new Set<string>();
  for (const f of report.findings) {
    if (f.current === null || f.shards) continue; // fleet-wide (Vitess) findings belong to no one database
    shards.add(f.shard);
    const k = `${f.shard}\u0000${f.database}`;
    worst.set(k, worse(worst.get(k), { current: f.current, max: f.max }));
  }
  const coverage = new Map((report.summary.coverage ?? []).map((c) => [c.shard, c]));
  for (const c of coverage.keys()) shards.add(c);
  const failed = new Set(report.errors.map((e) => e.shard));
  for (const e of failed) shards.add(e);
  const bands = heatBands(thresholds);
  const rows: HeatRow[] = [...shards].sort(compareText).map((shard) => {
    const counts = bands.map(() => 0);
    let withFinding = 0;
    for (const [k, w] of worst) {
      if (!k.startsWith(`${shard}\u0000`)) continue;
      counts[bandOf(w.current, w.max, thresholds)]!++;
      withFinding++;
    }
    const c = coverage.get(shard);
    const noFinding = c ? Math.max(0, c.databasesRead - withFinding) : null;
    return { shard, counts, unknown: 0, noFinding, error: failed.has(shard) || (c !== undefined && !c.complete) };
  });
  return { source: 'findings', bands, rows };
}
