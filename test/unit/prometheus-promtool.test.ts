/**
 * The Prometheus side checked by Prometheus' own tool, promtool (Debian's `prometheus` package;
 * .ci/run installs it). Without promtool these tests FAIL — they are never skipped.
 *
 * - `promtool check metrics` on real output: the CLI's scan of the demo fleet in every
 *   --prometheus-keys mode, and a report with forecasts;
 * - `promtool check rules` on the rule file of docs/alerts.md;
 * - `promtool test rules` with a unit test for every alert documented there, on series made from
 *   real headroom output served by two node_exporters (instance label), including a shard that
 *   becomes unreadable between two scans.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { main, type Io } from '../../src/cli/main.js';
import type { Report } from '../../src/model/types.js';
import { keyUsageOf } from '../../src/report/key-usage.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { scanSnapshot } from '../../src/scan.js';
import { fixture } from '../fixtures/prometheus-report.js';
import { config, db, shard, snapshot, table } from './builders.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const parseText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; metrics: { value: string; labels?: Record<string, string> }[] }[];

function promtool(args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error("promtool is not installed: apt-get install prometheus (Debian's package provides promtool; .ci/run installs it)");
  }
  if (r.error) throw r.error;
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function capture(): Io & { out: () => string } {
  const out: string[] = [];
  return { stdout: (t) => void out.push(t), stderr: () => undefined, env: {}, stdoutIsTTY: false, stderrIsTTY: false, out: () => out.join('') };
}

const DEMO = ['--snapshot', `${ROOT}fixtures/demo-fleet.json`, '--config', `${ROOT}fixtures/demo.yaml`, '--format', 'prometheus', '--fail-on', 'never'];

describe('promtool check metrics on real output', () => {
  it.each([['grouped'], ['per-database'], ['none']])('headroom scan --format prometheus --prometheus-keys %s (the demo fleet)', async (mode) => {
    const io = capture();
    expect(await main(['scan', ...DEMO, '--prometheus-keys', mode], io)).toBe(0);
    expect(io.out()).toContain('headroom_finding_info{');
    const r = promtool(['check', 'metrics'], io.out());
    expect(r, r.out).toEqual({ status: 0, out: '' });
  });

  it('a report with forecasts, a key above 2^53, quotes in names and an unreadable shard', () => {
    const { text } = fixture();
    expect(text).toContain('headroom_finding_time_left_seconds{');
    const r = promtool(['check', 'metrics'], text);
    expect(r, r.out).toEqual({ status: 0, out: '' });
  });

  it('promtool does flag what the old output had (non-base units), so the check above means something', () => {
    const r = promtool(['check', 'metrics'], '# HELP headroom_key_days_left x\n# TYPE headroom_key_days_left gauge\nheadroom_key_days_left 1\n');
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/base unit/);
  });
});

// ---- the rules of docs/alerts.md, and their unit tests ----

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const doc = readFileSync(`${ROOT}docs/alerts.md`, 'utf8');
const ruleText = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => /^groups:/m.test(b))!;
const rules = (parseYaml(ruleText) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const alertNames = rules.flatMap((r) => (r.alert ? [r.alert] : []));
const rule = (name: string) => rules.find((r) => r.alert === name)!;

/** The annotation texts promtool renders, for the templates that only use $labels (and $value via humanizeDuration where given). */
function annotations(name: string, labels: Record<string, string>, value?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(rule(name).annotations ?? {})) {
    out[k] = t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? '').replace(/\{\{ \$value \| humanizeDuration \}\}/g, () => value ?? '?');
  }
  return out;
}

interface Expected {
  labels: Record<string, string>;
  value?: string;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}
interface TestGroup {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: AlertTest[];
}

function expect_(name: string, at: string, alerts: Expected[]): AlertTest {
  return {
    eval_time: at,
    alertname: name,
    exp_alerts: alerts.map((a) => {
      const labels = { ...a.labels, ...(rule(name).labels ?? {}) };
      return { exp_labels: labels, exp_annotations: annotations(name, labels, a.value) };
    }),
  };
}

const selector = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;

