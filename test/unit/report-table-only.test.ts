/**
 * `scan --only` in the table format: a clean result names the column it is about (the runbooks'
 * Verify step runs it), never "no key near its limit" for a fleet that may still have findings.
 */
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/report/table.js';
import type { Report } from '../../src/model/types.js';

const clean: Report = {
  version: 1,
  summary: { shards: 2, databases: 3, tables: 9, findings: { critical: 0, warning: 0, info: 0 } },
  findings: [],
  errors: [],
} as unknown as Report;

describe('formatTable with --only', () => {
  it('says which column came back clean', () => {
    expect(formatTable(clean, { color: false, only: 'mk_003.listings.id' })).toContain(
      'Scanned 2 shards, 3 databases, 9 tables: no finding for mk_003.listings.id (--only: other columns were not reported).',
    );
    expect(formatTable(clean, { color: false })).toContain('Scanned 2 shards, 3 databases, 9 tables: no key near its limit.');
  });
});

describe('the summary counts what was read', () => {
  it('"Scanned 2 of 3 shards" when one could not be read at all (a shard read in part counts as read)', () => {
    const oneDown = {
      ...clean,
      summary: {
        ...clean.summary,
        shards: 3,
        errors: 2,
        coverage: [
          { shard: 'a', databasesMatched: 2, databasesRead: 2, tablesRead: 5, complete: true },
          { shard: 'b', databasesMatched: 2, databasesRead: 1, tablesRead: 4, complete: false },
          { shard: 'c', databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false },
        ],
      },
      errors: [{ shard: 'b', message: 'only part' }, { shard: 'c', message: 'down' }],
    } as unknown as Report;
    expect(formatTable(oneDown, { color: false })).toContain('Scanned 2 of 3 shards, 3 databases, 9 tables: no finding on the shards that were read.');
  });
});
