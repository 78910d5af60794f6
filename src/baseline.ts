/**
 * Baselines: accept today's findings so the gate fails only on what is new or has got worse.
 *
 * A baseline file maps stable finding ids (`<check>:<shard>/<database>/<table>.<column>`) to
 * the severity they had when it was written. It never keys on line order or on numbers, so a
 * counter that keeps climbing within the same severity stays "known".
 *
 * Everything here is pure except `readBaselineFile` / `writeBaselineFile`, the CLI's edge.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileErrorText, UsageError } from './errors.js';
import { SEVERITY_RANK, compareText, type Finding, type Report, type Severity } from './model/types.js';
import { formatJson } from './report/json.js';
import { exitCode, type FailOn } from './scan.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  severity: Severity;
}

export interface Baseline {
  version: 1;
  /** ISO 8601 time the file was written; for people, never compared. */
  generatedAt: string;
  /** Finding id → the severity it had. */
  findings: Record<string, BaselineEntry>;
}

/**
 * `known`: in the baseline at the same or a higher severity (reported, does not fail the gate).
 * `worse`: in the baseline, but at a lower severity than now (fails like a new finding).
 * `new`: not in the baseline.
 */
export type BaselineStatus = 'known' | 'worse' | 'new';

/** The current findings as a baseline, keyed by id in byte order so the file diffs cleanly. */
export function createBaseline(report: Report, generatedAt: Date | string): Baseline {
  const findings: Record<string, BaselineEntry> = {};
  for (const f of [...report.findings].sort((a, b) => compareText(a.id, b.id))) {
    // Ids are unique per report; keep the worst should a caller hand in duplicates.
    const prev = findings[f.id];
    if (!prev || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prev.severity]) findings[f.id] = { severity: f.severity };
  }
  return {
    version: BASELINE_VERSION,
    generatedAt: typeof generatedAt === 'string' ? generatedAt : generatedAt.toISOString(),
    findings,
  };
}

export function serializeBaseline(baseline: Baseline): string {
  return JSON.stringify(baseline, null, 2) + '\n';
}

/** Parse and check a baseline file's text. Throws a one-line UsageError naming `file`. */
export function parseBaseline(text: string, file: string): Baseline {
  const bad = (why: string): never => {
    throw new UsageError(`${file}: not a headroom baseline: ${why} (write one with --write-baseline)`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return bad(`invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObject(data)) return bad('expected a JSON object');
  if (data.version !== BASELINE_VERSION) {
    return bad(`unsupported version ${JSON.stringify(data.version) ?? 'missing'} (this headroom reads version ${BASELINE_VERSION})`);
  }
  if (typeof data.generatedAt !== 'string') return bad('"generatedAt" must be a string');
  if (!isObject(data.findings)) return bad('"findings" must be an object of finding id → { "severity": … }');
  const findings: Record<string, BaselineEntry> = {};
  for (const [id, entry] of Object.entries(data.findings)) {
    const severity = isObject(entry) ? entry.severity : undefined;
    if (typeof severity !== 'string' || !Object.hasOwn(SEVERITY_RANK, severity)) {
      return bad(`findings[${JSON.stringify(id)}].severity must be "critical", "warning" or "info"`);
    }
    findings[id] = { severity: severity as Severity };
  }
  return { version: BASELINE_VERSION, generatedAt: data.generatedAt, findings };
}

export async function readBaselineFile(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read baseline: ${fileErrorText(e)}`);
  }
  return parseBaseline(text, file);
}

export async function writeBaselineFile(file: string, baseline: Baseline): Promise<void> {
  try {
    await writeFile(file, serializeBaseline(baseline));
  } catch (e) {
    throw new UsageError(`${file}: cannot write baseline: ${fileErrorText(e)}`);
  }
}

export function baselineStatus(finding: Finding, baseline: Baseline): BaselineStatus {
  const entry = Object.hasOwn(baseline.findings, finding.id) ? baseline.findings[finding.id] : undefined;
  if (!entry) return 'new';
  return SEVERITY_RANK[entry.severity] >= SEVERITY_RANK[finding.severity] ? 'known' : 'worse';
}

export interface GateResult {
  /** 2 when a shard could not be read, 1 when a finding fails the gate, else 0. */
  exitCode: 0 | 1 | 2;
  /** Findings at or above `failOn` that are not known in the baseline: these fail the gate. */
  failing: Finding[];
  /** Findings at or above `failOn` that the baseline knows: reported, but they do not fail. */
  accepted: Finding[];
  /** Status of every finding, by id; empty without a baseline. */
  statuses: Map<string, BaselineStatus>;
  /** Whether a baseline was given. */
  withBaseline: boolean;
}

/**
 * The exit-code rule with a baseline: the same as `exitCode`, on the report minus its known
 * findings. Shard errors still make it 2, whatever the baseline says.
 */
export function gateExitCode(report: Report, failOn: FailOn = 'critical', baseline?: Baseline): 0 | 1 | 2 {
  if (!baseline) return exitCode(report, failOn);
  return exitCode({ ...report, findings: report.findings.filter((f) => baselineStatus(f, baseline) !== 'known') }, failOn);
}

/** Everything a reporter needs to say why the gate passes or fails. */
export function evaluateGate(report: Report, failOn: FailOn = 'critical', baseline?: Baseline): GateResult {
  const statuses = new Map<string, BaselineStatus>();
  if (baseline) for (const f of report.findings) statuses.set(f.id, baselineStatus(f, baseline));
  const atOrAbove = (f: Finding) => failOn !== 'never' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn];
  const failing: Finding[] = [];
  const accepted: Finding[] = [];
  for (const f of report.findings) {
    if (!atOrAbove(f)) continue;
    (statuses.get(f.id) === 'known' ? accepted : failing).push(f);
  }
  return { exitCode: gateExitCode(report, failOn, baseline), failing, accepted, statuses, withBaseline: baseline !== undefined };
}

