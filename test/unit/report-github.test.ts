import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/types.js';
import { escapeData, escapeProperty, formatGithub, workflowCommand } from '../../src/report/github.js';
import { ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

/** Undo the toolkit's escaping, as the runner does. */
function unescape(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

/** `::cmd k=v,k=v::message` → parts, the way the runner splits it. */
function parse(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const props = Object.fromEntries((m[2] ?? '').split(',').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), unescape(kv.slice(i + 1))];
  }));
  return { command: m[1]!, props, message: unescape(m[3]!) };
}

describe('escaping (the Actions toolkit rules)', () => {
  it('escapes % CR LF in data, and also : , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b');
  });

  it('escapes % first, so an existing %0A stays literal', () => {
    expect(escapeData('%0A')).toBe('%250A');
    expect(unescape(escapeData('%0A'))).toBe('%0A');
  });

  it('round-trips anything through a command', () => {
    const nasty = 'a::b, c:d %25 e\nf\rg';
    const line = workflowCommand('warning', { title: nasty }, nasty);
    expect(line.split('\n')).toHaveLength(1);
    expect(parse(line)).toEqual({ command: 'warning', props: { title: nasty }, message: nasty });
  });
});

describe('formatGithub', () => {
  const lines = formatGithub(ciReport()).trimEnd().split('\n');

  it('writes one command per finding, then one summary line', () => {
    expect(lines).toHaveLength(ciReport().findings.length + 1);
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) /);
  });

  it('maps critical → error, warning → warning, info → notice, titled with the check', () => {
    const report = ciReport();
    const parsed = lines.slice(0, -1).map(parse);
    parsed.forEach((p, i) => {
      const f = report.findings[i]!;
      expect(p.command).toBe(f.severity === 'critical' ? 'error' : 'warning');
      expect(p.props).toEqual({ title: f.check });
      expect(p.message).toBe(`${f.shard}/${f.database}: ${f.message}`);
    });
    const info: Report = { ...report, findings: [{ ...report.findings[0]!, severity: 'info' }] };
    expect(formatGithub(info).split('\n')[0]).toMatch(/^::notice title=fk-capacity::/);
  });

  it('keeps identifiers full of special characters intact', () => {
    const odd = lines.map(parse).find((p) => p.message.includes('odd|tbl'))!;
    expect(odd.message).toContain('odd|tbl <&>.x:y,z%"` (smallint unsigned) has used 76.3% of its range');
  });

  it('ends with the totals and the exit status', () => {
    expect(parse(lines.at(-1)!)).toEqual({
      command: 'notice',
      props: { title: 'headroom' },
      message: 'Scanned 2 shards, 2 databases, 7 tables: 3 critical, 2 warning findings. Exit 1: 3 findings at or above --fail-on critical.',
    });
    expect(parse(formatGithub(ciReport(), { failOn: 'never' }).trimEnd().split('\n').at(-1)!).message).toMatch(/Exit 0: --fail-on never\.$/);
  });

  it('reports an unread shard as an error, and exit 2', () => {
    const out = formatGithub(ciReportWithErrors()).trimEnd().split('\n').map(parse);
    expect(out.at(-2)).toEqual({
      command: 'error',
      props: { title: 'shard not read' },
      message: 'shard s3 could not be read, its keys were NOT checked: connect ECONNREFUSED 127.0.0.1:3308',
    });
    expect(out.at(-1)!.message).toMatch(/Exit 2: 1 shard could not be read/);
  });

  it('marks findings against a baseline in the title; the summary says what fails', () => {
    const out = formatGithub(ciReport(), { baseline: ciBaseline() }).trimEnd().split('\n').map(parse);
    const titles = out.slice(0, -1).map((p) => p.props.title);
    expect(titles).toEqual([
      'fk-capacity (more severe than in baseline)',
      'pk-capacity (known, in baseline)',
      'fk-capacity (new)',
      'pk-capacity (known, in baseline)',
      'fk-type-mismatch (new)',
    ]);
    expect(out.at(-1)!.message).toContain('Exit 1: 2 findings at or above --fail-on critical (1 new, 1 more severe than in the baseline); 1 finding at or above it known in the baseline does not count.');
  });

  it('says so when nothing is near its limit', () => {
    const clean: Report = { ...ciReport(), findings: [], summary: { ...ciReport().summary, findings: { critical: 0, warning: 0, info: 0 } } };
    expect(formatGithub(clean)).toBe('::notice title=headroom::Scanned 2 shards, 2 databases, 7 tables: no key near its limit. Exit 0: no finding at or above --fail-on critical.\n');
  });
});
