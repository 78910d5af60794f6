/**
 * The I/O side of `headroom report`: turn a scan (live or snapshot) or a saved JSON report, plus
 * the history store, into the data the page is rendered from (html-model.ts HtmlReportInput).
 *
 * The report reads history and never writes it: `scan --history` records; a report only looks.
 */
import { readFile } from 'node:fs/promises';
import type { CheckConfig, Inventory } from '../config/types.js';
import { fileErrorText, UsageError } from '../errors.js';
import { applyForecasts } from '../forecast/apply.js';
import { DAY_MS } from '../forecast/forecast.js';
import { historyConfigFor } from '../history/cli.js';
import type { HistoryConfig } from '../history/config.js';
import { openHistoryStore } from '../history/history.js';
import { parseAt } from '../history/import.js';
import { counterHistory, observationsFromReport, observationsFromSnapshot, type Observation } from '../history/observations.js';
import { parsePart } from '../merge.js';
import type { Report, Snapshot } from '../model/types.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import { attachRunbookLinks } from '../runbook/runbook.js';
import { scanSnapshot } from '../scan.js';
import type { HtmlReportInput } from './html-model.js';

type Env = Record<string, string | undefined>;

export interface ReportSourceOptions {
  /** `--history [store]`: undefined → the config's history: block, if any. */
  history?: string | boolean;
  env: Env;
  /** The page's clock (generation time; for a JSON report without --at, the end of the history window). */
  now: () => Date;
  /** `--runbooks <dir|url>`: where the runbooks are, relative to the page, or a URL. */
  runbooks?: string;
  /** Where the data came from, for people. */
  source: string;
}

/** A scan's snapshot (live or from a file) → page data: findings, forecasts from history, runbook links. */
export async function reportInputFromSnapshot(snapshot: Snapshot, config: CheckConfig, inventory: Inventory | undefined, opts: ReportSourceOptions): Promise<HtmlReportInput> {
  const policy = inventory?.policy ?? DEFAULT_POLICY;
  let report = scanSnapshot(snapshot, config);
  const asOf = Date.parse(snapshot.takenAt);
  const h = historyConfigFor(opts.history, inventory, opts.env);
  let history: HtmlReportInput['history'];
  if (h) {
    const shards = [...snapshot.shards.map((s) => s.name), ...snapshot.errors.map((e) => e.shard)];
    const { observations: past, description } = await readHistory(h, inventory, asOf, shards);
    // As `scan --history` does: the window from the store plus this scan's counters (not recorded).
    const observations = counterHistory([...past, ...observationsFromSnapshot(snapshot, config)]);
    report = applyForecasts(report, snapshot, config, observations, { policy, windowDays: h.windowDays, asOf });
    history = { observations, windowDays: h.windowDays, description };
  }
  report = attachRunbookLinks(report, opts.runbooks ?? inventory?.runbookBaseUrl);
  return {
    report,
    snapshot,
    config,
    policy,
    ...(history ? { history } : {}),
    scannedAt: snapshot.takenAt,
    generatedAt: opts.now().toISOString(),
    source: opts.source,
  };
}

export interface JsonSourceOptions extends ReportSourceOptions {
  /** `--at`: when the report was taken (reports carry no time). */
  at?: string;
  /** `--snapshot` as well: every key's band, widening groups and estimates. */
  snapshot?: Snapshot;
}

/**
 * A saved `scan --format json` report → page data. Findings, forecasts and runbook links are the
 * report's own (with `--runbooks`, links are re-pointed). History, when given, only draws the charts:
 * the window ends at `--at`, or at the page's clock.
 */
export async function reportInputFromJson(file: string, config: CheckConfig, inventory: Inventory | undefined, opts: JsonSourceOptions): Promise<HtmlReportInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${fileErrorText(e)}`);
  }
  const part = parsePart(text, file);
  if (part.kind !== 'report') throw new UsageError(`--from-json ${file}: this is a snapshot; give it with --snapshot`);
  let report: Report = part.report;
  const at = opts.at === undefined ? undefined : parseAt(opts.at);
  const policy = inventory?.policy ?? DEFAULT_POLICY;
  const h = historyConfigFor(opts.history, inventory, opts.env);
  let history: HtmlReportInput['history'];
  if (h) {
    const end = at ?? opts.now().getTime();
    const shards = [...new Set([...report.findings.flatMap((f) => f.shards ?? [f.shard]), ...report.errors.map((e) => e.shard), ...(report.summary.coverage ?? []).map((c) => c.shard)])];
    const { observations: past, description } = await readHistory(h, inventory, end, shards);
    // With --at, the report's own counters are one more observation at that time.
    const own: Observation[] = at === undefined ? [] : observationsFromReport(JSON.parse(text), at, file);
    history = { observations: counterHistory([...past, ...own]), windowDays: h.windowDays, description };
  }
  if (opts.runbooks !== undefined) report = attachRunbookLinks(report, opts.runbooks);
  else if (report.findings.some((f) => !f.runbook)) {
    const linked = attachRunbookLinks(report, inventory?.runbookBaseUrl);
    report = { ...report, findings: report.findings.map((f, i) => (f.runbook ? f : linked.findings[i]!)) };
  }
  return {
    report,
    ...(opts.snapshot ? { snapshot: opts.snapshot } : {}),
    config,
    policy,
    ...(history ? { history } : {}),
    scannedAt: at === undefined ? null : new Date(at).toISOString(),
    generatedAt: opts.now().toISOString(),
    source: opts.source,
  };
}

async function readHistory(h: HistoryConfig, inventory: Inventory | undefined, asOf: number, shards: string[]): Promise<{ observations: Observation[]; description: string }> {
  // The same store and guard as `scan --history`; only read here.
  const store = await openHistoryStore(h, inventory?.shards ?? []);
  try {
    const observations = await store.read(asOf - h.windowDays * DAY_MS, asOf, shards);
    return { observations, description: store.description };
  } finally {
    await store.close();
  }
}
