import { forecastSummary } from '../forecast/text.js';
/**
 * `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
 * A headline with the counts, whether the gate passes, one table row per finding group
 * (worst first, folded like the table output), the shards that could not be read, and what
 * the exit status means. GitHub-flavoured Markdown; no colour, no HTML beyond `<sub>`.
 */
import { describeGate, evaluateGate, type BaselineStatus, type GateOptions } from '../baseline.js';
import { groupDigits, percent } from '../checks/common.js';
import { formatType } from '../model/integers.js';
import type { Finding, Report } from '../model/types.js';
import { scannedCounts } from './github.js';
import { groupFindings, type FindingGroup } from './table.js';

export type MarkdownOptions = GateOptions;

export function formatMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const failOn = options.failOn ?? 'critical';
  const gate = evaluateGate(report, failOn, options.baseline);
  const { summary } = report;
  const groups = groupFindings(report.findings);
  const out: string[] = [];

  const counts = (['critical', 'warning', 'info'] as const).filter((s) => summary.findings[s] > 0).map((s) => `${summary.findings[s]} ${s}`);
  const headline = counts.length
    ? `${counts.join(', ')} finding${report.findings.length === 1 ? '' : 's'}`
    : report.errors.length ? 'no finding on the shards that were read' : 'no key near its limit';
  const unread = report.errors.length ? ` · ${report.errors.length} shard${report.errors.length === 1 ? '' : 's'} not read` : '';
  out.push(`## headroom: ${headline}${unread}`, '');
  const verdict = gate.exitCode === 0 ? 'passes' : 'fails';
  out.push(`**The gate ${verdict}** — ${md(describeGate(gate, failOn, report.errors.length))}.`, '');
  const folded = groups.length > 0 && groups.length < report.findings.length;
  out.push(
    `Scanned ${scannedCounts(report)}.` +
      (folded ? ` The same check on the same column in several databases is folded into one row: ${report.findings.length} findings in ${groups.length} rows.` : ''),
    '',
  );

  if (groups.length > 0) {
    const withBaseline = gate.withBaseline;
    const head = ['severity', 'check', 'column → what it references', 'used', 'current / max', 'worst at', 'where', ...(withBaseline ? ['baseline'] : [])];
    out.push(`| ${head.join(' | ')} |`);
    out.push(`|${head.map((h) => (h === 'used' || h === 'current / max' ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const g of groups) out.push(`| ${row(g, gate.statuses, withBaseline).join(' | ')} |`);
    out.push('');
    out.push(`**Worst:** ${md(groups[0]!.worst.message)}`, '');
    // With --history: time left per key, soonest first (the ratio alone is the wrong alarm).
    const forecasts = report.findings.filter((f) => f.forecast).sort((a, b) => (a.forecast!.daysLeft ?? Infinity) - (b.forecast!.daysLeft ?? Infinity));
    if (forecasts.length) {
      out.push('### Time left', '', '| severity | column | forecast |', '| --- | --- | --- |');
      for (const f of forecasts.slice(0, 20)) out.push(`| ${f.severity} | ${code(`${f.shard}/${f.database}/${f.table}.${f.column}`, false)} | ${md(forecastSummary(f.forecast!))} |`);
      if (forecasts.length > 20) out.push('', `…and ${forecasts.length - 20} more in \`--format json\`.`);
      out.push('');
    }
  }

  if (report.errors.length > 0) {
    out.push(`### Shards not read`, '');
    out.push(`Their keys were **not** checked: a scan that saw less than it was asked to never passes.`, '');
    for (const e of report.errors) out.push(`- ${code(e.shard, false)}: ${md(e.message)}`);
    out.push('');
  }

  out.push(
    `<sub>Exit status: 0 clean · 1 a finding at or above \`--fail-on\`${gate.withBaseline ? ' that the baseline does not know (or knows at a lower severity)' : ''} · 2 a shard could not be read (or bad usage). ` +
      `What each check means and what to do: \`docs/checks/<check>.md\`. Every finding: \`--format json\`.</sub>`,
  );
  return out.join('\n') + '\n';
}

function row(g: FindingGroup, statuses: Map<string, BaselineStatus>, withBaseline: boolean): string[] {
  const f = g.worst;
  const column =
    `${code(`${f.table}.${f.column}`)} ${formatType(f)}` +
    (f.references ? ` → ${code(`${f.references.table}.${f.references.column}`)} ${formatType(f.references)}, ${f.relationSource}` : '');
  const where =
    g.databases.size === 1
      ? '1 database'
      : `${groupDigits(BigInt(g.databases.size))} databases on ${g.shards.size} shard${g.shards.size === 1 ? '' : 's'}` +
        (g.bySeverity.critical && g.bySeverity.warning ? ` (${g.bySeverity.critical} critical, ${g.bySeverity.warning} warning)` : '');
  const cells = [
    f.severity === 'critical' ? '**critical**' : f.severity,
    code(f.check),
    column,
    used(f),
    `${f.current === null ? '?' : groupDigits(f.current)} / ${groupDigits(f.max)}`,
    `${code(f.shard)} / ${code(f.database)}`,
    where,
  ];
  if (withBaseline) cells.push(baselineCell(g.findings, statuses));
  return cells;
}

function used(f: Finding): string {
  if (f.current !== null && f.current > f.max) return '**OVER**';
  return f.ratio === null ? '—' : percent(f.ratio, f.current !== null && f.current >= f.max);
}

function baselineCell(findings: Finding[], statuses: Map<string, BaselineStatus>): string {
  const n: Record<BaselineStatus, number> = { new: 0, worse: 0, known: 0 };
  for (const f of findings) n[statuses.get(f.id) ?? 'new']++;
  const parts: string[] = [];
  if (n.new) parts.push(findings.length === n.new ? '**new**' : `**${n.new} new**`);
  if (n.worse) parts.push(findings.length === n.worse ? '**more severe**' : `**${n.worse} more severe**`);
  if (n.known) parts.push(findings.length === n.known ? 'known' : `${n.known} known`);
  return parts.join(', ');
}

/** Markdown text with every character that could start markup escaped, on one line. */
export function md(s: string): string {
  return s
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*{}[\]<>|~#!]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_'); // an underscore inside a word never starts emphasis
}

/** A code span that survives any backticks inside; in a table cell `|` is escaped too (GFM allows that inside code). */
export function code(s: string, inTable = true): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? ' ' : '';
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  return `${fence}${pad}${body}${pad}${fence}`;
}
