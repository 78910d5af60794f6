/**
 * `--format table` (default): for people. Worst first; findings of the same
 * check on the same table.column across many tenant databases collapse into
 * one row with a count and the worst case.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { groupDigits, percent } from '../checks/common.js';
import { forecastLines } from '../forecast/text.js';
import { shardsRead } from './github.js';
import { formatType } from '../model/integers.js';
import { SEVERITY_RANK, type Finding, type Report, type Severity } from '../model/types.js';

export interface TableOptions {
  color: boolean;
  /** `scan --only`: the column the findings were filtered to (a clean result is about it, not the fleet). */
  only?: string;
  /** The terminal's width: under 100 columns, a compact table (severity, finding, used, where). */
  width?: number;
}

export interface FindingGroup {
  /** The worst finding of the group (findings arrive sorted worst first). */
  worst: Finding;
  findings: Finding[];
  databases: Set<string>;
  shards: Set<string>;
  bySeverity: Record<Severity, number>;
}

/** Same check, same table.column, same type, same referenced key ⇒ one row. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const ref = f.references ? `${f.references.table}.${f.references.column}` : '';
    const k = [f.check, f.table, f.column, formatType(f), ref].join('\u0000');
    let g = groups.get(k);
    if (!g) {
      g = { worst: f, findings: [], databases: new Set(), shards: new Set(), bySeverity: { critical: 0, warning: 0, info: 0 } };
      groups.set(k, g);
    }
    g.findings.push(f);
    for (const shard of f.shards ?? [f.shard]) {
      g.databases.add(`${shard}/${f.database}`);
      g.shards.add(shard);
    }
    g.bySeverity[f.severity]++;
  }
  // Map keeps first-seen order, and findings are sorted worst first.
  return [...groups.values()].sort((a, b) => SEVERITY_RANK[b.worst.severity] - SEVERITY_RANK[a.worst.severity]);
}

/** A broken sequence in the table's "current / max" cell: what is wrong, in a few words. */
const SEQUENCE_PROBLEM: Record<NonNullable<Finding['sequenceProblem']>, string> = {
  undeclared: 'sequence not\ndeclared',
  'missing-table': 'sequence table\nmissing',
  'missing-row': 'no row id 0',
  'null-next-id': 'next_id NULL',
  'bad-cache': 'cache < 1\n(vttablet refuses)',
  'behind-data': 'behind the data\n(duplicate ids)',
};

