/**
 * How far every key and every referencing column has got, for `--format prometheus`: what
 * pk-capacity and fk-capacity measure, before any threshold, so a key can be graphed long before
 * it becomes a finding (mysqld_exporter users expect a gauge for every auto-increment column).
 *
 * Tenant fleets repeat the same tables in thousands of databases. Grouped (the default), a shard
 * gets one entry per table × column × check, carrying the worst database's value — the way the
 * table output folds findings — so 5,000 tenant databases do not make 5,000 series. Per database
 * (`perDatabase`), every database's column is its own entry.
 *
 * Pure; fed one shard at a time while the shard is at hand (scan lets each shard go after it is
 * checked), or from a whole snapshot.
 */
import type { CheckConfig } from '../config/types.js';
import { typeMax } from '../model/integers.js';
import { countedKeys, currentValue } from '../model/keys.js';
import type { ShardSnapshot, Snapshot } from '../model/types.js';
import { resolveRelationships, ShardCatalog } from '../relations/relationships.js';
import { applySequences } from '../vitess/sequences.js';

export interface KeyUsage {
  shard: string;
  /** The database; null when grouped (the value is then the worst database's). */
  database: string | null;
  table: string;
  column: string;
  /** `pk-capacity`: the table's own key; `fk-capacity`: a column storing another key's ids (current is that key's). */
  check: 'pk-capacity' | 'fk-capacity';
  current: bigint;
  max: bigint;
}

export class KeyUsageCollector {
  /** Shard → entry key → usage. A shard added again replaces its entries. */
  private readonly byShard = new Map<string, Map<string, KeyUsage>>();

  constructor(
    private readonly config: CheckConfig,
    private readonly perDatabase = false,
  ) {}

  addShard(shard: ShardSnapshot): void {
    const entries = new Map<string, KeyUsage>();
    const put = (u: KeyUsage) => {
      const k = `${u.database ?? ''}\u0000${u.table}\u0000${u.column}\u0000${u.check}`;
      const prev = entries.get(k);
      // current / max, compared exactly: the worst database (or relationship) wins, the first on a tie.
      if (!prev || u.current * prev.max > prev.current * u.max) entries.set(k, u);
    };
    const database = (name: string) => (this.perDatabase ? name : null);
    // The keys pk-capacity measures (a sequence-fed key is sequence-capacity's, fleet-wide).
    for (const k of countedKeys(shard)) {
      put({ shard: shard.name, database: database(k.database), table: k.table.name, column: k.key.name, check: 'pk-capacity', current: k.current, max: typeMax(k.key) });
    }
    const catalog = new ShardCatalog(shard);
    for (const r of resolveRelationships(shard, this.config, catalog)) {
      const fromCol = catalog.column(r.from.database, r.from.table, r.from.column);
      const toTable = catalog.table(r.to.database, r.to.table);
      if (!fromCol || !toTable || !toTable.columns.some((c) => c.name === r.to.column)) continue;
      const current = currentValue(toTable, r.to.column);
      if (current === null) continue;
      put({ shard: shard.name, database: database(r.from.database), table: r.from.table, column: r.from.column, check: 'fk-capacity', current, max: typeMax(fromCol) });
    }
    this.byShard.set(shard.name, entries);
  }

  /** Every shard's entries, in the order shards were added; within a shard by table, column, check, database. */
  series(): KeyUsage[] {
    const out: KeyUsage[] = [];
    for (const entries of this.byShard.values()) {
      const list = [...entries.values()];
      list.sort((a, b) => cmp(a.table, b.table) || cmp(a.column, b.column) || cmp(a.check, b.check) || cmp(a.database ?? '', b.database ?? ''));
      out.push(...list);
    }
    return out;
  }
}

/** The usage of every shard of a snapshot (Vitess sequences applied, as the checks see them). */
export function keyUsageOf(snapshot: Snapshot, config: CheckConfig, perDatabase = false): KeyUsage[] {
  const seen = config.vitess ? applySequences(snapshot, config.vitess) : snapshot;
  const collector = new KeyUsageCollector(config, perDatabase);
  for (const s of seen.shards) collector.addShard(s);
  return collector.series();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
