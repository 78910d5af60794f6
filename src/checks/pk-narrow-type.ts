/**
 * pk-narrow-type: an integer key narrower than the policy's minimum
 * (default BIGINT), whatever its current value. A lint for schemas before they
 * merge; `headroom scan` does not run it (a live fleet gets pk-capacity instead).
 * Doc: docs/checks/pk-narrow-type.md
 */
import picomatch from 'picomatch';
import { formatType, typeMax } from '../model/integers.js';
import { currentValue, keyColumn } from '../model/keys.js';
import type { Finding } from '../model/types.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import { columnFinding } from './common.js';
import type { Check } from './types.js';

export const pkNarrowType: Check = {
  id: 'pk-narrow-type',
  summary: 'An integer primary key is narrower than the policy minimum (default BIGINT).',
  schemaOnly: true,
  modes: ['lint'],
  run({ shard, config }) {
    const policy = config.policy ?? DEFAULT_POLICY;
    const min = { dataType: policy.minKeyType, unsigned: false };
    const allowed = policy.narrowKeyAllow.length ? picomatch(policy.narrowKeyAllow, { dot: true }) : () => false;
    const out: Finding[] = [];
    for (const d of shard.databases) {
      for (const t of d.tables) {
        const key = keyColumn(t);
        if (!key || typeMax(key) >= typeMax(min)) continue;
        if (allowed(t.name) || allowed(`${d.name}.${t.name}`)) continue;
        out.push(
          columnFinding(
            'pk-narrow-type',
            'warning',
            { shard: shard.name, database: d.name, table: t.name },
            key,
            currentValue(t, key.name),
            `${t.name}.${key.name} is ${formatType(key)} (max ${typeMax(key)}); the policy minimum for keys is ${policy.minKeyType}. ` +
              `Widening later means copying the whole table and every table that references it; if this table stays small, add it to policy.narrowKeyAllow.`,
          ),
        );
      }
    }
    return out;
  },
};