export function formatTable(report: Report, options: TableOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const { summary } = report;
  const groups = groupFindings(report.findings);

  if (groups.length > 0) {
    // The forecast column appears only with --history (docs/history-and-forecast.md).
    const forecasts = report.findings.some((f) => f.forecast);
    const compact = options.width !== undefined && options.width < 100;
    const table = new Table({
      head: (compact
        ? ['sev', 'finding', 'used', 'worst at']
        : ['severity', 'check', 'column → what it references', 'used', 'current / max', 'worst at', 'where', ...(forecasts ? ['time left'] : [])]
      ).map((h) => c.bold(h)),
      style: { head: [], border: [] },
      // A narrow terminal: the finding column wraps instead of pushing the table past the edge.
      ...(compact ? { colWidths: [6, Math.max(30, options.width! - 6 - 10 - 22 - 5), 10, 22], wordWrap: true } : {}),
    });
    for (const g of groups) {
      const f = g.worst;
      const column =
        `${f.table}.${f.column} ${c.dim(formatType(f))}` +
        (f.references ? `\n→ ${f.references.table}.${f.references.column} ${c.dim(`${formatType(f.references)}, ${f.relationSource}`)}` : '') +
        (f.sequence ? `\n← sequence ${f.sequence.keyspace}.${f.sequence.table}` : '');
      const where =
        g.databases.size === 1
          ? '1 database'
          : `${groupDigits(BigInt(g.databases.size))} databases\non ${g.shards.size} shard${g.shards.size === 1 ? '' : 's'}` +
            (g.bySeverity.critical && g.bySeverity.warning ? `\n${g.bySeverity.critical} critical, ${g.bySeverity.warning} warning` : '');
      const drift = f.check === 'shard-type-drift';
      const used = f.sequenceProblem ? c.red.bold('BROKEN') : drift ? c.yellow('DRIFT') : f.current !== null && f.current > f.max ? c.red.bold('OVER') : f.ratio === null ? '—' : percent(f.ratio);
      if (compact) {
        table.push([
          f.severity === 'critical' ? c.red.bold('CRIT') : f.severity === 'warning' ? c.yellow('warn') : c.dim('info'),
          `${column}\n${c.dim(f.check)}${g.databases.size > 1 ? c.dim(` · ${g.databases.size} databases`) : ''}`,
          used,
          `${f.shard}\n${f.database}`,
        ]);
        continue;
      }
      table.push([
        sev(c, f.severity),
        f.check,
        column,
        used,
        f.sequenceProblem
          ? SEQUENCE_PROBLEM[f.sequenceProblem]
          : drift
            ? `types differ\non ${f.shards?.length ?? 2} shards`
            : `${f.current === null ? '?' : groupDigits(f.current)}\n/ ${groupDigits(f.max)}`,
        `${f.shard}\n${f.database}`,
        where,
        ...(forecasts ? [f.forecast ? forecastLines(f.forecast).join('\n') : c.dim('—')] : []),
      ]);
    }
    lines.push(table.toString());
    lines.push('');
  }

  const counts = (['critical', 'warning', 'info'] as const).filter((s) => summary.findings[s] > 0).map((s) => `${summary.findings[s]} ${s}`);
  lines.push(
    `Scanned ${shardsRead(report)}, ${plural(summary.databases, 'database')}, ${plural(summary.tables, 'table')}: ` +
      (counts.length
        ? `${counts.join(', ')} finding${report.findings.length === 1 ? '' : 's'}`
        : report.errors.length === 0
          ? c.green(options.only ? `no finding for ${options.only} (--only: other columns were not reported)` : 'no key near its limit')
          : summary.databases > 0
            ? 'no finding on the shards that were read'
            : c.red('nothing was checked')) +
      (groups.length && groups.length < report.findings.length ? ` (${groups.length} row${groups.length === 1 ? '' : 's'} above)` : '') +
      '.',
  );
  if (groups.length > 0) {
    const top = groups[0]!.worst;
    lines.push(`Worst: ${top.message}`);
    lines.push(c.dim('Next: `headroom plan` (what to change, in what order, how long) · `headroom runbook --out runbooks/` (step by step) · docs/checks/<check>.md · every finding: --format json'));
  }
  // What the Rails models declare that could not be measured (docs/rails.md): said, never dropped.
  const rw = report.relationWarnings?.length ?? 0;
  if (rw) lines.push(c.yellow(`The Rails models declare ${rw} thing${rw === 1 ? '' : 's'} headroom could not measure (a computed class_name, a metaprogrammed association, a missing table…): \`headroom relations\` lists them with file:line.`));
  // Shards read only in part (privileges): one line saying so, then what each missed.
  const partial = (summary.coverage ?? []).filter((x) => !x.complete && x.databasesMatched !== null);
  const partNames = new Set(partial.map((x) => x.shard));
  if (partial.length) {
    lines.push(
      c.red(
        `Coverage incomplete — ${partial.map((x) => `${x.shard}: ${x.databasesRead} of ${x.databasesMatched} databases read in full, ${x.tablesRead} tables`).join('; ')}; ` +
          'what was not seen was NOT checked (`headroom doctor` shows the grants to add):',
      ),
    );
    for (const e of report.errors.filter((x) => partNames.has(x.shard))) lines.push(c.red(`  ${e.shard}: ${e.message}`));
  }
  const unread = report.errors.filter((x) => !partNames.has(x.shard));
  if (unread.length) {
    lines.push(c.red(`${unread.length} shard${unread.length === 1 ? '' : 's'} could not be read — ${unread.length === 1 ? 'its' : 'their'} keys were NOT checked:`));
    for (const e of unread) lines.push(c.red(`  ${e.shard}: ${e.message}`));
  }
  return lines.join('\n') + '\n';
}

function sev(c: ChalkInstance, s: Severity): string {
  if (s === 'critical') return c.red.bold('CRITICAL');
  if (s === 'warning') return c.yellow('warning');
  return c.dim('info');
}

function plural(n: number, word: string): string {
  return `${groupDigits(BigInt(n))} ${word}${n === 1 ? '' : 's'}`;
}
