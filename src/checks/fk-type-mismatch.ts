/**
 * fk-type-mismatch: a referencing column cannot hold every value of the key it
 * references (narrower, or signed under an unsigned key). A wider referencing
 * column is fine and is not reported.
 * Doc: docs/checks/fk-type-mismatch.md
 */
import { formatType, typeMax } from '../model/integers.js';
import { currentValue } from '../model/keys.js';
import { displayRatio } from '../model/ratio.js';
import type { Finding } from '../model/types.js';
import { findingId, groupDigits } from './common.js';
import type { Check } from './types.js';

export const fkTypeMismatch: Check = {
  id: 'fk-type-mismatch',
  summary: 'A column referencing a key has a narrower type than the key.',
  schemaOnly: true,
  run({ shard, catalog, relationships }) {
    const out: Finding[] = [];
    for (const r of relationships) {
      const fromCol = catalog.column(r.from.database, r.from.table, r.from.column);
      const toTable = catalog.table(r.to.database, r.to.table);
      const toCol = toTable?.columns.find((c) => c.name === r.to.column);
      if (!fromCol || !toTable || !toCol) continue;
      const max = typeMax(fromCol);
      // Only the top of the range matters: ids are positive, so an unsigned
      // column under a signed key holds every id the key can hand out.
      if (max >= typeMax(toCol)) continue;
      const current = currentValue(toTable, toCol.name);
      const over = current !== null && current > max;
      const refName = `${r.to.database === r.from.database ? '' : `${r.to.database}.`}${r.to.table}.${r.to.column}`;
      out.push({
        id: findingId('fk-type-mismatch', shard.name, r.from.database, r.from.table, r.from.column),
        check: 'fk-type-mismatch',
        severity: over ? 'critical' : 'warning',
        shard: shard.name,
        database: r.from.database,
        table: r.from.table,
        column: r.from.column,
        dataType: fromCol.dataType,
        unsigned: fromCol.unsigned,
        max,
        current,
        ratio: current === null ? null : displayRatio(current, max),
        references: { database: r.to.database, table: r.to.table, column: r.to.column, dataType: toCol.dataType, unsigned: toCol.unsigned },
        relationSource: r.source,
        evidence: r.evidence,
        message:
          `${r.from.table}.${r.from.column} is ${formatType(fromCol)} but ${refName} is ${formatType(toCol)}: ` +
          `ids above ${groupDigits(max)} cannot be stored` +
          (over ? ` and ${refName} is already at ${groupDigits(current!)}.` : '. Widen it to the key\'s type before the key gets there.'),
      });
    }
    return out;
  },
};
