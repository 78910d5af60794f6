/**
 * Lint findings land on the diff: the column's definition is found in the DDL (file, line, column),
 * and SARIF (physicalLocation + region), GitHub (`::error file=…,line=…,col=…`) and JUnit
 * (`file`, `line`) carry it. Scan findings (no `source`) keep their old locations.
 */
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitDdl } from '../../src/introspect/workspace.js';
import { attachSources, columnDefinitions, columnPositions, positionOf } from '../../src/lint/ddl-positions.js';
import { repoRelativePath } from '../../src/lint/repo-path.js';
import type { Finding, Report } from '../../src/model/types.js';
import { formatGithub } from '../../src/report/github.js';
import { formatJson } from '../../src/report/json.js';
import { formatJunit } from '../../src/report/junit.js';
import { formatSarif } from '../../src/report/sarif.js';
import { CI_CHECKS, ciReport } from '../fixtures/ci-report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NARROW = `${ROOT}fixtures/ddl/narrow.sql`;

function positionsOf(files: Record<string, string>) {
  const texts = new Map(Object.entries(files));
  const statements = [...texts].flatMap(([file, text]) => splitDdl(text, file));
  return columnPositions(statements, texts);
}

/** 1-based line and column of the n-th occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 1): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k < nth; k++) i = text.indexOf(needle, i + 1);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

describe('column positions in DDL files', () => {
  it('the fixture: every column of every CREATE TABLE, at its name', () => {
    const text = readFileSync(NARROW, 'utf8');
    const p = positionsOf({ 'db/narrow.sql': text });
    expect(positionOf(p, 'conversation_parts', 'message_thread_id')).toEqual({ file: 'db/narrow.sql', line: 16, column: 3 });
    expect(positionOf(p, 'orders', 'id')).toEqual({ file: 'db/narrow.sql', ...at(text, '`id` int NOT NULL') });
    expect(positionOf(p, 'orders', 'ID')).toEqual(positionOf(p, 'orders', 'id')); // column names are case-insensitive
    expect([...p.get('conversation_parts')!.keys()]).toEqual(['id', 'message_thread_id', 'body']); // not PRIMARY / KEY
    expect(positionOf(p, 'orders_touch', 'total_cents')).toBeUndefined(); // a trigger defines nothing
  });

  it('quotes, comments, executable comments, keywords as names, db.table, ALTER TABLE', () => {
    const sql = [
      '/* CREATE TABLE fake (id int) */',
      '-- CREATE TABLE fake2 (id int)',
      'CREATE TABLE IF NOT EXISTS `app`.`we``ird` (',
      "  `key` int NOT NULL DEFAULT 0 COMMENT 'a, b (c',",
      '  plain_col bigint, # trailing comment, with a comma',
      '  `index` int,',
      '  CONSTRAINT fk FOREIGN KEY (`key`) REFERENCES t (id),',
      '  UNIQUE KEY u (`index`),',
      '  CHECK (plain_col > 0)',
      ') /*!50100 PARTITION BY HASH (`key`) PARTITIONS 2 */;',
      'ALTER TABLE `we``ird` ADD COLUMN extra int, ADD INDEX i (extra), MODIFY `key` bigint NOT NULL,',
      '  CHANGE COLUMN plain_col renamed_col bigint, ADD (a1 int, a2 int), ADD `b1` int;',
    ].join('\n');
    const p = positionsOf({ 'x.sql': sql });
    expect([...p.keys()]).toEqual(['we`ird']);
    const cols = Object.fromEntries([...p.get('we`ird')!].map(([c, pos]) => [c, { line: pos.line, column: pos.column }]));
    expect(cols).toEqual({
      key: at(sql, '`key` bigint'), // MODIFY redefines it: the later definition wins
      plain_col: at(sql, 'plain_col bigint'),
      index: at(sql, '`index` int'),
      extra: at(sql, 'extra int'),
      renamed_col: at(sql, 'renamed_col'),
      a1: at(sql, 'a1 int'),
      a2: at(sql, 'a2 int'),
      b1: at(sql, '`b1`'),
    });
    expect(columnDefinitions('CREATE TABLE t LIKE u')).toEqual([]);
    expect(columnDefinitions('INSERT INTO t (a, b) VALUES (1, 2)')).toEqual([]);
    expect(columnDefinitions('CREATE TABLE t (')).toEqual([]); // cut off: no crash
  });

  it('across files: each column in the file that defined it, the later file winning', () => {
    const p = positionsOf({ 'a.sql': 'CREATE TABLE t (id int PRIMARY KEY, x int);', 'b.sql': '\n\nALTER TABLE t MODIFY x bigint;' });
    expect(positionOf(p, 't', 'id')).toEqual({ file: 'a.sql', line: 1, column: 17 });
    expect(positionOf(p, 't', 'x')).toEqual({ file: 'b.sql', line: 3, column: 22 });
  });

  it('repository-relative paths: up to the directory holding .git, else the working directory', () => {
    const repo = mkdtempSync(join(tmpdir(), 'headroom-repo-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'db'));
    writeFileSync(join(repo, 'db', 'structure.sql'), '');
    expect(repoRelativePath(join(repo, 'db', 'structure.sql'), '/')).toBe('db/structure.sql');
    expect(repoRelativePath('structure.sql', join(repo, 'db'))).toBe('db/structure.sql');
    const loose = mkdtempSync(join(tmpdir(), 'headroom-loose-'));
    expect(repoRelativePath(join(loose, 'a', 'b.sql'), loose)).toBe('a/b.sql');
  });
});

