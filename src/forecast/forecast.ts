/**
 * Growth rate and time to exhaustion of one counter, from its observations. Pure.
 *
 * The method (docs/history-and-forecast.md explains the why of each step):
 *  1. keep the observations inside the window (default: the 30 days up to the scan); one per timestamp;
 *     at most MAX_POINTS, thinned to the last observation of each of MAX_POINTS equal time slices;
 *  2. drop a single bad read: a point out of order with both neighbours while the neighbours are in
 *     order (a counter never goes down, so a point below its predecessor and its successor, or above
 *     both, is a misread — e.g. a stale information_schema value);
 *  3. a counter that still goes down was reset (TRUNCATE, a rebuild, a restart recomputing it):
 *     only the observations from the last reset on are used;
 *  4. drop ONE jump: an interval that consumed more than JUMP_FACTOR × the median interval rate,
 *     when it is the only such interval in the window and at least one later interval shows growth
 *     back at the usual rate (a bogus explicit id, a bulk import). The ids it burned stay burned —
 *     days left are counted from the real current value — but they do not count as a rate. A jump in
 *     the last interval is only noted: Theil–Sen already gives one new point little weight, and its
 *     ids are in the current value; if growth stays that fast, the next scans raise the median;
 *  5. rate = the Theil–Sen estimate: the median of the slopes between every pair of points, which
 *     ignores a minority of odd points; and the same over the recent half of the window. The larger
 *     of the two is used, so an accelerating counter is judged by its recent rate;
 *  6. fewer than two usable observations → `unknown`; a rate ≤ 0 → `not-growing`.
 *
 * Never from CREATE_TIME or row counts: a copy tool's rebuild resets CREATE_TIME, and REPLACE,
 * ON DUPLICATE KEY UPDATE and rollbacks burn ids that no row count shows.
 */

export const DAY_MS = 86_400_000;

/** Observations kept per counter (after windowing). 120 points → 7,140 slope pairs. */
export const MAX_POINTS = 120;

/** An interval growing faster than this × the median interval rate is a jump candidate. */
export const JUMP_FACTOR = 10;

export interface Point {
  /** Unix time in milliseconds. */
  at: number;
  value: bigint;
}

export interface RateOptions {
  /** The time of the scan: the window ends here, observations after it are ignored. */
  asOf: number;
  windowDays: number;
}

export interface RateEstimate {
  status: 'ok' | 'unknown' | 'not-growing';
  /** Ids per day (Theil–Sen); null when unknown. */
  idsPerDay: number | null;
  /** Observations used (after dropping bad reads and anything before a reset). */
  observations: number;
  /** First and last observation used (ms). */
  from: number | null;
  to: number | null;
  /** What was dropped or chosen, for people. */
  notes: string[];
}

