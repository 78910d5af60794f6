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
import { DAY_MS } from '../../src/forecast/forecast.js';
import type { Finding, Report } from '../../src/model/types.js';
import { KeyUsageCollector, keyUsageOf } from '../../src/report/key-usage.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { ASOF, fixture, WEIRD } from '../fixtures/prometheus-report.js';
import { config } from './builders.js';

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

describe('formatPrometheus', () => {
  const { report, text, snap } = fixture();
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => families.find((f) => f.name === name)!;
  const sample = (name: string, labels: Record<string, string>) =>
    family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

  it('parses back: gauges with help, one family per name, one sample per label set, base units in the names', () => {
    expect(families.map((f) => f.name)).toEqual([
      'headroom_key_usage_ratio',
      'headroom_key_current',
      'headroom_key_max',
      'headroom_finding_info',
      'headroom_finding_usage_ratio',
      'headroom_finding_time_left_seconds',
      'headroom_finding_growth_per_second',
      'headroom_finding_migration_seconds',
      'headroom_finding_critical_below_seconds',
      'headroom_shard_up',
      'headroom_shard_last_success_timestamp_seconds',
      'headroom_shard_complete',
      'headroom_shard_databases_matched',
      'headroom_shard_databases_read',
      'headroom_shard_tables_read',
      'headroom_scan_shards_unreadable',
      'headroom_scan_findings',
      'headroom_scan_timestamp_seconds',
    ]);
    for (const f of families) {
      expect(f.type, f.name).toBe('GAUGE');
      expect(f.help.length, f.name).toBeGreaterThan(10);
      expect(f.name, 'no non-base units').not.toMatch(/_(days|hours|minutes|milliseconds|percent)\b|_per_day/);
      const keys = f.metrics.map((m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()));
      expect(new Set(keys).size, `${f.name}: duplicate series`).toBe(keys.length);
    }
    // OpenMetrics-compatible framing: no blank line, # EOF last, no timestamps (the textfile collector rejects them).
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).not.toMatch(/\n\n/);
    for (const f of families) for (const m of f.metrics) expect(m.value).not.toMatch(/\s/);
  });

  it('severity and runbook only on headroom_finding_info (value 1); the numeric finding gauges carry the five identity labels', () => {
    expect(family('headroom_finding_info').metrics).toHaveLength(report.findings.length);
    const users = sample('headroom_finding_info', { table: 'users', check: 'pk-capacity' })!;
    expect(users).toEqual({
      value: '1',
      labels: { shard: 'shard-1', database: 'ws_1', table: 'users', column: 'id', check: 'pk-capacity', severity: 'critical', runbook: 'https://wiki.example/runbooks/shard-1__ws_1__users.id.md' },
    });
    for (const f of families.filter((x) => x.name !== 'headroom_finding_info' && x.name.startsWith('headroom_finding_'))) {
      for (const m of f.metrics) expect(Object.keys(m.labels ?? {}).sort(), f.name).toEqual(['check', 'column', 'database', 'shard', 'table']);
    }
    for (const f of families.filter((x) => x.name !== 'headroom_finding_info' && x.name !== 'headroom_scan_findings')) {
      for (const m of f.metrics) expect(m.labels?.severity, f.name).toBeUndefined();
    }
    const ratio = sample('headroom_finding_usage_ratio', { table: 'users', check: 'pk-capacity' })!;
    expect(Number(ratio.value)).toBeCloseTo(1_900_000_000 / 2147483647, 9);
  });

  it('a gauge for every key and referencing column, grouped per shard × table × column × check with the worst database', () => {
    const keys = family('headroom_key_usage_ratio').metrics;
    // users, posts, ledger, weird, quiet keys + posts.user_id: 6, though two databases hold users and posts.
    expect(keys.map((m) => `${m.labels!.table}.${m.labels!.column} ${m.labels!.check}`).sort()).toEqual(
      ['ledger.id pk-capacity', 'posts.id pk-capacity', 'posts.user_id fk-capacity', 'quiet.id pk-capacity', 'users.id pk-capacity', `${WEIRD}.id pk-capacity`].sort(),
    );
    for (const m of keys) expect(m.labels!.database).toBeUndefined();
    // quiet.id is no finding, but it has its gauge.
    expect(report.findings.some((f) => f.table === 'quiet')).toBe(false);
    expect(Number(sample('headroom_key_current', { table: 'quiet' })!.value)).toBe(1000);
    // users.id: ws_1 (1.9e9) is worse than ws_2 (1e6).
    expect(Number(sample('headroom_key_current', { table: 'users', check: 'pk-capacity' })!.value)).toBe(1_900_000_000);
    expect(Number(sample('headroom_key_current', { table: 'posts', column: 'user_id' })!.value)).toBe(1_900_000_000);
    expect(Number(sample('headroom_key_max', { table: 'users' })!.value)).toBe(2147483647);
  });

  it('per database: one series per database too; findings only: no key family', () => {
    const per = parsePrometheusTextFormat(formatPrometheus(report, { shards: ['shard-1'], scannedAt: ASOF, keys: keyUsageOf(snap, config(), true) }));
    const ratio = per.find((f) => f.name === 'headroom_key_usage_ratio')!.metrics;
    expect(ratio).toHaveLength(9);
    expect(ratio.filter((m) => m.labels!.table === 'users').map((m) => [m.labels!.database, Number(m.value).toFixed(7)])).toEqual([
      ['ws_1', (1_900_000_000 / 2147483647).toFixed(7)],
      ['ws_2', (1_000_000 / 2147483647).toFixed(7)],
    ]);
    const none = parsePrometheusTextFormat(formatPrometheus(report, { shards: ['shard-1'], scannedAt: ASOF }));
    expect(none.some((f) => f.name.startsWith('headroom_key_'))).toBe(false);
    expect(none.find((f) => f.name === 'headroom_finding_info')!.metrics).toHaveLength(report.findings.length);
  });

  it('forecast gauges in seconds where there is a forecast', () => {
    const f = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_1/users.id')!;
    const labels = { table: 'users', check: 'pk-capacity' };
    // 200M ids in 10 days → 20M/day; 247,483,647 left → 12.37 days.
    expect(Number(sample('headroom_finding_growth_per_second', labels)!.value)).toBeCloseTo(20_000_000 / 86_400, 9);
    expect(Number(sample('headroom_finding_time_left_seconds', labels)!.value)).toBeCloseTo((247_483_647 / 20_000_000) * 86_400, 6);
    expect(Number(sample('headroom_finding_migration_seconds', labels)!.value)).toBeCloseTo(f.forecast!.migrationDays!.high * 86_400, 6);
    expect(Number(sample('headroom_finding_critical_below_seconds', labels)!.value)).toBeCloseTo(f.forecast!.criticalBelowDays! * 86_400, 6);
    // ledger has one observation: no time_left sample, but its migration estimate is there.
    expect(sample('headroom_finding_time_left_seconds', { table: 'ledger' })).toBeUndefined();
    expect(sample('headroom_finding_migration_seconds', { table: 'ledger' })).toBeDefined();
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
    const weird = family('headroom_finding_info').metrics.find((m) => m.labels?.table === WEIRD);
    expect(weird).toBeDefined();
    expect(text).toContain('table="we\\"ird\\\\name"');
  });

  it('scan health per shard: up, last success, coverage; per scan: unreadable shards, findings per severity, time', () => {
    expect(sample('headroom_shard_up', { shard: 'shard-1' })!.value).toBe('1');
    expect(sample('headroom_shard_up', { shard: 'shard-down' })!.value).toBe('0');
    expect(Number(sample('headroom_shard_last_success_timestamp_seconds', { shard: 'shard-1' })!.value)).toBe(ASOF / 1000);
    expect(Number(sample('headroom_shard_last_success_timestamp_seconds', { shard: 'shard-down' })!.value)).toBe((ASOF - 3 * DAY_MS) / 1000);
    expect(sample('headroom_shard_complete', { shard: 'shard-1' })!.value).toBe('1');
    expect(sample('headroom_shard_complete', { shard: 'shard-down' })!.value).toBe('0');
    expect(sample('headroom_shard_databases_matched', { shard: 'shard-1' })!.value).toBe('2');
    expect(sample('headroom_shard_databases_matched', { shard: 'shard-down' })).toBeUndefined();
    expect(sample('headroom_shard_tables_read', { shard: 'shard-1' })!.value).toBe('7');
    expect(family('headroom_scan_shards_unreadable').metrics).toEqual([{ value: '1' }]);
    expect(Number(sample('headroom_scan_findings', { severity: 'critical' })!.value)).toBe(report.summary.findings.critical);
    expect(Number(family('headroom_scan_timestamp_seconds').metrics[0]!.value)).toBe(ASOF / 1000);
  });

  it('without history: no forecast gauges, the rest unchanged', () => {
    const plain: Report = { ...report, findings: report.findings.map(({ forecast: _f, ...f }) => f as Finding) };
    const fams = parsePrometheusTextFormat(formatPrometheus(plain, { shards: ['shard-1'], scannedAt: ASOF }));
    expect(fams.find((f) => f.name === 'headroom_finding_time_left_seconds')!.metrics).toEqual([]);
    expect(fams.find((f) => f.name === 'headroom_finding_info')!.metrics).toHaveLength(report.findings.length);
    // A failed shard with no known last success has no timestamp sample.
    expect(fams.find((f) => f.name === 'headroom_shard_last_success_timestamp_seconds')!.metrics.map((m) => m.labels!.shard)).toEqual(['shard-1']);
  });

  it('a live scan gathers the same key gauges shard by shard as a snapshot read whole', () => {
    const collector = new KeyUsageCollector(config());
    for (const s of snap.shards) collector.addShard(s);
    expect(collector.series()).toEqual(keyUsageOf(snap, config()));
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
    const page = rules.find((r) => r.alert && /headroom_finding_info\{severity="critical"\}/.test(r.expr) && !/unless/.test(r.expr))!;
    expect(page).toBeDefined();
    expect(page.annotations?.runbook_url).toContain('$labels.runbook');
  });
});
