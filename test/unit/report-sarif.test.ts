import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/registry.js';
import { parseInventory } from '../../src/config/inventory.js';
import type { Report } from '../../src/model/types.js';
import { firstParagraph, formatSarif, pathToUriReference, SARIF_SCHEMA_URI, type SarifOptions } from '../../src/report/sarif.js';
import { readCheckDocs } from '../../src/checks/docs.js';
import { scanSnapshot } from '../../src/scan.js';
import { loadSnapshot } from '../../src/snapshot/file.js';
import { CI_CHECKS, CI_DOCS, ciBaseline, ciReport, ciReportWithErrors } from '../fixtures/ci-report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The official SARIF 2.1.0 schema (draft-07), vendored: see test/fixtures/sarif-schema-2.1.0.NOTICE.md.
const schema = JSON.parse(readFileSync(`${ROOT}test/fixtures/sarif-schema-2.1.0.json`, 'utf8'));
// strict: false — the official schema uses keywords in ways Ajv's strict mode flags (e.g. `required`
// naming properties defined elsewhere); that is a style check of the schema, not of our output.
const ajv = new Ajv({ allErrors: true, strict: false });
ajvFormats.default(ajv); // CommonJS module: its plugin is `.default` under NodeNext typing (and at run time)
const validate = ajv.compile(schema);

function valid(text: string): unknown {
  const log = JSON.parse(text);
  const ok = validate(log);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
  return log;
}

function empty(): Report {
  return { version: 1, summary: { shards: 1, databases: 0, tables: 0, findings: { critical: 0, warning: 0, info: 0 }, errors: 0 }, findings: [], errors: [] };
}

const base: SarifOptions = { toolVersion: '1.2.3', checks: CI_CHECKS, docs: CI_DOCS };

type Log = { $schema: string; version: string; runs: Array<Record<string, any>> };

describe('formatSarif: valid against the official SARIF 2.1.0 schema', () => {
  it('the schema is the real one (draft-07, every SARIF definition) and rejects a broken log', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(SARIF_SCHEMA_URI);
    expect(Object.keys(schema.definitions)).toHaveLength(52);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false); // driver.name is required
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] })).toBe(false);
    // formats are checked too: an artifact URI must be a URI reference
    const at = (uri: string) => ({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri } } }] }] }] });
    expect(validate(at('my dir/headroom.yaml'))).toBe(false);
    expect(validate(at('my%20dir/headroom.yaml'))).toBe(true);
  });

  it.each([
    ['the fixed report', () => formatSarif(ciReport(), { ...base, artifactPath: 'headroom.yaml' })],
    ['with a baseline', () => formatSarif(ciReport(), { ...base, baseline: ciBaseline() })],
    ['with an unread shard', () => formatSarif(ciReportWithErrors(), base)],
    ['with no finding at all', () => formatSarif(empty(), base)],
    ['with no docs and the default checks', () => formatSarif(ciReport(), { toolVersion: '0.1.0' })],
    ['anchored at a path that needs encoding', () => formatSarif(ciReport(), { ...base, artifactPath: 'db/my config#1.yaml' })],
  ])('%s', (_name, render) => {
    valid(render());
  });

  it('the demo fleet, with the real check docs', async () => {
    const snapshot = await loadSnapshot(`${ROOT}fixtures/demo-fleet.json`);
    const inventory = parseInventory(readFileSync(`${ROOT}fixtures/demo.yaml`, 'utf8'), 'fixtures/demo.yaml', {});
    const report = scanSnapshot(snapshot, inventory);
    expect(report.findings.length).toBeGreaterThan(10);
    const log = valid(formatSarif(report, { toolVersion: '0.1.0', docs: await readCheckDocs(), artifactPath: 'fixtures/demo.yaml' })) as Log;
    expect(log.runs[0]!.results).toHaveLength(report.findings.length);
  });
});