describe('lint findings in the CI formats', () => {
  const base = ciReport();
  const withSource: Report = {
    ...base,
    findings: attachSources(base.findings, positionsOf({ 'db/structure.sql': 'CREATE TABLE ledger (\n  id bigint unsigned NOT NULL\n);' }), (f) => f),
  };
  const ledger = (r: Report) => r.findings.findIndex((f) => f.table === 'ledger');

  it('attachSources sets source only where a statement defined the column', () => {
    const f = withSource.findings[ledger(withSource)]!;
    expect(f.source).toEqual({ file: 'db/structure.sql', line: 2, column: 3 });
    expect(withSource.findings.filter((x) => x.source)).toHaveLength(1);
    expect(JSON.parse(formatJson(withSource)).findings[ledger(withSource)].source).toEqual({ file: 'db/structure.sql', line: 2, column: 3 });
  });

  it('SARIF: physicalLocation is the DDL file and the column definition; valid against the SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(readFileSync(`${ROOT}test/fixtures/sarif-schema-2.1.0.json`, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(formatSarif(withSource, { toolVersion: '0', checks: CI_CHECKS, artifactPath: 'db/structure.sql' }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0].results as { locations: { physicalLocation: unknown }[] }[];
    expect(results[ledger(withSource)]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'db/structure.sql' },
      region: { startLine: 2, startColumn: 3 },
    });
    // A finding without a source keeps the line-1 anchor.
    const other = results.findIndex((_r, i) => i !== ledger(withSource));
    expect(results[other]!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'db/structure.sql' }, region: { startLine: 1 } });
  });

  it('GitHub: ::error file=…,line=…,col=… for a finding with a source, escaped like any property', () => {
    const lines = formatGithub(withSource).split('\n');
    expect(lines[ledger(withSource)]).toMatch(/^::error file=db\/structure\.sql,line=2,col=3,title=pk-capacity::s1\/app: ledger\.id/);
    const odd: Finding = { ...withSource.findings[ledger(withSource)]!, source: { file: 'db/a,b:c.sql', line: 9, column: 1 } };
    expect(formatGithub({ ...withSource, findings: [odd] }).split('\n')[0]).toMatch(/^::error file=db\/a%2Cb%3Ac\.sql,line=9,col=1,title=/);
    expect(lines.filter((l) => l.includes('file='))).toHaveLength(1);
  });

  it('JUnit: the testcase carries file and line', () => {
    const xml = formatJunit(withSource, { checks: CI_CHECKS });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(xml);
    const cases = doc.testsuites.testsuite.flatMap((s: { testcase?: Record<string, string>[] }) => s.testcase ?? []);
    const c = cases.find((x: Record<string, string>) => x.name === 'ledger.id');
    expect([c.file, c.line]).toEqual(['db/structure.sql', '2']);
    expect(cases.filter((x: Record<string, string>) => x.file)).toHaveLength(1);
  });
});
