import { describe, expect, it } from 'vitest';
import type { ShardError, ShardSnapshot, Snapshot } from '../../src/model/types.js';
import { parseSnapshot, serializeSnapshot } from '../../src/snapshot/file.js';
import { SnapshotWriter } from '../../src/snapshot/stream.js';
import { db, shard, table } from './builders.js';

const shards: { snapshot?: ShardSnapshot; error?: ShardError }[] = [
  { snapshot: shard('shard-1', db('ws_001', table('users', { id: 'bigint unsigned auto' }, { autoIncrement: 18446744073709551001n }))) },
  { error: { shard: 'shard-2', message: 'connect ECONNREFUSED 127.0.0.1:3306' } },
  { snapshot: shard('shard-3', db('ws_003', table('plans', { id: 'int auto' }, { autoIncrement: 7n }))), error: { shard: 'shard-3', message: 'read only in part' } },
  { snapshot: shard('shard-4', db('ws_empty')) },
];

function whole(takenAt: string): Snapshot {
  return {
    version: 1,
    takenAt,
    shards: shards.flatMap((r) => (r.snapshot ? [r.snapshot] : [])),
    errors: shards.flatMap((r) => (r.error ? [r.error] : [])),
  };
}

describe('SnapshotWriter', () => {
  it.each([
    ['in inventory order', [0, 1, 2, 3]],
    ['as shards finish, out of order', [2, 0, 3, 1]],
    ['last one first', [3, 2, 1, 0]],
  ])('writes exactly what serializeSnapshot writes, %s', (_label, order) => {
    const chunks: string[] = [];
    const w = new SnapshotWriter('2026-11-22T01:00:00.000Z', shards.length, (t) => chunks.push(t));
    for (const i of order) w.add(i, shards[i]!);
    const errors = w.finish();
    const text = chunks.join('');
    expect(text).toBe(serializeSnapshot(whole('2026-11-22T01:00:00.000Z')));
    expect(errors.map((e) => e.shard)).toEqual(['shard-2', 'shard-3']);
    expect(parseSnapshot(text, 'x.json').shards[0]!.databases[0]!.tables[0]!.autoIncrement).toBe(18446744073709551001n);
  });

  it('writes a shard as soon as those before it are written, and refuses to finish with one missing', () => {
    const chunks: string[] = [];
    const w = new SnapshotWriter('t', 3, (t) => chunks.push(t));
    w.add(1, shards[0]!);
    expect(chunks).toHaveLength(1); // the head only: shard 0 has not arrived
    w.add(0, shards[3]!);
    expect(chunks).toHaveLength(3);
    expect(() => w.finish()).toThrow(/1 shard\(s\) never arrived/);
  });
});
