/**
 * One counter's history as a plain SVG line chart, with the forecast to the type's max and the
 * "start migrating by" and "runs out" dates. Pure: data in, markup out.
 *
 * Values are bigints; they become JS numbers only to compute coordinates. Every value printed
 * (axis labels, point titles, the data table) is formatted from the bigint, so it is exact.
 * The chart is `role="img"` with a <title> and <desc>; the same points are in a visually
 * hidden table for screen readers, and every line has a text label or a legend entry.
 */
import { groupDigits } from '../checks/common.js';
import { DAY_MS, fmtRate, isoDay, type Point } from '../forecast/forecast.js';
import { esc } from './html-escape.js';

export interface ChartInput {
  /** Unique prefix for element ids. */
  id: string;
  /** What the chart is of, e.g. `shard-a/ws_a041/categories.id`. */
  counter: string;
  /** Oldest first, one per time. */
  points: readonly Point[];
  /** The type's max the counter runs into (for fk findings: the referencing column's). */
  max: bigint;
  /** e.g. `int`, `int unsigned`. */
  typeLabel: string;
  /** The counter's value at the scan. */
  current: bigint | null;
  /** The scan's time (ms); null when unknown (the last observation stands in). */
  asOf: number | null;
  idsPerDay: number | null;
  exhaustionAt: number | null;
  startByAt: number | null;
}

const W = 640;
const H = 260;
const M = { left: 104, right: 16, top: 28, bottom: 34 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** How far right of the scan the chart goes at most: a year, or 4× the history shown. */
function horizon(spanMs: number): number {
  return Math.max(365 * DAY_MS, 4 * spanMs);
}

export function chartSvg(c: ChartInput): string {
  const pts = c.points;
  if (pts.length === 0) return '';
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  const now = c.asOf ?? last.at;
  const current = c.current ?? last.value;

  // Time axis: the history, then the forecast up to the max (or the horizon).
  const t0 = Math.min(first.at, now);
  let t1 = Math.max(last.at, now);
  const cap = now + horizon(Math.max(now - t0, DAY_MS));
  const growing = c.idsPerDay !== null && c.idsPerDay > 0 && current < c.max;
  if (growing && c.exhaustionAt !== null) t1 = Math.max(t1, Math.min(c.exhaustionAt, cap));
  if (c.startByAt !== null && c.startByAt > t1 && c.startByAt <= cap) t1 = c.startByAt;
  let xa = t0;
  let xb = t1;
  if (xb - xa < DAY_MS) {
    xa -= DAY_MS / 2;
    xb += DAY_MS / 2;
  }

  // Value axis: from a little below the lowest observation to the max (or above it, when past).
  let hiV = c.max;
  let loV = current;
  for (const p of pts) {
    if (p.value > hiV) hiV = p.value;
    if (p.value < loV) loV = p.value;
  }
  if (current > hiV) hiV = current;
  const range = Number(hiV - loV) || Math.max(1, Number(hiV) * 0.1);
  const ya = Math.max(Number(loV) >= 0 ? 0 : Number.NEGATIVE_INFINITY, Number(loV) - range * 0.08);
  const yb = Number(hiV) + range * 0.06;

  const x = (t: number) => M.left + ((t - xa) / (xb - xa)) * PW;
  const y = (v: number) => M.top + PH - ((v - ya) / (yb - ya)) * PH;
  const f = (n: number) => (Math.round(n * 10) / 10).toString();

  const titleId = `${c.id}-title`;
  const descId = `${c.id}-desc`;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${titleId} ${descId}" data-points="${pts.length}" data-counter="${esc(c.counter)}">`,
    `<title id="${titleId}">History of ${esc(c.counter)}</title>`,
    `<desc id="${descId}">${esc(describe(c, now, current))}</desc>`,
  );

  // Frame and the time labels: first observation, the scan, the end of the chart.
  out.push(`<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`);
  const xLabels: { t: number; text: string; anchor: string }[] = [{ t: xa, text: isoDay(t0), anchor: 'start' }];
  if (x(now) - x(xa) > 135 && x(xb) - x(now) > 135) xLabels.push({ t: now, text: `${isoDay(now)} (scan)`, anchor: 'middle' });
  if (xb > now + DAY_MS || xLabels.length === 1) xLabels.push({ t: xb, text: isoDay(t1), anchor: 'end' });
  for (const l of xLabels) out.push(`<text class="axis" x="${f(x(l.t))}" y="${H - 12}" text-anchor="${l.anchor}">${esc(l.text)}</text>`);

  // The type's max: a line with its exact value.
  const yMax = y(Number(c.max));
  out.push(`<line class="max" x1="${M.left}" x2="${W - M.right}" y1="${f(yMax)}" y2="${f(yMax)}"/>`);
  out.push(`<text class="axis max-label" x="${M.left - 6}" y="${f(yMax + 4)}" text-anchor="end">${esc(groupDigits(c.max))}</text>`);
  out.push(`<text class="axis max-label" x="${M.left + 6}" y="${f(yMax - 6)}" text-anchor="start">max of ${esc(c.typeLabel)}</text>`);
  // The lowest observation, exactly (unless it would overlap the max label).
  if (Math.abs(y(Number(loV)) - yMax) > 14) {
    out.push(`<text class="axis" x="${M.left - 6}" y="${f(y(Number(loV)) + 4)}" text-anchor="end">${esc(groupDigits(loV))}</text>`);
    out.push(`<line class="tick" x1="${M.left - 3}" x2="${M.left}" y1="${f(y(Number(loV)))}" y2="${f(y(Number(loV)))}"/>`);
  }

  // Markers: start migrating by, and runs out.
  const inside = (t: number | null): t is number => t !== null && t >= xa && t <= xb;
  if (inside(c.startByAt)) {
    const sx = x(c.startByAt);
    const right = sx - M.left < 150;
    out.push(`<line class="startby" x1="${f(sx)}" x2="${f(sx)}" y1="${M.top}" y2="${M.top + PH}"/>`);
    out.push(`<text class="marker startby-label" x="${f(right ? sx + 4 : sx - 4)}" y="${M.top - 8}" text-anchor="${right ? 'start' : 'end'}">start by ${isoDay(c.startByAt)}</text>`);
  }
  if (growing && inside(c.exhaustionAt)) {
    const ex = x(c.exhaustionAt);
    out.push(`<line class="runsout" x1="${f(ex)}" x2="${f(ex)}" y1="${M.top}" y2="${M.top + PH}"/>`);
    // Bottom right: below a rising line there is room. Left of the start-by line when they are close.
    const sx = inside(c.startByAt) ? x(c.startByAt) : undefined;
    const crowded = sx !== undefined && Math.abs(ex - sx) < 130;
    const toLeft = crowded || W - M.right - ex < 150;
    const lx = crowded ? Math.min(ex, sx!) - 4 : toLeft ? ex - 4 : ex + 4;
    out.push(`<text class="marker runsout-label" x="${f(lx)}" y="${M.top + PH - 8}" text-anchor="${toLeft ? 'end' : 'start'}">runs out ${isoDay(c.exhaustionAt)}</text>`);
  }

  // The forecast: from the scan's value along the rate, to the max or the edge of the chart.
  if (growing) {
    const perMs = c.idsPerDay! / DAY_MS;
    const tEnd = c.exhaustionAt !== null && c.exhaustionAt <= xb ? c.exhaustionAt : xb;
    const vEnd = Math.min(Number(c.max), Number(current) + perMs * (tEnd - now));
    out.push(`<line class="forecast" x1="${f(x(now))}" y1="${f(y(Number(current)))}" x2="${f(x(tEnd))}" y2="${f(y(vEnd))}"/>`);
  }

  // The history: a line through the observations, and a dot per observation with its exact value.
  if (pts.length > 1) out.push(`<polyline class="history" points="${pts.map((p) => `${f(x(p.at))},${f(y(Number(p.value)))}`).join(' ')}"/>`);
  for (const p of pts) {
    out.push(`<circle class="obs" cx="${f(x(p.at))}" cy="${f(y(Number(p.value)))}" r="3.5"><title>${esc(`${stamp(p.at)}: ${groupDigits(p.value)}`)}</title></circle>`);
  }
  out.push('</svg>');
  return out.join('');
}

