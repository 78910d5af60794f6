/**
 * `--format prometheus`: the Prometheus text exposition format (0.0.4), for node_exporter's
 * textfile collector, named and labelled the way exporters do it (docs/alerts.md):
 *
 * - base units: `_seconds`, `_ratio`, Unix time in `_timestamp_seconds` (no counters, so no `_total`);
 * - no volatile label on a gauge: a finding's severity and runbook link are labels of
 *   `headroom_finding_info` (value 1) only, joined on the finding's labels
 *   (shard, database, table, column, check);
 * - a gauge for every key and referencing column scanned (`headroom_key_*`), grouped per
 *   shard × table × column × check with the worst database's value, or per database; or none;
 * - scan health per shard (`headroom_shard_up`, last success, coverage) and per scan.
 *
 * Also valid OpenMetrics text: no blank lines, no timestamps (the textfile collector rejects
 * them), `# EOF` last. `promtool check metrics` accepts it (the tests run it).
 *
 * Every sample is a float64. `headroom_key_current` and `headroom_key_max` above 2^53
 * (9,007,199,254,740,992) are rounded to the nearest float64 in Prometheus — a BIGINT UNSIGNED
 * max of 18446744073709551615 reads as 1.8446744073709552e19. `--format json` keeps them exact.
 */
import { displayRatio } from '../model/ratio.js';
import type { Finding, Report } from '../model/types.js';
import type { KeyUsage } from './key-usage.js';

const DAY_SECONDS = 86_400;

export interface PrometheusOptions {
  /** Shards that were read (a shard with nothing near its limit has no finding to name it). */
  shards: readonly string[];
  /** When the scan read the fleet (ms). */
  scannedAt: number;
  /** Per shard, the last time it was read successfully (ms), e.g. from history; shards read now count as `scannedAt`. */
  lastSuccess?: ReadonlyMap<string, number>;
  /**
   * Every key and referencing column scanned (`KeyUsageCollector`), grouped or per database.
   * Absent: findings only (`--prometheus-keys none`), and no `headroom_key_*` family.
   */
  keys?: readonly KeyUsage[];
}

interface Family {
  name: string;
  help: string;
  samples: { labels: [string, string][]; value: number }[];
}

