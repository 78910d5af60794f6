/**
 * The explicit list of checks. A check id is public API: renaming one breaks
 * users' baselines, ignore lists and alert rules.
 */
import { fkCapacity } from './fk-capacity.js';
import { fkTypeMismatch } from './fk-type-mismatch.js';
import { pkCapacity } from './pk-capacity.js';
import { pkNarrowType } from './pk-narrow-type.js';
import { polymorphicCapacity } from './polymorphic-capacity.js';
import { sequenceCapacity } from './sequence-capacity.js';
import { shardTypeDrift } from './shard-type-drift.js';
import { vitessLocalAutoIncrement } from './vitess-local-auto-increment.js';
import { checkModes, type Check, type CheckMode } from './types.js';

export const CHECKS: readonly Check[] = [
  pkCapacity,
  fkCapacity,
  fkTypeMismatch,
  pkNarrowType,
  polymorphicCapacity,
  sequenceCapacity,
  vitessLocalAutoIncrement,
  shardTypeDrift,
];

/** The checks a command runs. */
export function checksFor(mode: CheckMode): readonly Check[] {
  return CHECKS.filter((c) => checkModes(c).includes(mode));
}

export function checkById(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
