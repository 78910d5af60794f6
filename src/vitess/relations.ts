/**
 * References the VSchema already tells (relationSource "vschema"). Pure.
 *
 * - Co-location: in a sharded keyspace, a table whose primary vindex (its first column vindex) is
 *   the vindex of a sequence-backed key's table, on a column of the same name as that key, stores
 *   that key's ids: Vitess routes its rows by them (`corder.customer_id` with `hash`, like
 *   `customer.customer_id` with `hash`).
 * - Lookup vindexes with an owner: the lookup table's `from` column (params.table / params.from)
 *   stores the values of the owner table's column that uses the vindex.
 *
 * Only references inside one keyspace's database on one shard are returned (the planner and the
 * checks match references within one server's catalog).
 */
import type { VitessConfig } from './config.js';

export interface VSchemaReference {
  database: string;
  from: { table: string; column: string };
  to: { table: string; column: string };
  evidence: string;
}

export function vschemaReferences(vitess: VitessConfig | undefined, shard: string): VSchemaReference[] {
  if (!vitess) return [];
  const out: VSchemaReference[] = [];
  for (const ks of vitess.keyspaces) {
    if (!ks.vschema.sharded || !ks.shards.includes(shard)) continue;
    const tables = ks.vschema.tables ?? {};
    const primary = (t: string) => tables[t]?.column_vindexes?.[0];
    for (const [keyTable, t] of Object.entries(tables)) {
      const ai = t.auto_increment;
      const pv = primary(keyTable);
      if (!ai || !pv || pv.columns.length !== 1 || pv.columns[0] !== ai.column) continue;
      for (const [other, o] of Object.entries(tables)) {
        if (other === keyTable) continue;
        const ov = primary(other);
        if (!ov || ov.name !== pv.name || ov.columns.length !== 1 || ov.columns[0] !== ai.column) continue;
        // The column is the other table's own key when it has its own sequence on it: not a reference.
        if (o.auto_increment?.column === ai.column) continue;
        out.push({
          database: ks.database,
          from: { table: other, column: ai.column },
          to: { table: keyTable, column: ai.column },
          evidence: `${ks.name}.${other} is sharded by vindex ${pv.name}(${ai.column}), like ${keyTable}.${ai.column}, whose ids come from sequence ${ai.sequence}`,
        });
      }
    }
    for (const [name, v] of Object.entries(ks.vschema.vindexes ?? {})) {
      const lookup = v.params?.table;
      const fromCol = v.params?.from;
      if (!v.owner || !lookup || !fromCol) continue;
      // The owner's column that uses this vindex.
      const ownerVindex = tables[v.owner]?.column_vindexes?.find((c) => c.name === name);
      if (!ownerVindex || ownerVindex.columns.length !== 1) continue;
      const [lkKeyspace, lkTable] = lookup.includes('.') ? [lookup.split('.')[0]!, lookup.split('.').slice(1).join('.')] : [ks.name, lookup];
      if (lkKeyspace !== ks.name) continue; // another keyspace: another database (often another server)
      const fromColumn = fromCol.split(',')[0]!.trim();
      out.push({
        database: ks.database,
        from: { table: lkTable, column: fromColumn },
        to: { table: v.owner, column: ownerVindex.columns[0]! },
        evidence: `lookup vindex ${name} (owner ${v.owner}) keeps ${v.owner}.${ownerVindex.columns[0]} in ${lkTable}.${fromColumn}`,
      });
    }
  }
  return out;
}
