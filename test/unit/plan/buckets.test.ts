/**
 * Buckets (src/plan/buckets.ts): the planner's flat index of items by a key object.
 */
import { describe, expect, it } from 'vitest';
import { Buckets } from '../../../src/plan/buckets.js';

describe('Buckets', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  const c = { name: 'c' };

  it('groups items by key, each group in item order', () => {
    const keys = [a, b, a, undefined, c, a, b];
    const buckets = new Buckets(keys);
    expect([...buckets.get(a)]).toEqual([0, 2, 5]);
    expect([...buckets.get(b)]).toEqual([1, 6]);
    expect([...buckets.get(c)]).toEqual([4]);
    expect(buckets.size).toBe(3);
  });

  it('leaves out items without a key, and has nothing for a key it never saw', () => {
    const buckets = new Buckets<object>([undefined, undefined, undefined]);
    expect(buckets.size).toBe(0);
    expect([...buckets.get(a)]).toEqual([]);
  });

  it('keys by identity, not by value', () => {
    const twin = { name: 'a' };
    const buckets = new Buckets([a, twin]);
    expect([...buckets.get(a)]).toEqual([0]);
    expect([...buckets.get(twin)]).toEqual([1]);
  });

  it('handles no items', () => {
    expect([...new Buckets<object>([]).get(a)]).toEqual([]);
  });
});
