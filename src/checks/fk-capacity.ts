/**
 * fk-capacity: a column that stores ids of another table's key is small
 * compared with how far that key has got: ratio = referenced current / own max.
 * This is the February 2024 Intercom outage: message_threads.id was already
 * BIGINT, four INT columns referencing it were not.
 * Doc: docs/checks/fk-capacity.md
 */
import { formatType, typeMax } from '../model/integers.js';
import { currentValue } from '../model/keys.js';
import { displayRatio } from '../model/ratio.js';
import type { Finding } from '../model/types.js';
import { capacitySeverity, findingId, groupDigits, percent } from './common.js';
import type { Check } from './types.js';

export const fkCapacity: Check = {
  id: 'fk-capacity',
  summary: 'A column referencing a key cannot hold the ids that key is handing out soon.',
  schemaOnly: false,
  run({ shard, catalog, relationships, config }) {
    const out: Finding[] = [];
    for (const r of relationships) {
      const fromCol = catalog.column(r.from.database, r.from.table, r.from.column);
      const toTable = catalog.table(r.to.database, r.to.table);
      const toCol = toTable?.columns.find((c) => c.name === r.to.column);
      if (!fromCol || !toTable || !toCol) continue;
      const current = currentValue(toTable, toCol.name);
      if (current === null) continue;
      const max = typeMax(fromCol);
      const severity = capacitySeverity(current, max, config.thresholds);
      if (!severity) continue;
      const ratio = displayRatio(current, max);
      const refName = `${r.to.database === r.from.database ? '' : `${r.to.database}.`}${r.to.table}.${r.to.column}`;
      const how = r.source === 'declared' ? `declared by ${r.evidence}` : r.source === 'configured' ? 'configured in relationships' : r.source === 'model' ? `declared in the models: ${r.evidence}` : r.source === 'vschema' ? `co-located in the VSchema` : `inferred from its name`;
      const head = `${r.from.table}.${r.from.column} (${formatType(fromCol)}) stores ids of ${refName} (${formatType(toCol)}, ${how})`;
      // A key fed by a Vitess sequence: the number is the sequence's (every shard's next ids), say so.
      const seq = toTable.sequence;
      const fromSeq = seq && seq.column === toCol.name && seq.current !== null && seq.current === current ? ` (from sequence ${seq.name}: next id ${groupDigits(current + 1n)})` : '';
      out.push({
        id: findingId('fk-capacity', shard.name, r.from.database, r.from.table, r.from.column),
        check: 'fk-capacity',
        severity,
        shard: shard.name,
        database: r.from.database,
        table: r.from.table,
        column: r.from.column,
        dataType: fromCol.dataType,
        unsigned: fromCol.unsigned,
        max,
        current,
        ratio,
        references: { database: r.to.database, table: r.to.table, column: r.to.column, dataType: toCol.dataType, unsigned: toCol.unsigned },
        relationSource: r.source,
        evidence: r.evidence,
        message:
          current > max
            ? `${head}, which is already at ${groupDigits(current)}${fromSeq}, above this column's max ${groupDigits(max)}: ` +
              `writes of new ${r.to.table} ids into ${r.from.table} fail now.`
            : `${head}, which is at ${groupDigits(current)}${fromSeq}: ${percent(ratio, current >= max)} of this column's max ${groupDigits(max)}.`,
      });
    }
    return out;
  },
};
