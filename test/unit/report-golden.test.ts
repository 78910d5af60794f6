/**
 * Golden files for the CI formats on a fixed, hand-built Report (test/fixtures/ci-report.ts).
 * A difference fails; `UPDATE_GOLDEN=1 npx vitest run test/unit/report-golden.test.ts`
 * rewrites the files instead — then review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Baseline } from '../../src/baseline.js';
import type { Report } from '../../src/model/types.js';
import { formatGithub } from '../../src/report/github.js';
import { formatJunit } from '../../src/report/junit.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatSarif } from '../../src/report/sarif.js';
import { CI_CHECKS, CI_DOCS, ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

const DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Variant {
  name: string;
  report: () => Report;
  baseline?: () => Baseline;
  artifactPath?: string;
}

const VARIANTS: Variant[] = [
  { name: 'ci-plain', report: ciReport, artifactPath: 'headroom.yaml' },
  { name: 'ci-baseline', report: ciReport, baseline: ciBaseline, artifactPath: 'db/headroom.yaml' },
  { name: 'ci-errors', report: ciReportWithErrors },
];

const FORMATS: Array<{ ext: string; render: (r: Report, v: Variant) => string }> = [
  {
    ext: 'sarif.json',
    render: (r, v) =>
      formatSarif(r, {
        toolVersion: '0.0.0-test',
        checks: CI_CHECKS,
        docs: CI_DOCS,
        ...(v.baseline ? { baseline: v.baseline() } : {}),
        ...(v.artifactPath ? { artifactPath: v.artifactPath } : {}),
      }),
  },
  { ext: 'github.txt', render: (r, v) => formatGithub(r, v.baseline ? { baseline: v.baseline() } : {}) },
  { ext: 'junit.xml', render: (r, v) => formatJunit(r, { checks: CI_CHECKS, ...(v.baseline ? { baseline: v.baseline() } : {}) }) },
  { ext: 'md', render: (r, v) => formatMarkdown(r, v.baseline ? { baseline: v.baseline() } : {}) },
];

describe.each(VARIANTS)('golden: $name', (variant) => {
  it.each(FORMATS)('$ext', ({ ext, render }) => {
    const file = `${DIR}${variant.name}.${ext}`;
    const actual = render(variant.report(), variant);
    if (UPDATE) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, actual);
      return;
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});

describe('reporters are pure', () => {
  it('give the same text twice and leave the report untouched', () => {
    const report = ciReport();
    const before = JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    for (const { render } of FORMATS) {
      for (const variant of VARIANTS) expect(render(report, variant)).toBe(render(report, variant));
    }
    expect(JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
  });

  it('never write a colour escape', () => {
    for (const { render } of FORMATS) for (const variant of VARIANTS) expect(render(variant.report(), variant)).not.toMatch(/\x1b\[/);
  });
});