export function growthRate(points: readonly Point[], options: RateOptions): RateEstimate {
  const notes: string[] = [];
  const start = options.asOf - options.windowDays * DAY_MS;
  let pts = dedupe(points.filter((p) => p.at >= start && p.at <= options.asOf));
  pts = thin(pts, start, options.asOf);

  // 2. Single bad reads.
  if (pts.length >= 3) {
    const bad = new Set<number>();
    for (let i = 0; i < pts.length; i++) {
      const prev = pts[i - 1];
      const next = pts[i + 1];
      const v = pts[i]!.value;
      if (prev && next) {
        if (prev.value <= next.value && (v < prev.value || v > next.value)) bad.add(i);
      } else if (!prev && next && pts[i + 2]) {
        // The first point above the next two, which are in order: a misread (or a reset right after it).
        if (v > next.value && next.value <= pts[i + 2]!.value) bad.add(i);
      }
    }
    if (bad.size > 0) {
      notes.push(`ignored ${bad.size === 1 ? 'a reading' : `${bad.size} readings`} out of order with ${bad.size === 1 ? 'its' : 'their'} neighbours (${[...bad].map((i) => isoDay(pts[i]!.at)).join(', ')})`);
      pts = pts.filter((_, i) => !bad.has(i));
    }
  }

  // 3. Resets.
  for (let i = pts.length - 1; i > 0; i--) {
    if (pts[i]!.value < pts[i - 1]!.value) {
      notes.push(`the counter went down on ${isoDay(pts[i]!.at)} (TRUNCATE, a rebuild or a restart?): only observations from then on are used`);
      pts = pts.slice(i);
      break;
    }
  }

  if (pts.length < 2) {
    return { status: 'unknown', idsPerDay: null, observations: pts.length, from: pts[0]?.at ?? null, to: pts[0]?.at ?? null, notes: [...notes, `${pts.length} usable observation${pts.length === 1 ? '' : 's'} in the last ${options.windowDays} days; a rate needs 2`] };
  }

  // 4. One jump.
  let values = pts.map((p) => p.value);
  if (pts.length >= 3) {
    const rates = intervals(pts).map((iv) => iv.rate);
    const median = medianOf(rates);
    const candidates = intervals(pts).filter((iv) => iv.rate > JUMP_FACTOR * median && iv.dv > 0n);
    if (candidates.length === 1) {
      const jump = candidates[0]!;
      const later = intervals(pts).filter((iv) => iv.index > jump.index);
      if (later.length > 0 && later.every((iv) => iv.rate <= JUMP_FACTOR * median)) {
        const usual = BigInt(Math.round(median * jump.dt));
        const excess = jump.dv - (usual < jump.dv ? usual : 0n);
        values = values.map((v, i) => (i >= jump.index ? v - excess : v));
        notes.push(`ignored a one-time jump of ${excess} ids between ${isoDay(pts[jump.index - 1]!.at)} and ${isoDay(pts[jump.index]!.at)} (growth went on at the usual rate after it)`);
      } else if (later.length === 0) {
        notes.push(
          `the last interval grew ${median > 0 ? `${(jump.rate / median).toFixed(0)}×` : 'much'} faster than usual: its ids count against the days left, ` +
            'but not as a rate until the next scans show growth stays that fast',
        );
      }
    }
  }

  // 5. Theil–Sen over the window and over its recent half.
  const cleaned = pts.map((p, i) => ({ at: p.at, value: values[i]! }));
  const whole = theilSen(cleaned);
  const first = cleaned[0]!.at;
  const last = cleaned[cleaned.length - 1]!.at;
  const recentPts = cleaned.filter((p) => p.at >= last - (last - first) / 2);
  let perMs = whole;
  if (recentPts.length >= 2 && recentPts.length < cleaned.length) {
    const recent = theilSen(recentPts);
    if (recent > whole) {
      perMs = recent;
      notes.push(`growth is speeding up: the rate of the last ${((last - recentPts[0]!.at) / DAY_MS).toFixed(1)} days is used (${fmtRate(recent * DAY_MS)} vs ${fmtRate(whole * DAY_MS)} ids/day over the window)`);
    }
  }
  const idsPerDay = perMs * DAY_MS;
  return {
    status: idsPerDay > 0 ? 'ok' : 'not-growing',
    idsPerDay,
    observations: pts.length,
    from: first,
    to: last,
    notes,
  };
}

export interface Exhaustion {
  /** 0 when the counter is already at or past `max`; null when it does not grow (or the rate is unknown). */
  daysLeft: number | null;
  /** `YYYY-MM-DD` (UTC) when `max` is reached; null when daysLeft is null or past year 9999. */
  date: string | null;
}

/** Days until `current` reaches `max` at `idsPerDay`, counted from `asOf`. */
export function exhaustion(current: bigint, max: bigint, idsPerDay: number | null, asOf: number): Exhaustion {
  if (current >= max) return { daysLeft: 0, date: isoDay(asOf) };
  if (idsPerDay === null || !(idsPerDay > 0)) return { daysLeft: null, date: null };
  const daysLeft = Number(max - current) / idsPerDay;
  const when = asOf + daysLeft * DAY_MS;
  return { daysLeft, date: when < Date.UTC(10000, 0, 1) ? isoDay(when) : null };
}

/** Median of pairwise slopes (value per ms). */
export function theilSen(points: readonly Point[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dt = points[j]!.at - points[i]!.at;
      if (dt > 0) slopes.push(Number(points[j]!.value - points[i]!.value) / dt);
    }
  }
  return slopes.length ? medianOf(slopes) : 0;
}

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function fmtRate(idsPerDay: number): string {
  if (!Number.isFinite(idsPerDay)) return String(idsPerDay);
  const abs = Math.abs(idsPerDay);
  const digits = abs >= 100 ? 0 : abs >= 1 ? 1 : 3;
  return idsPerDay.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

interface Interval {
  /** Index of the interval's end point. */
  index: number;
  dv: bigint;
  dt: number;
  rate: number;
}

function intervals(pts: readonly Point[]): Interval[] {
  const out: Interval[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dv = pts[i]!.value - pts[i - 1]!.value;
    const dt = pts[i]!.at - pts[i - 1]!.at;
    out.push({ index: i, dv, dt, rate: Number(dv) / dt });
  }
  return out;
}

/** Sorted by time, one point per timestamp (the highest value: a counter read twice at once). */
function dedupe(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.at - b.at || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const out: Point[] = [];
  for (const p of sorted) {
    if (out.length && out[out.length - 1]!.at === p.at) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** At most MAX_POINTS: the last point of each equal time slice of the window. */
function thin(points: Point[], start: number, end: number): Point[] {
  if (points.length <= MAX_POINTS) return points;
  const width = (end - start) / MAX_POINTS;
  const bySlice = new Map<number, Point>();
  for (const p of points) bySlice.set(Math.min(MAX_POINTS - 1, Math.floor((p.at - start) / width)), p);
  return [...bySlice.values()];
}
