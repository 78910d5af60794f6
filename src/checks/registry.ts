/**
 * The explicit list of checks. A check id is public API: renaming one breaks
 * users' baselines, ignore lists and alert rules.
 */
import { fkCapacity } from './fk-capacity.js';
import { fkTypeMismatch } from './fk-type-mismatch.js';
import { pkCapacity } from './pk-capacity.js';
import type { Check } from './types.js';

export const CHECKS: readonly Check[] = [pkCapacity, fkCapacity, fkTypeMismatch];

export function checkById(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
