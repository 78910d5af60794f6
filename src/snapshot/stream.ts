/**
 * `headroom snapshot` written shard by shard: each shard is serialized as soon as it is read (and
 * its turn in inventory order has come), then let go, so writing a fleet's snapshot never holds
 * the fleet's catalog, nor its whole JSON text, in memory. The bytes are exactly what
 * `serializeSnapshot` writes for the same snapshot.
 */
import type { PartOf, ShardError, ShardSnapshot } from '../model/types.js';
import { SNAPSHOT_FORMAT } from './file.js';

const bigints = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

export class SnapshotWriter {
  private next = 0;
  private wroteShard = false;
  private readonly waiting = new Map<number, { snapshot?: ShardSnapshot; error?: ShardError }>();
  private readonly errors: ShardError[] = [];

  /** `write` gets the text in order; `shards`: how many results `add` will get (indexes 0 … shards − 1). */
  constructor(
    takenAt: string,
    private readonly shards: number,
    private readonly write: (text: string) => void,
    partition?: PartOf,
  ) {
    const part = partition ? `"partition":${JSON.stringify({ index: partition.index, count: partition.count })},` : '';
    write(`{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"version":1,"takenAt":${JSON.stringify(takenAt)},${part}"shards":[`);
  }

  /** One shard's result, in any order: written when every shard before it in the inventory is. */
  add(index: number, result: { snapshot?: ShardSnapshot; error?: ShardError }): void {
    this.waiting.set(index, result);
    for (let r = this.waiting.get(this.next); r; r = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      if (r.snapshot) {
        this.write((this.wroteShard ? ',' : '') + JSON.stringify(r.snapshot, bigints));
        this.wroteShard = true;
      }
      if (r.error) this.errors.push(r.error);
    }
  }

  /** The errors, the end of the document; returns the errors (in inventory order). */
  finish(): ShardError[] {
    if (this.next !== this.shards) throw new Error(`snapshot writer: ${this.shards - this.next} shard(s) never arrived`);
    this.write(`],"errors":${JSON.stringify(this.errors)}}\n`);
    return this.errors;
  }
}
