/**
 * `--format prometheus`, read back with a Prometheus text-format parser (parse-prometheus-text-format,
 * a port of the reference client's parser) — never with a regex — and the example alert rules of
 * docs/alerts.md parsed with the Prometheus project's own PromQL grammar (@prometheus-io/lezer-promql).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyForecasts } from '../../src/forecast/apply.js';
import { DAY_MS } from '../../src/forecast/forecast.js';
import type { Finding, Report } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/plan/policy.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { attachRunbookLinks } from '../../src/runbook/runbook.js';
import { scanSnapshot } from '../../src/scan.js';
import { config, db, shard, snapshot, table } from './builders.js';

interface Sample {
  value: string;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const ASOF = Date.UTC(2024, 1, 22, 10);
const WEIRD = 'we"ird\\name';

function fixture(): { report: Report; text: string } {
  const snap = {
    ...snapshot(
      shard(
        'shard-1',
        db(
          'ws_1',
          table('users', { id: 'int auto' }, { autoIncrement: 1_900_000_001n, rows: 5_000_000n }),
          table('posts', { id: 'bigint auto', user_id: 'int' }, { autoIncrement: 10n, rows: 0n, fks: { user_id: 'users.id' } }),
          table('ledger', { id: 'bigint unsigned auto' }, { autoIncrement: 18446744073709551001n, rows: 10n }),
          table(WEIRD, { id: 'smallint unsigned auto' }, { autoIncrement: 60_001n, rows: 10n }),
        ),
      ),
    ),
    takenAt: new Date(ASOF).toISOString(),
    errors: [{ shard: 'shard-down', message: 'connect ECONNREFUSED 127.0.0.1:1' }],
  };
  const history = new Map([
    ['shard-1/ws_1/users.id', [{ at: ASOF - 10 * DAY_MS, value: 1_700_000_000n }, { at: ASOF, value: 1_900_000_000n }]],
  ]);
  const cfg = config();
  const report = attachRunbookLinks(applyForecasts(scanSnapshot(snap, cfg), snap, cfg, history, { policy: DEFAULT_POLICY, asOf: ASOF }), 'https://wiki.example/runbooks');
  const text = formatPrometheus(report, { shards: ['shard-1'], scannedAt: ASOF, lastSuccess: new Map([['shard-down', ASOF - 3 * DAY_MS]]) });
  return { report, text };
}

describe('formatPrometheus', () => {
  const { report, text } = fixture();
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => families.find((f) => f.name === name)!;
  const sample = (name: string, labels: Record<string, string>) =>
    family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

  it('parses back: gauges with help, one family per name, one sample per label set', () => {
    expect(families.map((f) => f.name)).toEqual([
      'headroom_key_ratio',
      'headroom_key_current',
      'headroom_key_max',
      'headroom_key_days_left',
      'headroom_key_ids_per_day',
      'headroom_key_migration_days',
      'headroom_key_critical_below_days',
      'headroom_scan_success',
      'headroom_scan_last_success_timestamp_seconds',
      'headroom_scan_errors',
      'headroom_scan_findings',
      'headroom_scan_timestamp_seconds',
    ]);
    for (const f of families) {
      expect(f.type, f.name).toBe('GAUGE');
      expect(f.help.length, f.name).toBeGreaterThan(10);
      const keys = f.metrics.map((m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()));
      expect(new Set(keys).size, `${f.name}: duplicate series`).toBe(keys.length);
    }
    // OpenMetrics-compatible framing: no blank line, # EOF last, no timestamps (the textfile collector rejects them).
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).not.toMatch(/\n\n/);
    for (const f of families) for (const m of f.metrics) expect(m.value).not.toMatch(/\s/);
  });

  it('one series per finding, labelled with shard/database/table/column/check/severity/runbook', () => {
    expect(family('headroom_key_max').metrics).toHaveLength(report.findings.length);
    const users = sample('headroom_key_ratio', { table: 'users', check: 'pk-capacity' })!;
    expect(users.labels).toEqual({
      shard: 'shard-1',
      database: 'ws_1',
      table: 'users',
      column: 'id',
      check: 'pk-capacity',
      severity: 'critical',
      runbook: 'https://wiki.example/runbooks/shard-1__ws_1__users.id.md',
    });
    expect(Number(users.value)).toBeCloseTo(1_900_000_000 / 2147483647, 9);
    expect(Number(sample('headroom_key_current', { table: 'users', check: 'pk-capacity' })!.value)).toBe(1_900_000_000);
    expect(Number(sample('headroom_key_current', { table: 'posts', check: 'fk-capacity' })!.value)).toBe(1_900_000_000);
  });

  it('forecast gauges where there is a forecast', () => {
    const f = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_1/users.id')!;
    const labels = { table: 'users', check: 'pk-capacity' };
    // 200M ids in 10 days → 20M/day; 247,483,647 left → 12.37 days.
    expect(Number(sample('headroom_key_ids_per_day', labels)!.value)).toBe(20_000_000);
    expect(Number(sample('headroom_key_days_left', labels)!.value)).toBeCloseTo(247_483_647 / 20_000_000, 9);
    expect(Number(sample('headroom_key_migration_days', labels)!.value)).toBeCloseTo(f.forecast!.migrationDays!.high, 12);
    expect(Number(sample('headroom_key_critical_below_days', labels)!.value)).toBeCloseTo(f.forecast!.criticalBelowDays!, 12);
    // ledger has one observation: no days_left sample, but its migration estimate is there.
    expect(sample('headroom_key_days_left', { table: 'ledger' })).toBeUndefined();
    expect(sample('headroom_key_migration_days', { table: 'ledger' })).toBeDefined();
  });

  it('values above 2^53 are float64 in Prometheus (exact only in --format json)', () => {
    const current = sample('headroom_key_current', { table: 'ledger' })!.value;
    const max = sample('headroom_key_max', { table: 'ledger' })!.value;
    expect(Number(max)).toBe(Number(18446744073709551615n));
    expect(Number(current)).toBe(Number(18446744073709551000n));
    // The rounding the docs warn about: 615 ids left, but the two floats are equal.
    expect(Number(max) - Number(current)).toBe(0);
  });

  it('escapes label values (table names may hold quotes and backslashes)', () => {
    const weird = family('headroom_key_ratio').metrics.find((m) => m.labels?.table === WEIRD);
    expect(weird).toBeDefined();
    expect(text).toContain('table="we\\"ird\\\\name"');
  });

  it('scan health per shard: success, last success, errors, findings per severity', () => {
    expect(sample('headroom_scan_success', { shard: 'shard-1' })!.value).toBe('1');
    expect(sample('headroom_scan_success', { shard: 'shard-down' })!.value).toBe('0');
    expect(Number(sample('headroom_scan_last_success_timestamp_seconds', { shard: 'shard-1' })!.value)).toBe(ASOF / 1000);
    expect(Number(sample('headroom_scan_last_success_timestamp_seconds', { shard: 'shard-down' })!.value)).toBe((ASOF - 3 * DAY_MS) / 1000);
    expect(family('headroom_scan_errors').metrics).toEqual([{ value: '1' }]);
    expect(Number(sample('headroom_scan_findings', { severity: 'critical' })!.value)).toBe(report.summary.findings.critical);
    expect(Number(family('headroom_scan_timestamp_seconds').metrics[0]!.value)).toBe(ASOF / 1000);
  });

  it('without history: no forecast gauges, the rest unchanged', () => {
    const plain: Report = { ...report, findings: report.findings.map(({ forecast: _f, ...f }) => f as Finding) };
    const fams = parsePrometheusTextFormat(formatPrometheus(plain, { shards: ['shard-1'], scannedAt: ASOF }));
    expect(fams.find((f) => f.name === 'headroom_key_days_left')!.metrics).toEqual([]);
    expect(fams.find((f) => f.name === 'headroom_key_ratio')!.metrics).toHaveLength(report.findings.length);
    // A failed shard with no known last success has no timestamp sample.
    expect(fams.find((f) => f.name === 'headroom_scan_last_success_timestamp_seconds')!.metrics.map((m) => m.labels!.shard)).toEqual(['shard-1']);
  });
});

describe('docs/alerts.md', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/alerts.md', import.meta.url)), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const rules = blocks.flatMap((b) => (parseYaml(b) as { groups?: { rules: { alert?: string; record?: string; expr: string; annotations?: Record<string, string> }[] }[] }).groups ?? []).flatMap((g) => g.rules);
  const exported = new Set(parsePrometheusTextFormat(fixture().text).map((f) => f.name));

  it('has rule files whose every expr is valid PromQL over metrics headroom exports', () => {
    expect(rules.length).toBeGreaterThanOrEqual(4);
    for (const r of rules) {
      const tree = promql.parse(r.expr);
      const errors: number[] = [];
      tree.iterate({ enter: (n) => void (n.type.isError && errors.push(n.from)) });
      expect(errors, `${r.alert ?? r.record}: ${r.expr}`).toEqual([]);
      for (const name of r.expr.match(/\bheadroom_[a-z_]+\b/g) ?? []) {
        expect(exported.has(name) || rules.some((x) => x.record === name), `${r.alert}: ${name}`).toBe(true);
      }
    }
  });

  it('pages on migration-aware severity and links the runbook label', () => {
    const page = rules.find((r) => r.alert && /severity="critical"/.test(r.expr))!;
    expect(page).toBeDefined();
    expect(page.annotations?.runbook_url).toContain('$labels.runbook');
  });
});