export function formatPrometheus(report: Report, options: PrometheusOptions): string {
  const fam = (name: string, help: string): Family => ({ name, help, samples: [] });
  const families: Family[] = [];

  if (options.keys) {
    const ratio = fam('headroom_key_usage_ratio', "Share of the type maximum used: current / max, for every key (check pk-capacity) and every column storing a key's ids (check fk-capacity: that key's current over this column's max). Grouped: the worst database's value.");
    const current = fam('headroom_key_current', 'Current value of the counter (for fk-capacity the referenced key). A float64: exact only up to 2^53; --format json keeps findings exact.');
    const max = fam('headroom_key_max', "Largest value the column's type holds. A float64: the BIGINT maxima are rounded.");
    for (const k of options.keys) {
      const labels: [string, string][] = [['shard', k.shard], ...(k.database !== null ? ([['database', k.database]] as [string, string][]) : []), ['table', k.table], ['column', k.column], ['check', k.check]];
      ratio.samples.push({ labels, value: displayRatio(k.current, k.max) });
      current.samples.push({ labels, value: Number(k.current) });
      max.samples.push({ labels, value: Number(k.max) });
    }
    families.push(ratio, current, max);
  }

  const info = fam('headroom_finding_info', 'A finding of the last scan (value 1): its severity, and its runbook when there is one. Join on shard, database, table, column, check.');
  const fRatio = fam('headroom_finding_usage_ratio', "The finding's current / max (fk checks: the referenced key's current over this column's max; can be above 1). Absent when the current value is unknown.");
  const timeLeft = fam('headroom_finding_time_left_seconds', 'Forecast seconds until current reaches max at the recent growth rate (needs --history; absent when unknown or not growing; 0 when no ids are left).');
  const growth = fam('headroom_finding_growth_per_second', 'Forecast growth of the counter, ids per second (needs --history).');
  const migration = fam('headroom_finding_migration_seconds', "Planner estimate (high end) of how long widening this key's group takes, in seconds (needs --history).");
  const criticalBelow = fam('headroom_finding_critical_below_seconds', 'Migration rule line: critical when time_left is below it (migration x policy.safetyFactor + policy.leadDays), warning below twice it (needs --history).');
  for (const f of report.findings) {
    const labels = findingLabels(f);
    info.samples.push({ labels: [...labels, ['severity', f.severity], ...(f.runbook ? ([['runbook', f.runbook]] as [string, string][]) : [])], value: 1 });
    if (f.ratio !== null && Number.isFinite(f.ratio)) fRatio.samples.push({ labels, value: f.ratio });
    const fc = f.forecast;
    if (!fc) continue;
    if (fc.daysLeft !== null) timeLeft.samples.push({ labels, value: fc.daysLeft * DAY_SECONDS });
    if (fc.idsPerDay !== null && fc.status === 'ok') growth.samples.push({ labels, value: fc.idsPerDay / DAY_SECONDS });
    if (fc.migrationDays) migration.samples.push({ labels, value: fc.migrationDays.high * DAY_SECONDS });
    if (fc.criticalBelowDays !== null) criticalBelow.samples.push({ labels, value: fc.criticalBelowDays * DAY_SECONDS });
  }
  families.push(info, fRatio, timeLeft, growth, migration, criticalBelow);

  const up = fam('headroom_shard_up', '1 when the last scan read this shard, 0 when it could not (its keys were not checked).');
  const lastSuccess = fam('headroom_shard_last_success_timestamp_seconds', 'Unix time of the last scan that read this shard (for a shard not read now: from history, when it has one).');
  const complete = fam('headroom_shard_complete', '1 when the scan session could read everything the inventory asked for on this shard (every matched database, every needed MAX()), 0 when something was missed: run headroom doctor.');
  const matched = fam('headroom_shard_databases_matched', "Databases the shard's globs matched (absent when the shard could not be read at all).");
  const dbRead = fam('headroom_shard_databases_read', 'Databases whose catalog was read in full.');
  const tablesRead = fam('headroom_shard_tables_read', 'Tables read from the catalog.');
  const failed = new Set(report.errors.map((e) => e.shard));
  const names = [...new Set([...options.shards, ...report.errors.map((e) => e.shard)])];
  const coverage = new Map((report.summary.coverage ?? []).map((c) => [c.shard, c]));
  for (const shard of names) {
    const labels: [string, string][] = [['shard', shard]];
    const ok = !failed.has(shard);
    up.samples.push({ labels, value: ok ? 1 : 0 });
    const last = ok ? options.scannedAt : options.lastSuccess?.get(shard);
    if (last !== undefined) lastSuccess.samples.push({ labels, value: last / 1000 });
    const c = coverage.get(shard);
    if (!c) continue;
    complete.samples.push({ labels, value: c.complete ? 1 : 0 });
    if (c.databasesMatched !== null) matched.samples.push({ labels, value: c.databasesMatched });
    dbRead.samples.push({ labels, value: c.databasesRead });
    tablesRead.samples.push({ labels, value: c.tablesRead });
  }
  const unreadable = fam('headroom_scan_shards_unreadable', 'Shards the last scan could not read.');
  unreadable.samples.push({ labels: [], value: report.errors.length });
  const findings = fam('headroom_scan_findings', 'Findings of the last scan, per severity.');
  for (const s of ['critical', 'warning', 'info'] as const) findings.samples.push({ labels: [['severity', s]], value: report.summary.findings[s] });
  const scanned = fam('headroom_scan_timestamp_seconds', 'Unix time of the last scan (alert when the file stops being refreshed).');
  scanned.samples.push({ labels: [], value: options.scannedAt / 1000 });
  families.push(up, lastSuccess, complete, matched, dbRead, tablesRead, unreadable, findings, scanned);

  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = s.labels.length ? `{${s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}

/** The labels that name a finding (stable across scans: no severity, no link). */
function findingLabels(f: Finding): [string, string][] {
  return [
    ['shard', f.shard],
    ['database', f.database],
    ['table', f.table],
    ['column', f.column],
    ['check', f.check],
  ];
}

/** Label values: backslash, double quote and line feed are escaped (the same in both formats). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's ParseFloat reads every JS number spelling; non-finite values get Prometheus' words. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
