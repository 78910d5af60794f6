/**
 * `--format github`: GitHub Actions workflow commands, one line per finding, so each finding
 * becomes an annotation on the run (critical → `::error`, warning → `::warning`, info → `::notice`),
 * one `::error` per shard that could not be read, and a last `::notice` line with the totals and
 * the exit status. A finding that knows where its column is defined (lint: `Finding.source`)
 * carries `file=…,line=…,col=…`, so GitHub shows it on that line of the pull request.
 *
 * Escaping follows the Actions toolkit: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
 * in a property value `:` and `,` also become `%3A` and `%2C`.
 */
import { describeGate, evaluateGate, type BaselineStatus, type GateOptions } from '../baseline.js';
import { groupDigits } from '../checks/common.js';
import type { Report, Severity } from '../model/types.js';

export type GithubOptions = GateOptions;

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', warning: 'warning', info: 'notice' };

const MARK: Record<BaselineStatus, string> = { known: ' (known, in baseline)', worse: ' (more severe than in baseline)', new: ' (new)' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(command: string, properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function formatGithub(report: Report, options: GithubOptions = {}): string {
  const failOn = options.failOn ?? 'critical';
  const gate = evaluateGate(report, failOn, options.baseline);
  const lines: string[] = [];
  for (const f of report.findings) {
    const status = gate.statuses.get(f.id);
    // A lint finding's annotation lands on its column's line in the DDL file (the pull request's diff).
    const at: Record<string, string> = f.source ? { file: f.source.file, line: String(f.source.line), col: String(f.source.column) } : {};
    lines.push(workflowCommand(COMMAND[f.severity], { ...at, title: `${f.check}${status ? MARK[status] : ''}` }, `${f.shard}/${f.database}: ${f.message}`));
  }
  for (const e of report.errors) {
    lines.push(workflowCommand('error', { title: 'shard not read' }, `shard ${e.shard} could not be read, its keys were NOT checked: ${e.message}`));
  }
  lines.push(workflowCommand('notice', { title: 'headroom' }, `${scanSummary(report)} ${capitalize(describeGate(gate, failOn, report.errors.length))}.`));
  return lines.join('\n') + '\n';
}

/** `Scanned 3 shards, 125 databases, 635 tables: 18 critical, 11 warning findings.` */
export function scanSummary(report: Report): string {
  const { summary } = report;
  const counts = (['critical', 'warning', 'info'] as const).filter((s) => summary.findings[s] > 0).map((s) => `${summary.findings[s]} ${s}`);
  return (
    `Scanned ${scannedCounts(report)}: ` +
    (counts.length
      ? `${counts.join(', ')} finding${report.findings.length === 1 ? '' : 's'}.`
      : report.errors.length ? 'no finding on the shards that were read.' : 'no key near its limit.')
  );
}

/** `3 shards, 125 databases, 635 tables` */
export function scannedCounts(report: Report): string {
  const { summary } = report;
  return `${shardsRead(report)}, ${plural(summary.databases, 'database')}, ${plural(summary.tables, 'table')}`;
}

/**
 * "3 shards", or "2 of 3 shards" when some could not be read at all: a summary counts what was read
 * (a shard read only in part counts as read; its gaps are in the errors).
 */
export function shardsRead(report: Report): string {
  const { summary } = report;
  const unread = summary.coverage ? summary.coverage.filter((c) => c.databasesMatched === null).length : 0;
  return unread ? `${groupDigits(BigInt(summary.shards - unread))} of ${plural(summary.shards, 'shard')}` : plural(summary.shards, 'shard');
}

function plural(n: number, word: string): string {
  return `${groupDigits(BigInt(n))} ${word}${n === 1 ? '' : 's'}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