/** headroom's text as promtool input series, as two node_exporters would serve it; `values(sample)` gives each series' values notation. */
function served(text: string, values: (name: string, value: string) => string, instances = ['node-a:9100', 'node-b:9100']): TestGroup['input_series'] {
  const out: TestGroup['input_series'] = [];
  for (const f of parseText(text)) {
    for (const m of f.metrics) {
      for (const instance of instances) out.push({ series: selector(f.name, { ...(m.labels ?? {}), instance, job: 'node' }), values: values(f.name, m.value) });
    }
  }
  return out;
}

/** The five finding labels and the runbook of a report's findings of one severity. */
function findingAlerts(report: Report, severity: string): Expected[] {
  return report.findings
    .filter((f) => f.severity === severity)
    .map((f) => ({ labels: { shard: f.shard, database: f.database, table: f.table, column: f.column, check: f.check, ...(f.runbook ? { runbook: f.runbook } : { runbook: '' }) } }))
    .map((e) => ({ labels: Object.fromEntries(Object.entries(e.labels).filter(([, v]) => v !== '')) }));
}

/** Scenario 1: one scan's real output (forecasts, critical by the migration rule, a shard down), from two exporters. */
function realScan(): TestGroup {
  const { report, text } = fixture();
  const f = report.findings.find((x) => x.id === 'pk-capacity:shard-1/ws_1/users.id')!;
  // The case `unless` is there for: headroom says critical AND the PromQL line is crossed.
  expect(f.severity).toBe('critical');
  expect(f.forecast!.daysLeft!).toBeLessThan(f.forecast!.criticalBelowDays!);
  return {
    name: 'one real scan served by two node_exporters',
    interval: '1m',
    input_series: served(text, (_n, v) => `${v}x30`),
    alert_rule_test: [
      expect_('HeadroomKeyExhaustionCritical', '10m', findingAlerts(report, 'critical')),
      expect_('HeadroomKeyExhaustionWarning', '10m', findingAlerts(report, 'warning')),
      // Past the migration line, but headroom pages already: no second page.
      expect_('HeadroomTimeLeftUnderMigrationLine', '10m', []),
      expect_('HeadroomShardUnreadable', '10m', [{ labels: { shard: 'shard-down' } }]),
      // shard-down is incomplete too, but it pages as unreadable: no ticket on top.
      expect_('HeadroomShardIncomplete', '10m', []),
      // The scan's timestamp is in 2024; time() here is near 1970: not stale.
      expect_('HeadroomScanStale', '10m', []),
    ],
  };
}

/** Scenario 2: the PromQL migration line crossed where headroom's own severity is only warning. */
function migrationLine(): TestGroup {
  const labels = { shard: 's1', database: 'app', table: 'orders', column: 'id', check: 'pk-capacity' };
  const series: TestGroup['input_series'] = [];
  for (const instance of ['node-a:9100', 'node-b:9100']) {
    const l = { ...labels, instance, job: 'node' };
    series.push(
      { series: selector('headroom_finding_info', { ...l, severity: 'warning', runbook: 'https://wiki/r.md' }), values: '1x30' },
      { series: selector('headroom_finding_time_left_seconds', l), values: '864000x30' },
      { series: selector('headroom_finding_critical_below_seconds', l), values: '1728000x30' },
    );
  }
  return {
    name: 'the migration line computed in PromQL, matched per instance, paged once',
    interval: '1m',
    input_series: series,
    alert_rule_test: [
      expect_('HeadroomTimeLeftUnderMigrationLine', '5m', [{ labels, value: '10d 0h 0m 0s' }]),
      expect_('HeadroomKeyExhaustionWarning', '5m', [{ labels: { ...labels, runbook: 'https://wiki/r.md' } }]),
      expect_('HeadroomKeyExhaustionCritical', '5m', []),
    ],
  };
}

