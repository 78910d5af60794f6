/**
 * pk-capacity: a table's key (its AUTO_INCREMENT column, or a single-column
 * integer primary key) has used a large share of its type's range.
 * Doc: docs/checks/pk-capacity.md
 */
import { formatType, typeMax } from '../model/integers.js';
import { countedKeys } from '../model/keys.js';
import { displayRatio } from '../model/ratio.js';
import type { Finding } from '../model/types.js';
import { capacitySeverity, columnFinding, groupDigits, percent } from './common.js';
import type { Check } from './types.js';

export const pkCapacity: Check = {
  id: 'pk-capacity',
  summary: 'An integer primary key has used most of the range of its type.',
  schemaOnly: false,
  run({ shard, config }) {
    const out: Finding[] = [];
    // Keys fed by a Vitess sequence are left out: sequence-capacity reports them once, fleet-wide.
    for (const { database, table: t, key, current } of countedKeys(shard)) {
      const max = typeMax(key);
      const severity = capacitySeverity(current, max, config.thresholds);
      if (!severity) continue;
      const ratio = displayRatio(current, max);
      const over = current >= max;
      out.push(
        columnFinding('pk-capacity', severity, { shard: shard.name, database, table: t.name }, key, current, over
          ? `${t.name}.${key.name} (${formatType(key)}) is at its maximum ${groupDigits(max)}: inserts into ${t.name} fail now.`
          : `${t.name}.${key.name} (${formatType(key)}) has used ${percent(ratio, current >= max)} of its range: ${groupDigits(current)} of ${groupDigits(max)}; ` +
            `${groupDigits(max - current)} id${max - current === 1n ? '' : 's'} left before inserts into ${t.name} fail.`),
      );
    }
    return out;
  },
};