/**
 * `--format json` with a baseline: the same document, each finding with `"baseline": "known" | "worse" | "new"`
 * as its last field. Built from `formatJson`'s own output so the two never drift apart
 * (numbers survive the round trip: none is above 2^53 − 1, and bigger ones are strings).
 */
export function formatJsonWithBaseline(report: Report, baseline: Baseline): string {
  const doc = JSON.parse(formatJson(report)) as { findings: Array<Record<string, unknown>> };
  doc.findings.forEach((f, i) => {
    f.baseline = baselineStatus(report.findings[i]!, baseline);
  });
  return JSON.stringify(doc, null, 2) + '\n';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the CI reporters (sarif, github, junit, markdown) are told about the gate. */
export interface GateOptions {
  /** Default `critical`, like `scan --fail-on`. */
  failOn?: FailOn;
  /** Known findings are marked and do not fail the gate. */
  baseline?: Baseline;
}

/** One sentence on the exit status, e.g. `exit 1: 3 findings at or above --fail-on critical (2 new, 1 more severe than in the baseline)`. */
export function describeGate(gate: GateResult, failOn: FailOn, errors: number): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const known = gate.accepted.length ? `${n(gate.accepted.length, 'finding')} at or above it known in the baseline` : '';
  if (gate.exitCode === 2) {
    return `exit 2: ${n(errors, 'shard')} could not be read, so the scan is incomplete${gate.withBaseline ? ' (whatever the baseline says)' : ''}`;
  }
  if (gate.exitCode === 1) {
    const worse = gate.failing.filter((f) => gate.statuses.get(f.id) === 'worse').length;
    const fresh = gate.failing.filter((f) => gate.statuses.get(f.id) === 'new').length;
    const detail = gate.withBaseline ? [fresh && `${fresh} new`, worse && `${worse} more severe than in the baseline`].filter(Boolean).join(', ') : '';
    return (
      `exit 1: ${n(gate.failing.length, 'finding')} at or above --fail-on ${failOn}` +
      (detail ? ` (${detail})` : '') +
      (known ? `; ${known} do${gate.accepted.length === 1 ? 'es' : ''} not count` : '')
    );
  }
  if (failOn === 'never') return 'exit 0: --fail-on never';
  return `exit 0: no ${gate.withBaseline ? 'new ' : ''}finding at or above --fail-on ${failOn}` + (known ? ` (${known})` : '');
}