describe('formatSarif: content', () => {
  const log = JSON.parse(formatSarif(ciReport(), { ...base, artifactPath: 'headroom.yaml' })) as Log;
  const run = log.runs[0]!;

  it('is SARIF 2.1.0 from headroom, one run', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'headroom', version: '1.2.3' });
  });

  it('has one rule per check, with or without a finding, help from the doc or else the summary', () => {
    const rules = run.tool.driver.rules as Array<Record<string, any>>;
    expect(rules.map((r) => r.id)).toEqual(['pk-capacity', 'fk-capacity', 'fk-type-mismatch']);
    expect(rules[0]!.shortDescription.text).toBe(CI_CHECKS[0]!.summary);
    expect(rules[0]!.help).toEqual({ text: CI_DOCS['pk-capacity'], markdown: CI_DOCS['pk-capacity'] });
    expect(rules[0]!.fullDescription.text).toBe("A table whose key has used a large share of its integer type's range.");
    expect(rules[2]!.help).toEqual({ text: CI_CHECKS[2]!.summary });
    expect(rules[2]!.fullDescription.text).toBe(CI_CHECKS[2]!.summary);

    const none = JSON.parse(formatSarif(empty(), { toolVersion: '0' })) as Log;
    expect(none.runs[0]!.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(CHECKS.map((c) => c.id));
    expect(none.runs[0]!.results).toEqual([]);
  });

  it('gives a finding of an unlisted check a rule of its own', () => {
    const out = JSON.parse(formatSarif(ciReport(), { toolVersion: '0', checks: [CI_CHECKS[0]!] })) as Log;
    const ids = out.runs[0]!.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(['pk-capacity', 'fk-capacity', 'fk-type-mismatch']);
    for (const r of out.runs[0]!.results) expect(ids[r.ruleIndex]).toBe(r.ruleId);
  });

  it('maps each finding to a result: level, message, logical + physical location, fingerprint, exact numbers', () => {
    const results = run.results as Array<Record<string, any>>;
    expect(results).toHaveLength(5);
    const rules = run.tool.driver.rules as Array<{ id: string }>;
    for (const r of results) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);

    const ledger = results.find((r) => r.partialFingerprints['headroomFindingId/v1'] === 'pk-capacity:s1/app/ledger.id')!;
    expect(ledger.level).toBe('error');
    expect(ledger.message.text).toMatch(/^s1\/app: ledger\.id \(bigint unsigned\) has used/);
    expect(ledger.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'headroom.yaml' }, region: { startLine: 1 } },
        logicalLocations: [{ name: 'id', fullyQualifiedName: 's1/app/ledger.id', kind: 'member' }],
      },
    ]);
    expect(ledger.properties).toMatchObject({ current: '18446744073709551000', max: '18446744073709551615', ratio: 1 });
    expect(ledger.properties).not.toHaveProperty('relationSource');
    expect(ledger).not.toHaveProperty('baselineState');

    const fk = results.find((r) => r.ruleId === 'fk-capacity')!;
    expect(fk.properties).toMatchObject({ current: 2147500000, max: 2147483647, relationSource: 'inferred', references: { table: 'threads' } });

    const mismatch = results.find((r) => r.ruleId === 'fk-type-mismatch')!;
    expect(mismatch.level).toBe('warning');
    expect(mismatch.properties).toMatchObject({ current: null, ratio: null, relationSource: 'declared' });
  });

  it('maps info to note', () => {
    const r = ciReport();
    r.findings = [{ ...r.findings[0]!, severity: 'info' }];
    expect((JSON.parse(formatSarif(r, base)) as Log).runs[0]!.results[0].level).toBe('note');
  });

  it('leaves out the physical location when no file is given', () => {
    const out = JSON.parse(formatSarif(ciReport(), base)) as Log;
    for (const r of out.runs[0]!.results) expect(r.locations[0]).not.toHaveProperty('physicalLocation');
  });

  it('reports unread shards as failed execution with notifications, and the exit code', () => {
    const out = JSON.parse(formatSarif(ciReportWithErrors(), base)) as Log;
    expect(out.runs[0]!.invocations).toEqual([
      {
        executionSuccessful: false,
        exitCode: 2,
        toolExecutionNotifications: [
          { level: 'error', message: { text: 'shard s3 could not be read, its keys were NOT checked: connect ECONNREFUSED 127.0.0.1:3308' }, properties: { shard: 's3' } },
        ],
      },
    ]);
    expect(run.invocations).toEqual([{ executionSuccessful: true, exitCode: 1 }]);
  });

  it('marks each result against the baseline (baselineState and properties.baseline)', () => {
    const out = JSON.parse(formatSarif(ciReport(), { ...base, baseline: ciBaseline() })) as Log;
    const state = Object.fromEntries(out.runs[0]!.results.map((r: any) => [r.properties.findingId, [r.baselineState, r.properties.baseline]]));
    expect(state).toEqual({
      'pk-capacity:s1/app/ledger.id': ['unchanged', 'known'],
      'pk-capacity:s2/app2/odd|tbl <&>.x:y,z%"`': ['unchanged', 'known'],
      'fk-capacity:s1/app/messages.thread_id': ['updated', 'worse'],
      'fk-capacity:s2/app2/messages.thread_id': ['new', 'new'],
      'fk-type-mismatch:s1/app/tags.message_id': ['new', 'new'],
    });
    expect(out.runs[0]!.invocations[0].exitCode).toBe(1);
  });
});

describe('helpers', () => {
  it('pathToUriReference encodes each segment', () => {
    expect(pathToUriReference('db/headroom.yaml')).toBe('db/headroom.yaml');
    expect(pathToUriReference('my dir/a#b?.yaml')).toBe('my%20dir/a%23b%3F.yaml');
  });

  it('firstParagraph joins the paragraph under a heading', () => {
    expect(firstParagraph('# x\n\n## What it finds\n\nOne\ntwo.\n\nThree.\n', 'What it finds')).toBe('One two.');
    expect(firstParagraph('# x\n\nno heading', 'What it finds')).toBeUndefined();
  });

  it('readCheckDocs reads docs/checks/<id>.md and leaves out a page that does not exist', async () => {
    const docs = await readCheckDocs([{ id: 'pk-capacity' }, { id: 'no-such-check' }]);
    expect(Object.keys(docs)).toEqual(['pk-capacity']);
    expect(docs['pk-capacity']).toBe(readFileSync(`${ROOT}docs/checks/pk-capacity.md`, 'utf8'));
    const fromDir = await readCheckDocs([{ id: 'fk-capacity' }], `${ROOT}docs/checks`);
    expect(fromDir['fk-capacity']).toMatch(/^# fk-capacity/);
  });
});
