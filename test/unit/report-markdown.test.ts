import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/types.js';
import { code, formatMarkdown, md } from '../../src/report/markdown.js';
import { ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

/** The cells of a GFM table row, honouring `\|`. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map(cells);
}

describe('formatMarkdown', () => {
  const out = formatMarkdown(ciReport());

  it('starts with a headline with the counts, then whether the gate passes', () => {
    const [h, , gate] = out.split('\n');
    expect(h).toBe('## headroom: 3 critical, 2 warning findings');
    expect(gate).toBe('**The gate fails** — exit 1: 3 findings at or above --fail-on critical.');
    expect(formatMarkdown(ciReport(), { failOn: 'never' })).toContain('**The gate passes** — exit 0: --fail-on never.');
  });

  it('has one table row per finding group, worst first, every row as wide as the header', () => {
    const rows = tableRows(out);
    expect(rows[0]).toEqual(['severity', 'check', 'column → what it references', 'used', 'current / max', 'worst at', 'where']);
    expect(rows[1]!.every((c) => /^-+:?$/.test(c))).toBe(true);
    const body = rows.slice(2);
    expect(body).toHaveLength(4); // 5 findings, messages.thread_id folded
    for (const r of body) expect(r).toHaveLength(7);
    expect(body.map((r) => r[0])).toEqual(['**critical**', '**critical**', 'warning', 'warning']);
    expect(body[0]).toEqual([
      '**critical**',
      '`fk-capacity`',
      '`messages.thread_id` int → `threads.id` bigint, inferred',
      '**OVER**',
      '2,147,500,000 / 2,147,483,647',
      '`s1` / `app`',
      '2 databases on 2 shards',
    ]);
    expect(body[1]![3]).toBe('>99.99%'); // 615 ids left: never rounded up to 100%
    expect(body[3]![3]).toBe('—');
    expect(body[3]![4]).toBe('? / 4,294,967,295');
  });

  it('escapes a pipe in an identifier so the row keeps its columns', () => {
    const odd = tableRows(out).find((r) => r[2]!.includes('odd'))!;
    expect(odd[2]).toBe('`` odd\\|tbl <&>.x:y,z%"` `` smallint unsigned');
  });

  it('names the worst finding, says how the exit status works, no colour, no raw HTML but <sub>', () => {
    expect(out).toContain("**Worst:** messages.thread_id (int) stores ids of threads.id (bigint, inferred from its name), which is already at 2,147,500,000");
    expect(out).toMatch(/<sub>Exit status: 0 clean · 1 a finding at or above `--fail-on` · 2 a shard could not be read/);
    expect(out).not.toMatch(/\x1b\[/);
    const outsideCode = out.replace(/<\/?sub>/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(outsideCode).not.toMatch(/<[a-z/]/);
  });

  it('lists unread shards and says the gate fails with exit 2', () => {
    const e = formatMarkdown(ciReportWithErrors());
    expect(e.split('\n')[0]).toBe('## headroom: 3 critical, 2 warning findings · 1 shard not read');
    expect(e).toContain('**The gate fails** — exit 2: 1 shard could not be read');
    expect(e).toContain('### Shards not read\n\nTheir keys were **not** checked');
    expect(e).toContain('- `s3`: connect ECONNREFUSED 127.0.0.1:3308');
  });

  it('with a baseline: a baseline column, and the gate judged on new or more severe findings only', () => {
    const b = formatMarkdown(ciReport(), { baseline: ciBaseline() });
    const rows = tableRows(b);
    expect(rows[0]!.at(-1)).toBe('baseline');
    expect(rows.slice(2).map((r) => r.at(-1))).toEqual(['**1 new**, **1 more severe**', 'known', 'known', '**new**']);
    expect(b).toContain('exit 1: 2 findings at or above --fail-on critical (1 new, 1 more severe than in the baseline); 1 finding at or above it known in the baseline does not count.');
  });

  it('says so when nothing is near its limit, without a table', () => {
    const clean: Report = { ...ciReport(), findings: [], summary: { ...ciReport().summary, findings: { critical: 0, warning: 0, info: 0 } } };
    const c = formatMarkdown(clean);
    expect(c.split('\n')[0]).toBe('## headroom: no key near its limit');
    expect(c).toContain('**The gate passes** — exit 0: no finding at or above --fail-on critical.');
    expect(tableRows(c)).toEqual([]);
  });
});

describe('Markdown escaping', () => {
  it('md escapes markup, keeps intra-word underscores and joins lines', () => {
    expect(md('a *b* _c_ snake_case [x](y) <b> | `t`\nnext')).toBe('a \\*b\\* \\_c\\_ snake_case \\[x\\](y) \\<b\\> \\| \\`t\\` next');
  });

  it('code picks a fence longer than any backtick run inside', () => {
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b')).toBe('`` a`b ``');
    expect(code('a``b|c')).toBe('``` a``b\\|c ```');
    expect(code('a|b', false)).toBe('`a|b`');
  });
});
