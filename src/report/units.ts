/** Human units for durations and sizes (display only). */

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export function durationRange(low: number, high: number): string {
  const a = duration(low);
  const b = duration(high);
  if (a === b) return a;
  // "< 1 s – 1 s" reads as nonsense: a range that starts below a second is "up to" its end.
  if (a === '< 1 s') return `≤ ${b}`;
  return `${a} – ${b}`;
}

export function bytes(n: bigint | null): string {
  if (n === null) return '? (size unknown)';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
