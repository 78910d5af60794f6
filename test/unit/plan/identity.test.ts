/**
 * Identity is the column's name, never an object. The streaming catalog builder shares one frozen
 * Column between identical definitions (tenant copies of a table, and any two columns defined
 * alike in one database); a plan built from its catalog must equal the plan built from a snapshot
 * file of the same catalog, where nothing is shared.
 */
import { describe, expect, it } from 'vitest';
import { normalizeCatalog, type RawCatalog } from '../../../src/introspect/normalize.js';
import type { RawColumnRow } from '../../../src/introspect/queries.js';
import { planWidenings } from '../../../src/plan/plan.js';
import { formatPlanJson } from '../../../src/report/plan.js';
import { runChecks } from '../../../src/checks/run.js';
import { parseSnapshot, serializeSnapshot } from '../../../src/snapshot/file.js';
import type { Snapshot } from '../../../src/model/types.js';
import { config } from '../builders.js';

/** Two tenants of one Rails shape: every `id`, `community_id` and `listing_id` is INT NOT NULL, defined alike. */
function raw(): RawCatalog {
  const cat: RawCatalog = { tables: [], columns: [], indexes: [], foreignKeys: [], triggers: [] };
  const col = (db: string, t: string, name: string, position: number, ai = false): RawColumnRow => ({
    db, tableName: t, columnName: name, position, dataType: 'int', columnType: 'int(11)', isNullable: 'NO', extra: ai ? 'auto_increment' : '', columnDefault: null, comment: '',
  });
  for (const [db, hot] of [['mk_001', 2_000_000_000], ['mk_002', 10]] as const) {
    const tables: [string, string[], number][] = [
      ['communities', [], 5],
      ['listings', ['community_id'], hot],
      ['transactions', ['community_id', 'listing_id'], 7],
      ['listing_images', ['listing_id'], 9],
      ['messages', ['community_id'], 11],
    ];
    for (const [t, refs, ai] of tables) {
      cat.tables.push({ db, tableName: t, engine: 'InnoDB', tableRows: 3, dataLength: 16384, indexLength: 0, autoIncrement: ai + 1 });
      cat.columns.push(col(db, t, 'id', 1, true));
      refs.forEach((r, i) => cat.columns.push(col(db, t, r, i + 2)));
      cat.indexes.push({ db, tableName: t, indexName: 'PRIMARY', nonUnique: 0, seq: 1, columnName: 'id' });
    }
  }
  return cat;
}

function snapshotOf(): Snapshot {
  return {
    version: 1,
    takenAt: '2026-12-01T00:00:00.000Z',
    shards: [{ name: 's1', server: { flavor: 'mariadb', version: '10.11.9', binlogFormat: 'ROW', binlogRowImage: 'FULL', readOnly: false, logBin: true }, databases: normalizeCatalog(raw()) }],
    errors: [],
  } as Snapshot;
}

describe('plans identify columns by name, not by shared catalog objects', () => {
  it('the builder does share Column objects here (so the test means something)', () => {
    const s = snapshotOf();
    const [a, b] = s.shards[0]!.databases;
    const cols = (d: typeof a, t: string) => d!.tables.find((x) => x.name === t)!.columns;
    expect(cols(a, 'transactions')[1]).toBe(cols(a, 'messages')[1]); // community_id, same position
    expect(cols(a, 'listings')[0]).toBe(cols(b, 'listings')[0]);
  });

  it('the live-built catalog plans exactly what its snapshot file plans', () => {
    const live = snapshotOf();
    const file = parseSnapshot(serializeSnapshot(live), 'fleet.json');
    const cfg = config();
    const planOf = (s: Snapshot) => formatPlanJson(planWidenings(runChecks(s, cfg).findings, s, cfg));
    expect(planOf(live)).toBe(planOf(file));
    const plan = planWidenings(runChecks(live, cfg).findings, live, cfg);
    const group = plan.plans.find((p) => p.id === 's1/mk_001/listings.id')!;
    expect(group.members.map((m) => `${m.ref.database}.${m.ref.table}.${m.ref.column}`)).toEqual([
      'mk_001.listing_images.listing_id',
      'mk_001.transactions.listing_id',
      'mk_001.listings.id',
    ]);
  });
});
