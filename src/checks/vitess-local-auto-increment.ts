/**
 * vitess-local-auto-increment: a table of a SHARDED Vitess keyspace whose key is
 * AUTO_INCREMENT in MySQL: each shard counts on its own, so the same id is handed
 * out on several shards. Sharded tables should take ids from a sequence.
 * Doc: docs/checks/vitess-local-auto-increment.md
 */
import type { Finding } from '../model/types.js';
import { columnFinding } from './common.js';
import type { Check } from './types.js';

export const vitessLocalAutoIncrement: Check = {
  id: 'vitess-local-auto-increment',
  summary: 'A table of a sharded Vitess keyspace counts ids with MySQL AUTO_INCREMENT on each shard.',
  schemaOnly: true,
  run: () => [],
  runFleet({ snapshot, config }) {
    const out: Finding[] = [];
    for (const ks of config.vitess?.keyspaces ?? []) {
      if (!ks.vschema.sharded) continue;
      for (const shardName of ks.shards) {
        const d = snapshot.shards.find((s) => s.name === shardName)?.databases.find((x) => x.name === ks.database);
        for (const t of d?.tables ?? []) {
          const c = t.columns.find((x) => x.autoIncrement);
          if (!c) continue;
          const seq = ks.vschema.tables?.[t.name]?.auto_increment;
          out.push(
            columnFinding(
              'vitess-local-auto-increment',
              'warning',
              { shard: shardName, database: ks.database, table: t.name },
              c,
              t.autoIncrement === null ? null : t.autoIncrement - 1n,
              `${ks.name}.${t.name}.${c.name} is AUTO_INCREMENT on shard ${shardName} of sharded keyspace ${ks.name}: each shard counts on its own, so ids repeat across shards` +
                (seq ? ` (the VSchema also names sequence ${seq.sequence}; drop AUTO_INCREMENT from the MySQL column).` : '. Back it with a Vitess sequence (VSchema auto_increment) instead.'),
              false,
            ),
          );
        }
      }
    }
    return out;
  },
};