/** Scenario 3: hourly scans; the second one cannot read shard-2. Its critical alert resolves, and the unreadable page fires at once. */
function shardGoesDown(): TestGroup {
  const snap = snapshot(
    shard('shard-1', db('app', table('orders', { id: 'int auto' }, { autoIncrement: 1_000n }))),
    shard('shard-2', db('app', table('orders', { id: 'int auto' }, { autoIncrement: 2_000_000_000n }))),
  );
  const cfg = config();
  const first = scanSnapshot(snap, cfg);
  const downSnap = { ...snap, shards: [snap.shards[0]!], errors: [{ shard: 'shard-2', message: 'connect ETIMEDOUT' }] };
  const second = scanSnapshot(downSnap, cfg);
  const t1 = formatPrometheus(first, { shards: ['shard-1', 'shard-2'], scannedAt: 0, keys: keyUsageOf(snap, cfg) });
  const t2 = formatPrometheus(second, { shards: ['shard-1'], scannedAt: 3_600_000, keys: keyUsageOf(downSnap, cfg) });
  // One series per selector: the first scan's value for the first hour, then the second's (or stale: gone from the file).
  const values = new Map<string, [string | undefined, string | undefined]>();
  for (const [i, text] of [t1, t2].entries()) {
    for (const s of served(text, (_n, v) => v)) {
      const v = values.get(s.series) ?? [undefined, undefined];
      v[i] = s.values;
      values.set(s.series, v);
    }
  }
  const input_series = [...values].map(([series, [a, b]]) => ({ series, values: `${a === undefined ? '_x59' : `${a}x59`} ${b === undefined ? 'stale' : `${b}x60`}` }));
  const critical = findingAlerts(first, 'critical');
  expect(critical.map((c) => c.labels.shard)).toEqual(['shard-2']);
  return {
    name: 'a shard that becomes unreadable pages within one scan interval',
    interval: '1m',
    input_series,
    alert_rule_test: [
      expect_('HeadroomKeyExhaustionCritical', '30m', critical),
      expect_('HeadroomShardUnreadable', '30m', []),
      // The next scan (at 60m) could not read shard-2: its finding left the file.
      expect_('HeadroomKeyExhaustionCritical', '61m', []),
      expect_('HeadroomShardUnreadable', '61m', [{ labels: { shard: 'shard-2' } }]),
    ],
  };
}

/** Scenario 4: read in part (up, not complete) tickets; unreadable does not also ticket. */
function incomplete(): TestGroup {
  return {
    name: 'a shard read only in part',
    interval: '1m',
    input_series: [
      { series: 'headroom_shard_up{instance="node-a:9100",job="node",shard="s1"}', values: '1x30' },
      { series: 'headroom_shard_complete{instance="node-a:9100",job="node",shard="s1"}', values: '0x30' },
      { series: 'headroom_shard_up{instance="node-a:9100",job="node",shard="s2"}', values: '0x30' },
      { series: 'headroom_shard_complete{instance="node-a:9100",job="node",shard="s2"}', values: '0x30' },
    ],
    alert_rule_test: [expect_('HeadroomShardIncomplete', '5m', [{ labels: { shard: 's1' } }]), expect_('HeadroomShardUnreadable', '5m', [{ labels: { shard: 's2' } }])],
  };
}

/** Scenario 5: the file stops being refreshed (three missed hourly scans), or is not there at all. */
function stale(): TestGroup[] {
  return [
    {
      name: 'the cron job stopped',
      interval: '1m',
      input_series: served('headroom_scan_timestamp_seconds 0\n', () => '0x250'),
      alert_rule_test: [expect_('HeadroomScanStale', '2h59m', []), expect_('HeadroomScanStale', '3h1m', [{ labels: {} }])],
    },
    {
      name: 'no headroom file at all',
      interval: '1m',
      input_series: [{ series: 'up{instance="node-a:9100",job="node"}', values: '1x10' }],
      alert_rule_test: [expect_('HeadroomScanStale', '5m', [{ labels: {} }])],
    },
  ];
}

describe('docs/alerts.md rules, checked and unit-tested by promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-promtool-'));
  writeFileSync(join(dir, 'rules.yaml'), ruleText);

  it('promtool check rules accepts the rule file', () => {
    const r = promtool(['check', 'rules', join(dir, 'rules.yaml')]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool test rules: every documented alert fires where it should, once, and stays quiet where it should not', () => {
    const groups = [realScan(), migrationLine(), shardGoesDown(), incomplete(), ...stale()];
    // Every alert of the doc has a test in which it fires.
    const firing = new Set(groups.flatMap((g) => g.alert_rule_test.filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname)));
    expect([...firing].sort()).toEqual([...alertNames].sort());
    expect(alertNames.length).toBeGreaterThanOrEqual(6);
    const tests = { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: groups };
    writeFileSync(join(dir, 'tests.yaml'), stringify(tests, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', join(dir, 'tests.yaml')]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  });
});
