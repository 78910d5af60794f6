import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/model/types.js';
import { attr, formatJunit, text } from '../../src/report/junit.js';
import { CI_CHECKS, ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string; '#text': string };
  'system-out'?: string;
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  testcase?: Case[];
}
interface Doc {
  testsuites: { name: string; tests: string; failures: string; errors: string; testsuite: Suite[] };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

function parse(xml: string): Doc {
  const check = XMLValidator.validate(xml);
  expect(check, JSON.stringify(check)).toBe(true);
  return parser.parse(xml) as Doc;
}

function suite(doc: Doc, name: string): Suite {
  const s = doc.testsuites.testsuite.find((t) => t.name === name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
}

describe('formatJunit', () => {
  const doc = parse(formatJunit(ciReport(), { checks: CI_CHECKS }));

  it('is well-formed XML with an XML declaration', () => {
    expect(formatJunit(ciReport())).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
  });

  it('has one suite per check, even one without findings', () => {
    expect(doc.testsuites.testsuite.map((s) => s.name)).toEqual(['pk-capacity', 'fk-capacity', 'fk-type-mismatch']);
    const clean: Report = { ...ciReport(), findings: [] };
    const none = parse(formatJunit(clean, { checks: CI_CHECKS }));
    expect(none.testsuites.testsuite.map((s) => [s.name, s.tests, s.testcase])).toEqual([
      ['pk-capacity', '0', undefined],
      ['fk-capacity', '0', undefined],
      ['fk-type-mismatch', '0', undefined],
    ]);
    expect(none.testsuites).toMatchObject({ tests: '0', failures: '0', errors: '0' });
  });

  it('has one testcase per finding group: classname = check, name = table.column', () => {
    expect(doc.testsuites).toMatchObject({ name: 'headroom', tests: '4', failures: '2', errors: '0' });
    expect(suite(doc, 'pk-capacity').testcase!.map((c) => [c.classname, c.name])).toEqual([
      ['pk-capacity', 'ledger.id'],
      ['pk-capacity', 'odd|tbl <&>.x:y,z%"`'],
    ]);
    // messages.thread_id in s1/app and s2/app2: one group
    const fk = suite(doc, 'fk-capacity');
    expect(fk.testcase!.map((c) => c.name)).toEqual(['messages.thread_id']);
    expect(fk).toMatchObject({ tests: '1', failures: '1' });
  });

  it('fails a group with a finding at or above --fail-on: worst message, every shard/database in the body', () => {
    const c = suite(doc, 'fk-capacity').testcase![0]!;
    const report = ciReport();
    const worst = report.findings.find((f) => f.id === 'fk-capacity:s1/app/messages.thread_id')!;
    expect(c.failure!.message).toBe(worst.message);
    expect(c.failure!.type).toBe('critical');
    expect(c.failure!['#text'].split('\n')).toEqual(['critical s1/app: 2,147,500,000 / 2,147,483,647 (OVER)', 'critical s2/app2: 2,000,000,000 / 2,147,483,647 (93.1% used)']);
  });

  it('passes a group below --fail-on, with its findings in system-out', () => {
    const c = suite(doc, 'fk-type-mismatch').testcase![0]!;
    expect(c.failure).toBeUndefined();
    expect(c['system-out']).toBe('warning s1/app: ? / 4,294,967,295 (current unknown)');
    const strict = parse(formatJunit(ciReport(), { checks: CI_CHECKS, failOn: 'warning' }));
    expect(strict.testsuites.failures).toBe('4');
    const never = parse(formatJunit(ciReport(), { checks: CI_CHECKS, failOn: 'never' }));
    expect(never.testsuites.failures).toBe('0');
  });

  it('round-trips names and messages full of XML specials', () => {
    const c = suite(doc, 'pk-capacity').testcase![1]!;
    expect(c.name).toBe('odd|tbl <&>.x:y,z%"`');
    expect(c['system-out']).toBe('warning s2/app2: 50,000 / 65,535 (76.3% used)');
    const strict = parse(formatJunit(ciReport(), { checks: CI_CHECKS, failOn: 'warning' }));
    const failed = suite(strict, 'pk-capacity').testcase![1]!;
    expect(failed.failure!.message).toBe(ciReport().findings.find((f) => f.table === 'odd|tbl <&>')!.message);
  });

  it('keeps apart two groups of the same table.column with different types', () => {
    const r = ciReport();
    const base = r.findings.find((f) => f.id === 'fk-capacity:s2/app2/messages.thread_id')!;
    const wider: Finding = { ...base, id: 'fk-capacity:s2/app3/messages.thread_id', database: 'app3', unsigned: true, max: 4294967295n };
    r.findings.push(wider);
    const names = suite(parse(formatJunit(r, { checks: CI_CHECKS })), 'fk-capacity').testcase!.map((c) => c.name);
    expect(names).toEqual(['messages.thread_id (int → threads.id bigint)', 'messages.thread_id (int unsigned → threads.id bigint)']);
  });

  it('reports unread shards as errors in a suite of their own', () => {
    const d = parse(formatJunit(ciReportWithErrors(), { checks: CI_CHECKS }));
    expect(d.testsuites).toMatchObject({ tests: '5', failures: '2', errors: '1' });
    const shards = suite(d, 'shards');
    expect(shards).toMatchObject({ tests: '1', errors: '1', failures: '0' });
    expect(shards.testcase![0]).toMatchObject({ classname: 'shards', name: 's3' });
    expect(shards.testcase![0]!.error!.message).toBe('shard s3 could not be read, its keys were NOT checked: connect ECONNREFUSED 127.0.0.1:3308');
  });

  it('does not fail a group whose findings the baseline knows; marks each line', () => {
    const d = parse(formatJunit(ciReport(), { checks: CI_CHECKS, baseline: ciBaseline() }));
    const ledger = suite(d, 'pk-capacity').testcase![0]!;
    expect(ledger.failure).toBeUndefined();
    expect(ledger['system-out']).toMatch(/\[known, in baseline\]$/);
    const fk = suite(d, 'fk-capacity').testcase![0]!;
    expect(fk.failure!['#text'].split('\n')).toEqual([
      'critical s1/app: 2,147,500,000 / 2,147,483,647 (OVER) [more severe than in baseline]',
      'critical s2/app2: 2,000,000,000 / 2,147,483,647 (93.1% used) [new]',
    ]);
    expect(d.testsuites.failures).toBe('1');
  });
});

describe('XML escaping', () => {
  it('escapes markup in text and attributes, and keeps newlines in attributes', () => {
    expect(text('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(attr('say "hi"\nthen\tgo')).toBe('say &quot;hi&quot;&#10;then&#9;go');
  });

  it('replaces characters XML cannot carry', () => {
    expect(text('nul\u0000 bell\u0007 lone\uD800 ok😀')).toBe('nul\uFFFD bell\uFFFD lone\uFFFD ok😀');
    const r = ciReport();
    r.findings[0] = { ...r.findings[0]!, table: 'a\u0001b', message: 'm\u0002' };
    const xml = formatJunit(r, { checks: CI_CHECKS });
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});
