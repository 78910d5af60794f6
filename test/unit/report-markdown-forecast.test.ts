import { describe, expect, it } from 'vitest';
import type { KeyForecast, Report } from '../../src/model/types.js';
import { formatMarkdown } from '../../src/report/markdown.js';

const forecast = (daysLeft: number): KeyForecast => ({
  status: 'ok',
  counter: 's1/app/users.id',
  observations: 5,
  windowDays: 30,
  idsPerDay: 1_000_000,
  daysLeft,
  date: '2026-12-30',
  migrationDays: { low: 1, high: 2 },
  criticalBelowDays: 20,
  rule: 'migration',
  notes: [],
});

function report(): Report {
  const base = { check: 'pk-capacity', shard: 's1', database: 'app', column: 'id', dataType: 'int' as const, unsigned: false, max: 2147483647n, current: 1500000000n, ratio: 0.7 };
  return {
    version: 1,
    summary: { shards: 1, databases: 1, tables: 2, findings: { critical: 1, warning: 1, info: 0 }, errors: 0 },
    findings: [
      { ...base, id: 'pk-capacity:s1/app/users.id', table: 'users', severity: 'critical', message: 'users', forecast: forecast(12) },
      { ...base, id: 'pk-capacity:s1/app/orders.id', table: 'orders', severity: 'warning', message: 'orders', forecast: forecast(40) },
    ],
    errors: [],
  };
}

describe('markdown: time left (with --history)', () => {
  it('lists forecasts soonest first', () => {
    const md = formatMarkdown(report());
    const section = md.slice(md.indexOf('### Time left'));
    expect(section).toMatch(/users\.id.*12(\.0)? days left/s);
    expect(section.indexOf('users.id')).toBeLessThan(section.indexOf('orders.id'));
  });

  it('has no such section without forecasts', () => {
    const r = report();
    r.findings = r.findings.map(({ forecast: _f, ...f }) => f);
    expect(formatMarkdown(r)).not.toContain('### Time left');
  });
});