/** The chart's text alternative: what a sighted reader takes from it. */
function describe(c: ChartInput, now: number, current: bigint): string {
  const pts = c.points;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  const parts = [
    pts.length === 1
      ? `1 observation: ${groupDigits(first.value)} on ${isoDay(first.at)}.`
      : `${pts.length} observations from ${isoDay(first.at)} to ${isoDay(last.at)}, from ${groupDigits(first.value)} to ${groupDigits(last.value)}.`,
    `The max of ${c.typeLabel} is ${groupDigits(c.max)}; at the scan (${isoDay(now)}) the counter was at ${groupDigits(current)}.`,
  ];
  if (current >= c.max) parts.push('No ids are left.');
  else if (c.idsPerDay !== null && c.idsPerDay > 0) {
    parts.push(`Forecast: ${fmtRate(c.idsPerDay)} ids per day${c.exhaustionAt !== null ? `, reaching the max on ${isoDay(c.exhaustionAt)}` : ''}.`);
    if (c.startByAt !== null) parts.push(c.startByAt < now ? `The migration should have started by ${isoDay(c.startByAt)}.` : `Start migrating by ${isoDay(c.startByAt)}.`);
  } else parts.push('No growth forecast.');
  return parts.join(' ');
}

/** `2024-03-01 06:00 UTC` */
export function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The same points as a table, for screen readers (visually hidden). */
export function chartTable(c: ChartInput): string {
  const rows = c.points.map((p) => `<tr><td>${esc(stamp(p.at))}</td><td>${esc(groupDigits(p.value))}</td></tr>`).join('');
  return `<table class="visually-hidden"><caption>Observations of ${esc(c.counter)}</caption><thead><tr><th scope="col">time</th><th scope="col">value</th></tr></thead><tbody>${rows}</tbody></table>`;
}
