/**
 * shard-type-drift: an integer column whose type differs between shards of one
 * sharded Vitess keyspace — usually a widening that finished on some shards and
 * not others. The narrowest shard fails first.
 * Doc: docs/checks/shard-type-drift.md
 */
import { formatType, typeMax } from '../model/integers.js';
import type { Column, Finding } from '../model/types.js';
import { findingId } from './common.js';
import type { Check } from './types.js';

export const shardTypeDrift: Check = {
  id: 'shard-type-drift',
  summary: 'An integer column has different types on different shards of one Vitess keyspace (a half-finished migration).',
  schemaOnly: true,
  run: () => [],
  runFleet({ snapshot, config }) {
    const out: Finding[] = [];
    for (const ks of config.vitess?.keyspaces ?? []) {
      if (ks.shards.length < 2) continue;
      const seen = new Map<string, { shard: string; column: Column }[]>();
      for (const shardName of ks.shards) {
        const d = snapshot.shards.find((s) => s.name === shardName)?.databases.find((x) => x.name === ks.database);
        for (const t of d?.tables ?? []) {
          for (const c of t.columns) {
            const k = `${t.name}.${c.name}`;
            seen.set(k, [...(seen.get(k) ?? []), { shard: shardName, column: c }]);
          }
        }
      }
      for (const [k, list] of seen) {
        const types = new Set(list.map((x) => formatType(x.column)));
        if (types.size < 2) continue;
        const narrowest = list.reduce((a, b) => (typeMax(b.column) < typeMax(a.column) ? b : a));
        const [table, column] = k.split('.') as [string, string];
        out.push({
          id: findingId('shard-type-drift', ks.name, ks.database, table, column),
          check: 'shard-type-drift',
          severity: 'warning',
          shard: narrowest.shard,
          database: ks.database,
          table,
          column,
          dataType: narrowest.column.dataType,
          unsigned: narrowest.column.unsigned,
          max: typeMax(narrowest.column),
          current: null,
          ratio: null,
          shards: list.map((x) => x.shard),
          message:
            `${ks.name}.${k} differs between shards: ${list.map((x) => `${formatType(x.column)} on ${x.shard}`).join(', ')}. ` +
            'A widening that did not finish everywhere? The narrowest shard fails first; finish it on every shard.',
        });
      }
    }
    return out;
  },
};
