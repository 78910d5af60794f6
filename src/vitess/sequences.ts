/**
 * Connects sharded Vitess tables to the global sequences that feed them. Pure.
 *
 * Sharded tables have no AUTO_INCREMENT of their own: their ids come from a
 * one-row sequence table in an unsharded keyspace, so when the sequence passes
 * a column's max, every shard rejects inserts at the same instant (Intercom,
 * 14 April 2026).
 */
import type { SequenceRow, ShardSnapshot, Snapshot, Table } from '../model/types.js';
import { resolveSequence, type KeyspaceConfig, type SequenceRef, type VitessConfig } from './config.js';

export interface SequenceState {
  ref: SequenceRef;
  /** false when the sequence could not be looked at: a shard of its keyspace was not read, or its rows were never read (snapshot taken without `vitess:`). */
  readable: boolean;
  /** Where it was found: shard and database; undefined when the table is on none of its keyspace's shards. */
  location?: { shard: string; database: string; table: Table };
  /** The row with id = 0, if any. */
  row?: SequenceRow;
  /** next_id − 1 (ids up to it may already be handed out). */
  current: bigint | null;
}

export function findSequence(snapshot: Snapshot, vitess: VitessConfig, ref: SequenceRef): SequenceState {
  const ks = vitess.keyspaces.find((k) => k.name === ref.keyspace);
  let allRead = true;
  for (const shardName of ks?.shards ?? []) {
    const shard = snapshot.shards.find((s) => s.name === shardName);
    if (!shard) {
      allRead = false; // in snapshot.errors: its error already says why nothing was read
      continue;
    }
    const table = shard.databases.find((d) => d.name === ks!.database)?.tables.find((t) => t.name === ref.table);
    if (!table) continue;
    const row = table.sequenceRows?.find((r) => r.id === 0n);
    const current = row?.nextId === null || row?.nextId === undefined ? null : row.nextId - 1n;
    return { ref, readable: table.sequenceRows !== undefined, location: { shard: shard.name, database: ks!.database, table }, ...(row ? { row } : {}), current };
  }
  return { ref, readable: allRead, current: null };
}

/** The sharded keyspaces' auto_increment entries: table, column, sequence name. */
export function autoIncrementEntries(ks: KeyspaceConfig): { table: string; column: string; sequence: string }[] {
  if (!ks.vschema.sharded) return [];
  return Object.entries(ks.vschema.tables ?? {})
    .filter(([, t]) => t.auto_increment)
    .map(([table, t]) => ({ table, column: t.auto_increment!.column, sequence: t.auto_increment!.sequence }));
}

/** A copy of the snapshot where every sequence-backed table carries its sequence's current value. */
export function applySequences(snapshot: Snapshot, vitess: VitessConfig): Snapshot {
  const updates = new Map<string, Map<string, Table['sequence']>>(); // shard → "db\0table" → sequence
  for (const ks of vitess.keyspaces) {
    for (const e of autoIncrementEntries(ks)) {
      const ref = resolveSequence(vitess, e.sequence);
      if (!ref) continue;
      const state = findSequence(snapshot, vitess, ref);
      for (const shard of ks.shards) {
        let m = updates.get(shard);
        if (!m) updates.set(shard, (m = new Map()));
        m.set(`${ks.database}\u0000${e.table}`, {
          keyspace: ks.name,
          name: `${ref.keyspace}.${ref.table}`,
          column: e.column,
          current: state.current,
          cache: state.row?.cache ?? null,
        });
      }
    }
  }
  if (updates.size === 0) return snapshot;
  return {
    ...snapshot,
    shards: snapshot.shards.map((s): ShardSnapshot => {
      const m = updates.get(s.name);
      if (!m) return s;
      return {
        ...s,
        databases: s.databases.map((d) => ({
          ...d,
          tables: d.tables.map((t) => {
            const seq = m.get(`${d.name}\u0000${t.name}`);
            return seq ? { ...t, sequence: seq } : t;
          }),
        })),
      };
    }),
  };
}
