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

describe('narrow terminals and scripts', () => {
  it('under 100 columns the table is compact and fits; tsv is one finding per line', async () => {
    const { loadSnapshot } = await import('../../src/snapshot/file.js');
    const { loadInventory } = await import('../../src/config/inventory.js');
    const { scanSnapshot } = await import('../../src/scan.js');
    const { formatTsv } = await import('../../src/report/tsv.js');
    const inv = await loadInventory('fixtures/demo.yaml', {});
    const report = scanSnapshot(await loadSnapshot('fixtures/demo-fleet.json'), inv);
    const table = formatTable(report, { color: false, width: 80 }).split('\n');
    const body = table.slice(0, table.findIndex((l) => l.startsWith('Scanned')));
    expect(Math.max(...body.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(body[1]).toMatch(/│ sev +│ finding +│ used +│ worst at +│/);
    const tsv = formatTsv(report).trimEnd().split('\n');
    expect(tsv[0]).toBe('severity\tcheck\tshard\tdatabase\ttable\tcolumn\ttype\tcurrent\tmax\tratio\treferences\tsource\tmessage');
    expect(tsv).toHaveLength(report.findings.length + 1);
    expect(tsv.every((l) => l.split('\t').length === 13)).toBe(true);
  });
});
