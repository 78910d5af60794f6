import { describe, expect, it } from 'vitest';
import { findingToJson, formatJson, formatJsonChunks } from '../../src/report/json.js';
import type { Finding, Report } from '../../src/model/types.js';

const finding = (i: number, extra: Partial<Finding> = {}): Finding => ({
  id: `fk-type-mismatch:shard-1/ws_${i}/audit_logs.user_id`,
  check: 'fk-type-mismatch',
  severity: i % 3 ? 'warning' : 'critical',
  shard: 'shard-1',
  database: `ws_${i}`,
  table: 'audit_logs',
  column: 'user_id',
  dataType: 'int',
  unsigned: false,
  max: 2147483647n,
  current: i % 2 ? 18446744073709551000n : null,
  ratio: i % 2 ? 1.5 : null,
  references: { database: `ws_${i}`, table: 'users', column: 'id', dataType: 'bigint', unsigned: true },
  relationSource: 'inferred',
  evidence: 'naming: user_id → users.id',
  message: 'audit_logs.user_id is int but users.id is bigint "quoted"\nand a new line',
  ...extra,
});

function report(findings: Finding[], errors: Report['errors'] = []): Report {
  return {
    version: 1,
    summary: { shards: 2, databases: 3, tables: 4, findings: { critical: 1, warning: 2, info: 0 }, errors: errors.length, coverage: [{ shard: 'shard-1', databasesMatched: 3, databasesRead: 3, tablesRead: 4, complete: true }] },
    findings,
    errors,
  };
}

/** What formatJson wrote before it was built from pieces: one JSON.stringify of the whole document. */
const expected = (r: Report) =>
  JSON.stringify({ version: r.version, ...(r.partition ? { partition: r.partition } : {}), summary: r.summary, findings: r.findings.map(findingToJson), errors: r.errors }, null, 2) + '\n';

describe('formatJsonChunks', () => {
  it.each([
    ['no findings, no errors', report([])],
    ['no findings, an error', report([], [{ shard: 'shard-2', message: 'connect ECONNREFUSED' }])],
    ['one finding', report([finding(1)])],
    ['a part of a partitioned run', { ...report([finding(2)]), partition: { index: 2, count: 8 } }],
    ['many findings over several pieces, and errors', report(Array.from({ length: 1234 }, (_, i) => finding(i, i === 7 ? { runbook: 'runbooks/x.md', shards: ['a', 'b'] } : {})), [{ shard: 'a', message: 'x' }, { shard: 'b', message: 'y' }])],
  ])('is JSON.stringify(…, 2) of the report, byte for byte: %s', (_label, r) => {
    const chunks = [...formatJsonChunks(r, 100)];
    expect(chunks.join('')).toBe(formatJson(r));
    expect(formatJson(r)).toBe(expected(r));
    if (r.findings.length > 100) expect(chunks.length).toBe(Math.ceil(r.findings.length / 100));
  });
});
