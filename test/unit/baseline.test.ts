import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  baselineStatus,
  createBaseline,
  evaluateGate,
  formatJsonWithBaseline,
  gateExitCode,
  parseBaseline,
  readBaselineFile,
  serializeBaseline,
  type Baseline,
} from '../../src/baseline.js';
import { main, type Io } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import type { Report } from '../../src/model/types.js';
import { formatJson } from '../../src/report/json.js';
import { exitCode, type FailOn } from '../../src/scan.js';
import { ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'headroom-baseline-'));

describe('createBaseline / serializeBaseline / parseBaseline', () => {
  const b = createBaseline(ciReport(), new Date('2025-01-02T03:04:05Z'));

  it('keys every finding by its stable id, with its severity, a version and the time', () => {
    expect(b.version).toBe(1);
    expect(b.generatedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(b.findings).toEqual({
      'fk-capacity:s1/app/messages.thread_id': { severity: 'critical' },
      'fk-capacity:s2/app2/messages.thread_id': { severity: 'critical' },
      'fk-type-mismatch:s1/app/tags.message_id': { severity: 'warning' },
      'pk-capacity:s1/app/ledger.id': { severity: 'critical' },
      'pk-capacity:s2/app2/odd|tbl <&>.x:y,z%"`': { severity: 'warning' },
    });
  });

  it('writes ids in byte order (diffs stay small), whatever the report order', () => {
    const shuffled: Report = { ...ciReport(), findings: [...ciReport().findings].reverse() };
    expect(serializeBaseline(createBaseline(shuffled, b.generatedAt))).toBe(serializeBaseline(b));
    expect(Object.keys(b.findings)).toEqual([...Object.keys(b.findings)].sort());
  });

  it('round-trips through its file format', () => {
    const text = serializeBaseline(b);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseBaseline(text, 'b.json')).toEqual(b);
  });

  it('ignores fields it does not know', () => {
    const text = JSON.stringify({ ...b, note: 'x', findings: { a: { severity: 'warning', message: 'm' } } });
    expect(parseBaseline(text, 'b.json').findings).toEqual({ a: { severity: 'warning' } });
  });

  it.each([
    ['not JSON', '{"version":1', /^b\.json: not a headroom baseline: invalid JSON: /],
    ['not an object', '[1]', /expected a JSON object/],
    ['no version', '{"generatedAt":"x","findings":{}}', /unsupported version missing/],
    ['another version', '{"version":2,"generatedAt":"x","findings":{}}', /unsupported version 2 \(this headroom reads version 1\)/],
    ['no generatedAt', '{"version":1,"findings":{}}', /"generatedAt" must be a string/],
    ['findings an array', '{"version":1,"generatedAt":"x","findings":[]}', /"findings" must be an object/],
    ['a bad severity', '{"version":1,"generatedAt":"x","findings":{"a":{"severity":"fatal"}}}', /findings\["a"\]\.severity must be "critical", "warning" or "info"/],
    ['a severity from Object.prototype', '{"version":1,"generatedAt":"x","findings":{"a":{"severity":"toString"}}}', /findings\["a"\]\.severity/],
    ['an entry not an object', '{"version":1,"generatedAt":"x","findings":{"a":"critical"}}', /findings\["a"\]\.severity/],
  ])('rejects %s with a one-line UsageError naming the file', (_name, text, message) => {
    let err: unknown;
    try {
      parseBaseline(text, 'b.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^b\.json: /);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('readBaselineFile names a file it cannot read', async () => {
    await expect(readBaselineFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read baseline: no such file/);
  });
});

describe('baselineStatus', () => {
  const report = ciReport();
  const b = ciBaseline();
  const status = (id: string) => baselineStatus(report.findings.find((f) => f.id === id)!, b);

  it('is known at the same or a higher severity, worse at a lower one, new when absent', () => {
    expect(status('pk-capacity:s1/app/ledger.id')).toBe('known');
    expect(status('fk-capacity:s1/app/messages.thread_id')).toBe('worse');
    expect(status('fk-capacity:s2/app2/messages.thread_id')).toBe('new');
    const higher: Baseline = { ...b, findings: { ...b.findings, 'fk-type-mismatch:s1/app/tags.message_id': { severity: 'critical' } } };
    expect(baselineStatus(report.findings.find((f) => f.check === 'fk-type-mismatch')!, higher)).toBe('known');
  });

  it('does not take inherited object keys for baseline entries', () => {
    const f = { ...report.findings[0]!, id: 'constructor' };
    expect(baselineStatus(f, { ...b, findings: {} })).toBe('new');
  });
});

describe('the gate with a baseline', () => {
  const failOns: FailOn[] = ['critical', 'warning', 'never'];

  it('without a baseline is exactly exitCode', () => {
    for (const r of [ciReport(), ciReportWithErrors()]) for (const f of failOns) expect(gateExitCode(r, f)).toBe(exitCode(r, f));
  });

  it('known findings do not fail; new or more severe ones do', () => {
    expect(gateExitCode(ciReport(), 'critical', ciBaseline())).toBe(1);
    const all = createBaseline(ciReport(), 'now');
    expect(gateExitCode(ciReport(), 'critical', all)).toBe(0);
    expect(gateExitCode(ciReport(), 'warning', all)).toBe(0);

    // Only the warning-level tags finding is new: fails at --fail-on warning, not at critical.
    const { ['fk-type-mismatch:s1/app/tags.message_id']: _dropped, ...rest } = all.findings;
    const missingWarning: Baseline = { ...all, findings: rest };
    expect(gateExitCode(ciReport(), 'critical', missingWarning)).toBe(0);
    expect(gateExitCode(ciReport(), 'warning', missingWarning)).toBe(1);

    // A warning that became critical fails at --fail-on critical.
    const downgraded: Baseline = { ...all, findings: { ...all.findings, 'pk-capacity:s1/app/ledger.id': { severity: 'warning' } } };
    expect(gateExitCode(ciReport(), 'critical', downgraded)).toBe(1);
  });

  it('shard errors exit 2, whatever the baseline says', () => {
    const all = createBaseline(ciReportWithErrors(), 'now');
    for (const f of failOns) expect(gateExitCode(ciReportWithErrors(), f, all)).toBe(2);
  });

  it('evaluateGate lists what fails and what the baseline accepts', () => {
    const g = evaluateGate(ciReport(), 'critical', ciBaseline());
    expect(g.exitCode).toBe(1);
    expect(g.failing.map((f) => f.id)).toEqual(['fk-capacity:s1/app/messages.thread_id', 'fk-capacity:s2/app2/messages.thread_id']);
    expect(g.accepted.map((f) => f.id)).toEqual(['pk-capacity:s1/app/ledger.id']);
    expect(g.statuses.size).toBe(5);
    expect(evaluateGate(ciReport(), 'never', ciBaseline()).failing).toEqual([]);
  });
});

describe('formatJsonWithBaseline', () => {
  it('is formatJson plus "baseline" on every finding, nothing else changed', () => {
    const report = ciReport();
    const plain = JSON.parse(formatJson(report));
    const marked = JSON.parse(formatJsonWithBaseline(report, ciBaseline()));
    expect(marked.findings.map((f: { baseline: string }) => f.baseline)).toEqual(['worse', 'known', 'new', 'known', 'new']);
    for (const f of marked.findings) delete f.baseline;
    expect(marked).toEqual(plain);
    // exact big integers survive the round trip, as strings
    expect(formatJsonWithBaseline(report, ciBaseline())).toContain('"max": "18446744073709551615"');
  });
});

describe('headroom scan --baseline / --write-baseline (in process, on the demo snapshot)', () => {
  function io(): Io & { out: string; err: string } {
    const o = { out: '', err: '' };
    return Object.assign(o, {
      stdout: (t: string) => void (o.out += t),
      stderr: (t: string) => void (o.err += t),
      env: { NO_COLOR: '1' },
      stdoutIsTTY: false,
      stderrIsTTY: false,
    });
  }
  // The demo snapshot is a fixture of a fixed day: the CI formats' 7-day --max-age would refuse it.
  const source = ['--snapshot', `${ROOT}fixtures/demo-fleet.json`, '--config', `${ROOT}fixtures/demo.yaml`, '--max-age', '100000'];

  it('fails on the demo, writes a baseline that accepts it, then passes against it', async () => {
    const file = join(dir, 'headroom-baseline.json');
    expect(await main(['scan', ...source, '--format', 'json'], io())).toBe(1);

    const w = io();
    expect(await main(['scan', ...source, '--write-baseline', file, '--format', 'github'], w)).toBe(0);
    expect(w.err).toMatch(/^headroom: wrote .*headroom-baseline\.json: 29 findings accepted\n$/);
    const written = parseBaseline(readFileSync(file, 'utf8'), file);
    expect(Object.keys(written.findings)).toHaveLength(29);
    expect(Date.parse(written.generatedAt)).not.toBeNaN();

    const r = io();
    expect(await main(['scan', ...source, '--baseline', file, '--format', 'json', '--fail-on', 'warning'], r)).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.findings.every((f: { baseline: string }) => f.baseline === 'known')).toBe(true);

    const t = io();
    expect(await main(['scan', ...source, '--baseline', file], t)).toBe(0);
    expect(t.out).toMatch(/Baseline: exit 0: no new finding at or above --fail-on critical \(18 findings at or above it known in the baseline\)\.\n$/);
  });

  it('fails again when a finding is new or got more severe', async () => {
    const file = join(dir, 'partial.json');
    const all = createBaseline(await demoReport(), 'then');
    const ids = Object.keys(all.findings).filter((id) => all.findings[id]!.severity === 'critical');
    delete all.findings[ids[0]!];
    all.findings[ids[1]!] = { severity: 'warning' };
    writeFileSync(file, serializeBaseline(all));
    const r = io();
    expect(await main(['scan', ...source, '--baseline', file, '--format', 'markdown'], r)).toBe(1);
    expect(r.out).toContain('exit 1: 2 findings at or above --fail-on critical (1 new, 1 more severe than in the baseline)');
  });

  it('a malformed or missing baseline is one line on stderr and exit 2, before any scan', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "findings": ');
    const r = io();
    expect(await main(['scan', ...source, '--baseline', bad], r)).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^headroom: .*bad\.json: not a headroom baseline: invalid JSON: [^\n]*\n$/);

    const m = io();
    expect(await main(['scan', 'mysql://nobody@127.0.0.1:1', '--baseline', join(dir, 'nope.json')], m)).toBe(2);
    expect(m.err).toMatch(/^headroom: .*nope\.json: cannot read baseline: no such file\n$/);
  });

  it('an unwritable --write-baseline is one line and exit 2', async () => {
    const r = io();
    expect(await main(['scan', ...source, '--write-baseline', join(dir, 'no/such/dir/b.json')], r)).toBe(2);
    expect(r.err).toMatch(/^headroom: .*b\.json: cannot write baseline: no such file\n$/);
  });

  it('every CI format runs from the CLI and exits like the gate', async () => {
    for (const format of ['sarif', 'github', 'junit', 'markdown']) {
      const r = io();
      expect(await main(['scan', ...source, '--format', format], r)).toBe(1);
      expect(r.out.length).toBeGreaterThan(100);
      expect(r.err).toBe('');
    }
    const s = io();
    await main(['scan', ...source, '--format', 'sarif'], s);
    const log = JSON.parse(s.out);
    expect(log.runs[0].tool.driver.rules[0].help.markdown).toMatch(/^# pk-capacity/);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/fixtures\/demo\.yaml$/);
  });
});

async function demoReport(): Promise<Report> {
  const { loadSnapshot } = await import('../../src/snapshot/file.js');
  const { loadInventory } = await import('../../src/config/inventory.js');
  const { scanSnapshot } = await import('../../src/scan.js');
  return scanSnapshot(await loadSnapshot(`${ROOT}fixtures/demo-fleet.json`), await loadInventory(`${ROOT}fixtures/demo.yaml`, {}));
}
