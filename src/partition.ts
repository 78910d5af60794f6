/**
 * `--partition i/n`: a stable share of the fleet's (shard, database) pairs, so a
 * CI matrix or a job scheduler can fan a scan out over several processes. Pure.
 */
import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

export interface Partition {
  /** 1-based. */
  index: number;
  count: number;
}

export function parsePartition(text: string): Partition {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || count > 10000) {
    throw new UsageError(`--partition ${text}: expected i/n with 1 ≤ i ≤ n (e.g. 2/8)`);
  }
  return { index, count };
}

/** Deterministic: the same (shard, database) always lands in the same part, whatever else the fleet holds. */
export function inPartition(shard: string, database: string, p: Partition): boolean {
  if (p.count === 1) return true;
  const h = Number.parseInt(createHash('sha256').update(`${shard}/${database}`).digest('hex').slice(0, 8), 16);
  return h % p.count === p.index - 1;
}

