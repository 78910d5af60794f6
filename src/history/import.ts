/**
 * `headroom history import FILE...`: seed history from earlier snapshot files (`headroom snapshot`,
 * they carry `takenAt`) or `scan --format json` reports (they carry no time: `--at` says when).
 * Pure: text in, observations out.
 */
import type { CheckConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { parseSnapshot, SNAPSHOT_FORMAT } from '../snapshot/file.js';
import { observationsFromReport, observationsFromSnapshot, type Observation } from './observations.js';

export interface ImportedFile {
  kind: 'snapshot' | 'report';
  at: number;
  observations: Observation[];
}

export function observationsFromFile(text: string, file: string, config: CheckConfig, at?: number): ImportedFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (raw && typeof raw === 'object' && (raw as { format?: unknown }).format === SNAPSHOT_FORMAT) {
    const snapshot = parseSnapshot(text, file);
    if (at !== undefined) snapshot.takenAt = new Date(at).toISOString();
    return { kind: 'snapshot', at: Date.parse(snapshot.takenAt), observations: observationsFromSnapshot(snapshot, config) };
  }
  if (at === undefined) {
    throw new UsageError(`${file}: a scan report carries no time: pass --at with when it was taken (e.g. --at 2024-02-01T06:00:00Z)`);
  }
  return { kind: 'report', at, observations: observationsFromReport(raw, at, file) };
}

/** `--at`: an ISO 8601 time (a date alone is midnight UTC). */
export function parseAt(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /\d{2}:\d{2}/.test(text) && /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--at: expected a date (2024-02-01) or a time with its zone (2024-02-01T06:00:00Z), got ${JSON.stringify(text)}`);
  return ms;
}
