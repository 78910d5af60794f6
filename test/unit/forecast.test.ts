/**
 * The forecast on synthetic series: steady, accelerating, one outlier, one jump, too few points,
 * and the cases around them (reset, flat, bursty growth, values above 2^53).
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, exhaustion, growthRate, theilSen, type Point } from '../../src/forecast/forecast.js';

const T0 = Date.UTC(2024, 0, 1);
const ASOF = T0 + 29 * DAY_MS;
const INT_MAX = 2147483647n;
const opts = { asOf: ASOF, windowDays: 30 };

/** One point a day for days 0..29 (the scan is on day 29). */
function daily(value: (day: number) => bigint, days = 30): Point[] {
  return Array.from({ length: days }, (_, d) => ({ at: T0 + d * DAY_MS, value: value(d) }));
}

const steady = (d: number) => 1_000_000_000n + 5_000_000n * BigInt(d);

describe('growthRate', () => {
  it('steady growth: the exact rate, and days left from the current value', () => {
    const r = growthRate(daily(steady), opts);
    expect(r).toMatchObject({ status: 'ok', observations: 30, notes: [] });
    expect(r.idsPerDay).toBeCloseTo(5_000_000, 6);
    const current = steady(29);
    const e = exhaustion(current, INT_MAX, r.idsPerDay, ASOF);
    expect(e.daysLeft).toBeCloseTo(Number(INT_MAX - current) / 5_000_000, 9);
    // 1,002,483,647 ids at 5M/day = 200.5 days after 2024-01-30.
    expect(e.date).toBe('2024-08-17');
  });

  it('accelerating growth: judged by the recent half of the window, not the whole window', () => {
    const series = daily((d) => 1_000_000n + 100_000n * BigInt(d * d));
    const r = growthRate(series, opts);
    const wholeWindow = theilSen(series) * DAY_MS;
    expect(r.status).toBe('ok');
    expect(r.idsPerDay!).toBeGreaterThan(wholeWindow * 1.3);
    // The true slope on day 29 is 5.8M/day; the recent half's median slope is 4.4M/day.
    expect(r.idsPerDay!).toBeGreaterThan(4_000_000);
    expect(r.idsPerDay!).toBeLessThanOrEqual(5_800_000);
    expect(r.notes.join()).toMatch(/speeding up/);
  });

  it('one outlier below its neighbours (a stale read) is ignored', () => {
    const series = daily(steady);
    series[10] = { at: series[10]!.at, value: steady(3) };
    const r = growthRate(series, opts);
    expect(r.idsPerDay).toBeCloseTo(5_000_000, 6);
    expect(r.observations).toBe(29);
    expect(r.notes.join()).toMatch(/out of order.*2024-01-11/);
  });

  it('one outlier above its neighbours is ignored', () => {
    const series = daily(steady);
    series[12] = { at: series[12]!.at, value: steady(12) + 900_000_000n };
    expect(growthRate(series, opts).idsPerDay).toBeCloseTo(5_000_000, 6);
  });

  it('one outlier that stays in order (slightly off the line) does not move the Theil–Sen rate', () => {
    const series = daily(steady);
    series[12] = { at: series[12]!.at, value: steady(12) + 4_000_000n };
    const r = growthRate(series, opts);
    expect(r.idsPerDay).toBeCloseTo(5_000_000, 6);
    expect(r.notes).toEqual([]);
  });

  it('a one-time jump (a bogus explicit id) is not a rate, but its ids stay burned', () => {
    const jump = 600_000_000n;
    const series = daily((d) => steady(d) + (d >= 15 ? jump : 0n));
    const r = growthRate(series, opts);
    expect(r.idsPerDay).toBeCloseTo(5_000_000, 6);
    expect(r.notes.join()).toMatch(/one-time jump of 600000000 ids between 2024-01-15 and 2024-01-16/);
    const current = series[29]!.value;
    expect(exhaustion(current, INT_MAX, r.idsPerDay, ASOF).daysLeft).toBeCloseTo(Number(INT_MAX - current) / 5_000_000, 9);
  });

  it('a jump in the last interval: its ids count against the days left, not (yet) as a rate', () => {
    const series = daily((d) => steady(d) + (d === 29 ? 600_000_000n : 0n));
    const r = growthRate(series, opts);
    expect(r.idsPerDay).toBeCloseTo(5_000_000, 6);
    expect(r.notes.join()).toMatch(/last interval grew 121× faster.*until the next scans/);
    const e = exhaustion(series[29]!.value, INT_MAX, r.idsPerDay, ASOF);
    expect(e.daysLeft).toBeCloseTo(Number(INT_MAX - series[29]!.value) / 5_000_000, 9);
  });

  it('two bursts are bursty growth, not a one-time jump: both count', () => {
    const series = daily((d) => steady(d) + (d >= 10 ? 300_000_000n : 0n) + (d >= 20 ? 300_000_000n : 0n));
    const r = growthRate(series, opts);
    expect(r.notes.join()).not.toMatch(/jump/);
    expect(r.idsPerDay!).toBeGreaterThan(5_000_000);
  });

  it('too few points: unknown, never a guess', () => {
    expect(growthRate([], opts)).toMatchObject({ status: 'unknown', idsPerDay: null, observations: 0 });
    expect(growthRate([{ at: ASOF, value: 5n }], opts)).toMatchObject({ status: 'unknown', idsPerDay: null, observations: 1 });
    // The same time twice is one observation.
    expect(growthRate([{ at: ASOF, value: 5n }, { at: ASOF, value: 7n }], opts)).toMatchObject({ status: 'unknown', observations: 1 });
    // Outside the window (31 days before the scan) does not count.
    expect(growthRate([{ at: ASOF - 31 * DAY_MS, value: 1n }, { at: ASOF, value: 7n }], opts)).toMatchObject({ status: 'unknown', observations: 1 });
    const u = growthRate([{ at: ASOF, value: 5n }], opts);
    expect(u.notes.at(-1)).toBe('1 usable observation in the last 30 days; a rate needs 2');
    expect(exhaustion(5n, INT_MAX, u.idsPerDay, ASOF)).toEqual({ daysLeft: null, date: null });
  });

  it('two points: their slope', () => {
    const r = growthRate([{ at: ASOF - 2 * DAY_MS, value: 1000n }, { at: ASOF, value: 5000n }], opts);
    expect(r).toMatchObject({ status: 'ok', idsPerDay: 2000, observations: 2 });
  });

  it('a flat counter is not growing: no days left', () => {
    const r = growthRate(daily(() => 42n), opts);
    expect(r.status).toBe('not-growing');
    expect(exhaustion(42n, INT_MAX, r.idsPerDay, ASOF).daysLeft).toBeNull();
  });

  it('a counter that went down was reset: only what follows counts', () => {
    const series = daily((d) => (d < 20 ? steady(d) : 1000n + 2_000n * BigInt(d - 20)));
    const r = growthRate(series, opts);
    expect(r.observations).toBe(10);
    expect(r.idsPerDay).toBeCloseTo(2000, 6);
    expect(r.notes.join()).toMatch(/went down on 2024-01-21/);
  });

  it('keeps at most 120 points (thinned) and still finds the rate', () => {
    const points = Array.from({ length: 2000 }, (_, i) => ({ at: ASOF - (1999 - i) * 20 * 60_000, value: 1_000_000n + BigInt(i) * 1000n }));
    const r = growthRate(points, opts);
    expect(r.observations).toBeLessThanOrEqual(120);
    expect(r.idsPerDay).toBeCloseTo(1000 * 72, 3); // 1000 ids every 20 minutes
  });

  it('BIGINT UNSIGNED above 2^53: days left from exact integers', () => {
    const max = 18446744073709551615n;
    const series = daily((d) => 18446744000000000000n + 1_000_000_000n * BigInt(d));
    const r = growthRate(series, opts);
    expect(r.idsPerDay).toBeCloseTo(1e9, -3);
    const current = series[29]!.value;
    const e = exhaustion(current, max, r.idsPerDay, ASOF);
    expect(e.daysLeft).toBeCloseTo(Number(max - current) / 1e9, 3);
  });
});

describe('exhaustion', () => {
  it('a key at or past its max has 0 days left, dated the scan', () => {
    expect(exhaustion(INT_MAX, INT_MAX, null, ASOF)).toEqual({ daysLeft: 0, date: '2024-01-30' });
    expect(exhaustion(INT_MAX + 5n, INT_MAX, 10, ASOF)).toEqual({ daysLeft: 0, date: '2024-01-30' });
  });

  it('no date past year 9999', () => {
    expect(exhaustion(0n, 18446744073709551615n, 1, ASOF)).toMatchObject({ date: null });
  });
});
