/**
 * sequence-capacity: a Vitess global sequence feeding a sharded table's key,
 * measured against the NARROWEST type of that column on any shard of the
 * keyspace. When the sequence passes it, every shard rejects inserts at once
 * (Intercom, 14 April 2026). Also reports sequences that are missing, have no
 * row with id 0, or are named in a VSchema but declared nowhere.
 * Doc: docs/checks/sequence-capacity.md
 */
import { formatType, typeMax } from '../model/integers.js';
import { displayRatio } from '../model/ratio.js';
import type { Column, Finding, SequenceProblem, Severity, Snapshot } from '../model/types.js';
import { resolveSequence } from '../vitess/config.js';
import { autoIncrementEntries, findSequence } from '../vitess/sequences.js';
import { capacitySeverity, groupDigits, percent } from './common.js';
import type { Check } from './types.js';

export const sequenceCapacity: Check = {
  id: 'sequence-capacity',
  summary: 'A Vitess global sequence is close to the max of the narrowest column it feeds on any shard.',
  schemaOnly: false,
  run: () => [],
  runFleet({ snapshot, config }) {
    const vitess = config.vitess;
    if (!vitess) return [];
    const out: Finding[] = [];
    for (const ks of vitess.keyspaces) {
      for (const e of autoIncrementEntries(ks)) {
        // The column on every shard of the keyspace that has the table.
        const columns: { shard: string; column: Column }[] = [];
        for (const shardName of ks.shards) {
          const t = snapshot.shards.find((s) => s.name === shardName)?.databases.find((d) => d.name === ks.database)?.tables.find((x) => x.name === e.table);
          const c = t?.columns.find((x) => x.name === e.column);
          if (c) columns.push({ shard: shardName, column: c });
        }
        if (columns.length === 0) continue; // nothing read for this table (a shard error says why)
        const narrowest = columns.reduce((a, b) => (typeMax(b.column) < typeMax(a.column) ? b : a));
        const max = typeMax(narrowest.column);
        const shards = columns.map((c) => c.shard);
        const ref = resolveSequence(vitess, e.sequence);
        const base = {
          id: `sequence-capacity:${ks.name}/${e.table}.${e.column}`,
          check: 'sequence-capacity',
          shard: narrowest.shard,
          database: ks.database,
          table: e.table,
          column: e.column,
          dataType: narrowest.column.dataType,
          unsigned: narrowest.column.unsigned,
          max,
          shards,
        };
        const broken = (problem: SequenceProblem, message: string): Finding => ({ ...base, severity: 'critical', current: null, ratio: null, message, sequenceProblem: problem });
        if (!ref) {
          out.push(broken('undeclared', `${ks.name}.${e.table}.${e.column} takes ids from sequence "${e.sequence}", which no keyspace's VSchema declares as {"type": "sequence"}: inserts into ${e.table} fail on every shard.`));
          continue;
        }
        const state = findSequence(snapshot, vitess, ref);
        // Not looked at (a shard error, or rows never read): say nothing rather than a false critical.
        if (!state.readable) continue;
        const seqName = `${ref.keyspace}.${ref.table}`;
        const withSeq = { ...base, sequence: { keyspace: ref.keyspace, table: ref.table } };
        if (!state.location) {
          out.push({ ...broken('missing-table', `sequence table ${seqName} (for ${ks.name}.${e.table}.${e.column}) was not found on the shards of keyspace ${ref.keyspace}: inserts into ${e.table} fail.`), ...withSeq });
          continue;
        }
        if (!state.row) {
          const others = state.location.table.sequenceRows?.filter((r) => r.id !== 0n).map((r) => String(r.id)) ?? [];
          out.push({
            ...broken(
              'missing-row',
              `sequence table ${seqName} has no row with id = 0 (vttablet reads only that row${others.length ? `; it has id ${others.join(', ')}` : ''}): inserts into ${e.table} fail on every shard.`,
            ),
            ...withSeq,
          });
          continue;
        }
        if (state.current === null) {
          out.push({ ...broken('null-next-id', `sequence table ${seqName} has its row with id = 0, but next_id is NULL: Vitess cannot hand out ids, so inserts into ${e.table} fail on every shard.`), ...withSeq });
          continue;
        }
        const current = state.current;
        const rawCache = state.row.cache;
        // vttablet refuses cache < 1 ("invalid cache value for sequence") and cannot load NULL.
        if (rawCache === null || rawCache < 1n) {
          out.push({
            ...withSeq,
            severity: 'critical',
            current,
            ratio: displayRatio(current, max),
            sequenceProblem: 'bad-cache',
            message: `sequence ${seqName} has cache ${rawCache === null ? 'NULL' : String(rawCache)}: vttablet refuses a cache below 1 ("invalid cache value for sequence"), so every insert into ${e.table} that needs an id fails, on every shard.`,
          });
          continue;
        }
        // Behind the data: ids it will hand out already exist on some shard (duplicate-key errors there).
        const behind = shardsAtOrAbove(snapshot, ks.shards, ks.database, e.table, e.column, current + 1n);
        if (behind.length) {
          const top = behind.reduce((a, b) => (b.max > a.max ? b : a));
          out.push({
            ...withSeq,
            severity: 'critical',
            current,
            ratio: displayRatio(current, max),
            sequenceProblem: 'behind-data',
            message:
              `sequence ${seqName} is behind the data: its next id is ${groupDigits(current + 1n)}, but ${ks.name}.${e.table}.${e.column} already holds ${groupDigits(top.max)} on ${behind.map((b) => b.shard).join(', ')}: ` +
              `the next ids collide there (duplicate-key errors on ${behind.length === 1 ? 'that shard' : 'those shards'}).`,
          });
          continue;
        }
        const cache = rawCache;
        let severity: Severity | undefined = capacitySeverity(current, max, config.thresholds);
        // The primary tablet reserves ids in blocks of `cache`: the next block may run past the max before next_id does.
        const blockEnd = current + cache;
        const blockCrosses = cache > 0n && blockEnd > max && current < max;
        if (blockCrosses) severity = 'critical';
        if (!severity) continue;
        const ratio = displayRatio(current, max);
        const narrow = `${formatType(narrowest.column)} on ${narrowest.shard}`;
        // Which shards fail when it passes: those where the column is as narrow as `max`; the others are already wide.
        const failing = columns.filter((c) => typeMax(c.column) <= max).map((c) => c.shard);
        const wide = columns.filter((c) => typeMax(c.column) > max).map((c) => `${c.shard} (${formatType(c.column)})`);
        const whoFails =
          wide.length === 0
            ? 'every shard rejects inserts at once'
            : `inserts fail on ${failing.join(', ')}, where it is still ${formatType(narrowest.column)} (already wide on ${wide.join(', ')})`;
        out.push({
          ...withSeq,
          severity,
          current,
          ratio,
          message:
            current >= max
              ? `sequence ${seqName} is at ${groupDigits(current)}, ${current === max ? 'the' : 'past the'} max ${groupDigits(max)} of ${ks.name}.${e.table}.${e.column} (${narrow}): ${wide.length ? `inserts fail now on ${failing.join(', ')}, where it is still ${formatType(narrowest.column)} (already wide on ${wide.join(', ')})` : `inserts fail on all ${shards.length} shards now`}.`
              : `sequence ${seqName} feeds ${ks.name}.${e.table}.${e.column} on ${shards.length} shard${shards.length === 1 ? '' : 's'}; it is at ${groupDigits(current)}, ${percent(ratio, false)} of the narrowest column's max ${groupDigits(max)} (${narrow})` +
                (blockCrosses
                  ? `, and its next cache block (cache ${groupDigits(cache)}) ends at ${groupDigits(blockEnd)}, past the max: inserts can fail as soon as that block is reserved${wide.length ? ` (on ${failing.join(', ')}; already wide on ${wide.join(', ')})` : ''}.`
                  : `. When it passes, ${whoFails}.`),
        });
      }
    }
    return out;
  },
};

/** Shards of the keyspace where the column's MAX() is at least `atLeast` (read in the scan; unknown MAX: not counted). */
function shardsAtOrAbove(snapshot: Snapshot, shards: string[], database: string, table: string, column: string, atLeast: bigint): { shard: string; max: bigint }[] {
  const out: { shard: string; max: bigint }[] = [];
  for (const name of shards) {
    const t = snapshot.shards.find((s) => s.name === name)?.databases.find((d) => d.name === database)?.tables.find((x) => x.name === table);
    const v = t?.maxValues[column];
    if (v !== undefined && v !== null && v >= atLeast) out.push({ shard: name, max: v });
  }
  return out;
}
