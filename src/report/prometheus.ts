/**
 * `--format prometheus`: the Prometheus text exposition format (0.0.4), for node_exporter's
 * textfile collector. Also valid OpenMetrics text: no blank lines, no timestamps (the textfile
 * collector rejects them), `# EOF` last. Docs: docs/alerts.md.
 *
 * Every sample is a float64 gauge. `headroom_key_current` and `headroom_key_max` above 2^53
 * (9,007,199,254,740,992) are rounded to the nearest float64 in Prometheus — a BIGINT UNSIGNED
 * max of 18446744073709551615 reads as 1.8446744073709552e19. `--format json` keeps them exact.
 */
import type { Finding, Report } from '../model/types.js';

export interface PrometheusOptions {
  /** Shards that were read (a shard with nothing near its limit has no finding to name it). */
  shards: readonly string[];
  /** When the scan read the fleet (ms). */
  scannedAt: number;
  /** Per shard, the last time it was read successfully (ms), e.g. from history; shards read now count as `scannedAt`. */
  lastSuccess?: ReadonlyMap<string, number>;
}

interface Family {
  name: string;
  help: string;
  samples: { labels: [string, string][]; value: number }[];
}

export function formatPrometheus(report: Report, options: PrometheusOptions): string {
  const fam = (name: string, help: string): Family => ({ name, help, samples: [] });
  const ratio = fam('headroom_key_ratio', 'Share of the type maximum used: current / max. For fk checks, the referenced key\'s current over this column\'s max.');
  const current = fam('headroom_key_current', 'Current value of the counter (for fk checks the referenced key). A float64: exact only up to 2^53; --format json keeps it exact.');
  const max = fam('headroom_key_max', 'Largest value the column\'s type holds. A float64: the BIGINT maxima are rounded; --format json keeps them exact.');
  const daysLeft = fam('headroom_key_days_left', 'Forecast days until current reaches max at the recent growth rate (needs --history; absent when unknown or not growing).');
  const idsPerDay = fam('headroom_key_ids_per_day', 'Forecast growth rate of the counter, ids per day (needs --history).');
  const migration = fam('headroom_key_migration_days', 'Planner estimate (high end) of the days the widening of this key\'s group takes (needs --history).');
  const criticalBelow = fam('headroom_key_critical_below_days', 'Migration rule line: critical when days_left is below it (migration days x policy.safetyFactor + policy.leadDays), warning below twice it.');

  for (const f of report.findings) {
    const labels = findingLabels(f);
    if (f.ratio !== null && Number.isFinite(f.ratio)) ratio.samples.push({ labels, value: f.ratio });
    if (f.current !== null) current.samples.push({ labels, value: Number(f.current) });
    max.samples.push({ labels, value: Number(f.max) });
    const fc = f.forecast;
    if (!fc) continue;
    if (fc.daysLeft !== null) daysLeft.samples.push({ labels, value: fc.daysLeft });
    if (fc.idsPerDay !== null && fc.status === 'ok') idsPerDay.samples.push({ labels, value: fc.idsPerDay });
    if (fc.migrationDays) migration.samples.push({ labels, value: fc.migrationDays.high });
    if (fc.criticalBelowDays !== null) criticalBelow.samples.push({ labels, value: fc.criticalBelowDays });
  }

  const success = fam('headroom_scan_success', '1 when the last scan read this shard, 0 when it could not (its keys were not checked).');
  const lastSuccess = fam('headroom_scan_last_success_timestamp_seconds', 'Unix time of the last scan that read this shard.');
  const failed = new Set(report.errors.map((e) => e.shard));
  const names = [...new Set([...options.shards, ...report.errors.map((e) => e.shard)])];
  for (const shard of names) {
    const ok = !failed.has(shard);
    success.samples.push({ labels: [['shard', shard]], value: ok ? 1 : 0 });
    const last = ok ? options.scannedAt : options.lastSuccess?.get(shard);
    if (last !== undefined) lastSuccess.samples.push({ labels: [['shard', shard]], value: last / 1000 });
  }
  const errors = fam('headroom_scan_errors', 'Shards the last scan could not read.');
  errors.samples.push({ labels: [], value: report.errors.length });
  const findings = fam('headroom_scan_findings', 'Findings of the last scan, per severity.');
  for (const s of ['critical', 'warning', 'info'] as const) findings.samples.push({ labels: [['severity', s]], value: report.summary.findings[s] });
  const scanned = fam('headroom_scan_timestamp_seconds', 'Unix time of the last scan (alert when the file stops being refreshed).');
  scanned.samples.push({ labels: [], value: options.scannedAt / 1000 });

  const out: string[] = [];
  for (const f of [ratio, current, max, daysLeft, idsPerDay, migration, criticalBelow, success, lastSuccess, errors, findings, scanned]) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = s.labels.length ? `{${s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}

function findingLabels(f: Finding): [string, string][] {
  const labels: [string, string][] = [
    ['shard', f.shard],
    ['database', f.database],
    ['table', f.table],
    ['column', f.column],
    ['check', f.check],
    ['severity', f.severity],
  ];
  if (f.runbook) labels.push(['runbook', f.runbook]);
  return labels;
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
