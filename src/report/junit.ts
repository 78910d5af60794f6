/**
 * `--format junit`: JUnit XML, for CI systems that show test reports.
 *
 * One `<testsuite>` per check (every check, even one with no finding), one `<testcase>` per
 * finding group — the same check on the same table.column (same type, same referenced key)
 * across databases, as the table output folds them. A testcase fails when the group holds a
 * finding that fails the gate (at or above --fail-on, and not known in the baseline); the
 * failure's message is the worst such finding's and its body lists every shard/database with
 * its current / max.
 * Groups that do not fail pass, with their findings in `<system-out>`. A shard that could not
 * be read is an `<error>` testcase in a last suite named `shards`. A lint testcase carries the
 * `file` and `line` where its column is defined.
 */
import { evaluateGate, type BaselineStatus, type GateOptions } from '../baseline.js';
import { CHECKS } from '../checks/registry.js';
import type { Check } from '../checks/types.js';
import { groupDigits, percent } from '../checks/common.js';
import { formatType } from '../model/integers.js';
import type { Finding, Report } from '../model/types.js';
import { groupFindings, type FindingGroup } from './table.js';

export interface JunitOptions extends GateOptions {
  /** The suites to write; default: every registered check. */
  checks?: readonly Pick<Check, 'id'>[];
}

const NOTE: Record<BaselineStatus, string> = { known: ' [known, in baseline]', worse: ' [more severe than in baseline]', new: ' [new]' };

interface Suite {
  name: string;
  cases: string[];
  failures: number;
  errors: number;
}

export function formatJunit(report: Report, options: JunitOptions = {}): string {
  const gate = evaluateGate(report, options.failOn ?? 'critical', options.baseline);
  const failing = new Set(gate.failing);
  const line = (f: Finding) =>
    `${f.severity} ${f.shard}/${f.database}: ${f.current === null ? '?' : groupDigits(f.current)} / ${groupDigits(f.max)} (${used(f)})${noteOf(gate.statuses.get(f.id))}`;

  const suiteIds = (options.checks ?? CHECKS).map((c) => c.id);
  for (const f of report.findings) if (!suiteIds.includes(f.check)) suiteIds.push(f.check);
  const groups = groupFindings(report.findings);

  const suites: Suite[] = suiteIds.map((id) => {
    const mine = groups.filter((g) => g.worst.check === id);
    const names = caseNames(mine);
    const suite: Suite = { name: id, cases: [], failures: 0, errors: 0 };
    mine.forEach((g, i) => {
      const fails = g.findings.filter((f) => failing.has(f));
      const body = g.findings.map(line).join('\n');
      // Lint: where the column is defined (GitLab and CircleCI read file; Jenkins and others line).
      const src = g.findings.find((f) => f.source)?.source;
      const where = src ? ` file="${attr(src.file)}" line="${src.line}"` : '';
      const open = `    <testcase classname="${attr(id)}" name="${attr(names[i]!)}"${where}>`;
      if (fails.length > 0) {
        suite.failures++;
        const worst = fails[0]!; // findings arrive worst first
        suite.cases.push(
          `${open}\n      <failure message="${attr(worst.message)}" type="${worst.severity}">${text(body)}</failure>\n    </testcase>`,
        );
      } else {
        suite.cases.push(`${open}\n      <system-out>${text(body)}</system-out>\n    </testcase>`);
      }
    });
    return suite;
  });

  if (report.errors.length > 0) {
    suites.push({
      name: 'shards',
      failures: 0,
      errors: report.errors.length,
      cases: report.errors.map(
        (e) =>
          `    <testcase classname="shards" name="${attr(e.shard)}">\n` +
          `      <error message="${attr(`shard ${e.shard} could not be read, its keys were NOT checked: ${e.message}`)}" type="unreadable">${text(e.message)}</error>\n` +
          `    </testcase>`,
      ),
    });
  }

  const total = (k: 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0);
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="headroom" tests="${tests}" failures="${total('failures')}" errors="${total('errors')}">`,
  ];
  for (const s of suites) {
    const head = `  <testsuite name="${attr(s.name)}" tests="${s.cases.length}" failures="${s.failures}" errors="${s.errors}" skipped="0"`;
    if (s.cases.length === 0) {
      out.push(`${head}/>`);
    } else {
      out.push(`${head}>`, ...s.cases, '  </testsuite>');
    }
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** `table.column`, made unique within the suite by the type (and referenced key) when two groups share it. */
function caseNames(groups: FindingGroup[]): string[] {
  const base = groups.map((g) => `${g.worst.table}.${g.worst.column}`);
  return groups.map((g, i) => {
    if (base.indexOf(base[i]!) === base.lastIndexOf(base[i]!)) return base[i]!;
    const f = g.worst;
    return `${base[i]} (${formatType(f)}${f.references ? ` → ${f.references.table}.${f.references.column} ${formatType(f.references)}` : ''})`;
  });
}

function used(f: Finding): string {
  if (f.current !== null && f.current > f.max) return 'OVER';
  return f.ratio === null ? 'current unknown' : `${percent(f.ratio, f.current !== null && f.current >= f.max)} used`;
}

function noteOf(status: BaselineStatus | undefined): string {
  return status ? NOTE[status] : '';
}

/** Characters XML 1.0 cannot carry at all become U+FFFD. */
function clean(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

export function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
