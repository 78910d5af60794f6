/**
 * polymorphic-capacity: a polymorphic id column (`belongs_to :commentable, polymorphic: true`:
 * `commentable_type` names the class, `commentable_id` holds an id of its table) against every
 * table it can point at — the models that declare `has_many`/`has_one … as: :commentable`. It
 * must hold the ids of ALL of them: ratio = the highest current value among the candidates over
 * the id column's max. Also (the type part, what lint sees without counters) an id column
 * narrower than some candidate's key. Needs a Rails app (`rails:` / `--rails`).
 * Doc: docs/checks/polymorphic-capacity.md
 */
import { formatType, typeMax } from '../model/integers.js';
import { currentValue } from '../model/keys.js';
import { displayRatio } from '../model/ratio.js';
import type { Finding, PolymorphicCandidateValue, Severity } from '../model/types.js';
import { railsForShard } from '../rails/shard.js';
import { capacitySeverity, findingId, groupDigits, percent } from './common.js';
import type { Check } from './types.js';

export const polymorphicCapacity: Check = {
  id: 'polymorphic-capacity',
  summary: 'A polymorphic id column (Rails polymorphic: true) cannot hold the ids of every table it can point at.',
  schemaOnly: false,
  modes: ['scan', 'lint'],
  run({ shard, catalog, config }) {
    const rails = railsForShard(shard, catalog, config);
    if (!rails) return [];
    const out: Finding[] = [];
    for (const p of rails.polymorphic) {
      if (p.candidates.length === 0) continue; // said in relationWarnings
      const col = p.column;
      const max = typeMax(col);
      const values: PolymorphicCandidateValue[] = p.candidates.map((c) => ({
        model: c.candidate.model,
        database: p.database,
        table: c.candidate.table,
        column: c.candidate.column,
        dataType: c.column.dataType,
        unsigned: c.column.unsigned,
        current: currentValue(c.table, c.candidate.column),
        evidence: c.candidate.evidence,
      }));
      // Worst first: highest current value (unknown last), then by table.
      values.sort((a, b) => (a.current === b.current ? (a.table < b.table ? -1 : 1) : a.current === null ? 1 : b.current === null ? -1 : a.current > b.current ? -1 : 1));
      const worst = values[0]!;
      const current = worst.current;
      const wider = values.filter((v) => typeMax(v) > max);
      let severity: Severity | undefined = current === null ? undefined : capacitySeverity(current, max, config.thresholds);
      if (!severity && current !== null && current > max) severity = 'critical';
      // The type part: a candidate whose key can hand out ids this column cannot hold.
      if (!severity && wider.length > 0) severity = 'warning';
      if (!severity) continue;
      // The key the finding is about (the planner's group): the fullest candidate, or the widest when no value is known.
      const key = current === null && wider.length ? wider.reduce((a, b) => (typeMax(b) > typeMax(a) ? b : a)) : worst;
      const list = values.map((v) => `${v.table}.${v.column} (${formatType(v)}${v.current === null ? '' : `, at ${groupDigits(v.current)}`})`).join(', ');
      const name = `${p.pair.table}.${p.pair.idColumn}`;
      const head = `${name} (${formatType(col)}) is polymorphic (${p.pair.evidence.replace(/^\S+ /, '')}): it stores ids of ${list}`;
      const tail =
        current !== null && current > max
          ? `; ${worst.table}.${worst.column} is already at ${groupDigits(current)}, above this column's max ${groupDigits(max)}: writes of new ${worst.table} ids into ${p.pair.table} fail now.`
          : current !== null && capacitySeverity(current, max, config.thresholds)
            ? `; the highest, ${worst.table}.${worst.column} at ${groupDigits(current)}, is ${percent(displayRatio(current, max), current >= max)} of this column's max ${groupDigits(max)}.`
            : `; ${wider.map((v) => `${v.table}.${v.column}`).join(', ')} ${wider.length === 1 ? 'is' : 'are'} wider than this column: ids above ${groupDigits(max)} cannot be stored. Widen it to the widest candidate's type before any of them gets there.`;
      out.push({
        id: findingId('polymorphic-capacity', shard.name, p.database, p.pair.table, p.pair.idColumn),
        check: 'polymorphic-capacity',
        severity,
        shard: shard.name,
        database: p.database,
        table: p.pair.table,
        column: p.pair.idColumn,
        dataType: col.dataType,
        unsigned: col.unsigned,
        max,
        current,
        ratio: current === null ? null : displayRatio(current, max),
        references: { database: p.database, table: key.table, column: key.column, dataType: key.dataType, unsigned: key.unsigned },
        relationSource: 'model',
        evidence: p.pair.evidence,
        message: head + tail,
        candidates: values,
      });
    }
    return out;
  },
};
