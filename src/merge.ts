/**
 * Running one fleet as several processes: `--partition i/n` picks a stable
 * share of the (shard, database) pairs, and `merge` combines the parts' JSON
 * reports (or snapshots) into one, with summary and exit code as if it had been
 * one run. Pure except the file reading in `loadParts`.
 */
import { readFile } from 'node:fs/promises';
import { compareFindings } from './checks/run.js';
import { fileErrorText, UsageError } from './errors.js';
import { isIntType, toBigInt } from './model/integers.js';
import type { CoverageSummary, Finding, PartOf, RelationWarning, Report, ShardError, ShardSnapshot, Snapshot } from './model/types.js';
import { parsePartOf, parseSnapshot, SNAPSHOT_FORMAT } from './snapshot/file.js';

export { inPartition, parsePartition, type Partition } from './partition.js';

export type Part = { kind: 'report'; file: string; report: Report } | { kind: 'snapshot'; file: string; snapshot: Snapshot };

export async function loadParts(files: string[]): Promise<Part[]> {
  if (files.length === 0) throw new UsageError('merge: give the part files (scan --format json reports, or snapshots)');
  return Promise.all(
    files.map(async (file) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read: ${fileErrorText(e)}`);
      }
      return parsePart(text, file);
    }),
  );
}

export function parsePart(text: string, file: string): Part {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  const o = raw as Record<string, unknown>;
  if (o && o.format === SNAPSHOT_FORMAT) return { kind: 'snapshot', file, snapshot: parseSnapshot(text, file) };
  if (o && o.version === 1 && Array.isArray(o.findings) && o.summary && typeof o.summary === 'object') return { kind: 'report', file, report: parseReport(o, file) };
  throw new UsageError(`${file}: neither a \`scan --format json\` report (version 1) nor a headroom snapshot`);
}

/** A `scan --format json` report back into a Report (integers exact). */
export function parseReport(o: Record<string, unknown>, file: string): Report {
  const fail = (field: string, why: string) => new UsageError(`${file}: ${field}: ${why}`);
  const big = (v: unknown, field: string): bigint | null => {
    try {
      return toBigInt(v);
    } catch {
      throw fail(field, `expected an integer, got ${JSON.stringify(v)}`);
    }
  };
  const findings = (o.findings as Record<string, unknown>[]).map((f, i): Finding => {
    const field = `findings[${i}]`;
    for (const k of ['id', 'check', 'severity', 'shard', 'database', 'table', 'column', 'message']) {
      if (typeof f[k] !== 'string') throw fail(`${field}.${k}`, 'missing');
    }
    if (!isIntType(String(f.dataType))) throw fail(`${field}.dataType`, 'not an integer type');
    const max = big(f.max, `${field}.max`);
    if (max === null) throw fail(`${field}.max`, 'missing');
    const { max: _m, current: _c, ...rest } = f;
    const out: Finding = { ...(rest as unknown as Finding), max, current: big(f.current, `${field}.current`) };
    if (Array.isArray(f.candidates)) out.candidates = (f.candidates as Record<string, unknown>[]).map((c, j) => ({ ...(c as unknown as NonNullable<Finding['candidates']>[number]), current: big(c.current, `${field}.candidates[${j}].current`) }));
    return out;
  });
  const summary = o.summary as Report['summary'];
  const partition = o.partition === undefined ? undefined : parsePartOf(o.partition, (why) => fail('partition', why));
  return {
    version: 1,
    ...(partition ? { partition } : {}),
    summary,
    findings,
    errors: Array.isArray(o.errors) ? (o.errors as ShardError[]) : [],
    ...(Array.isArray(o.relationWarnings) ? { relationWarnings: o.relationWarnings as RelationWarning[] } : {}),
  };
}

/**
 * The parts of a partitioned run must all be there, once each: a missing part would read as a
 * clean share of the fleet, a doubled one would count its databases twice. Parts carry their
 * `partition` (scan/snapshot --partition write it). Files without one (whole runs, e.g. of
 * different clusters) merge as before, but not mixed with parts.
 */
export function checkParts(parts: { file: string; partition?: PartOf | undefined }[]): void {
  const split = parts.filter((p) => p.partition);
  if (split.length === 0) return;
  const whole = parts.filter((p) => !p.partition);
  if (whole.length) {
    throw new UsageError(`merge: ${whole.map((p) => p.file).join(', ')} ${whole.length === 1 ? 'is' : 'are'} not part of a --partition run, but ${split.map((p) => `${p.file} (${p.partition!.index}/${p.partition!.count})`).join(', ')} ${split.length === 1 ? 'is' : 'are'}: merge the parts of one split run`);
  }
  const counts = [...new Set(split.map((p) => p.partition!.count))];
  if (counts.length > 1) {
    throw new UsageError(`merge: the parts come from different splits: ${split.map((p) => `${p.file} is ${p.partition!.index}/${p.partition!.count}`).join(', ')}`);
  }
  const n = counts[0]!;
  const byIndex = new Map<number, string[]>();
  for (const p of split) byIndex.set(p.partition!.index, [...(byIndex.get(p.partition!.index) ?? []), p.file]);
  const twice = [...byIndex].filter(([, files]) => files.length > 1);
  if (twice.length) throw new UsageError(`merge: part ${twice.map(([i, files]) => `${i}/${n} given more than once (${files.join(', ')})`).join('; ')}`);
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new UsageError(`merge: part${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${n}`).join(', ')} missing: a merged report without ${missing.length === 1 ? 'it' : 'them'} would leave a share of the fleet unchecked`);
  }
}

function dedupeErrors(errors: ShardError[]): ShardError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.shard}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function mergeReports(reports: Report[]): Report {
  const byId = new Map<string, Finding>();
  for (const r of reports) for (const f of r.findings) if (!byId.has(f.id)) byId.set(f.id, f);
  const findings = [...byId.values()].sort(compareFindings);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const errors = dedupeErrors(reports.flatMap((r) => r.errors));
  // Every part connects to every shard; databases are split between parts.
  const coverage = new Map<string, CoverageSummary>();
  for (const r of reports) {
    for (const c of r.summary.coverage ?? []) {
      const prev = coverage.get(c.shard);
      if (!prev) coverage.set(c.shard, { ...c });
      else {
        const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
        coverage.set(c.shard, {
          ...prev,
          databasesMatched: sum(prev.databasesMatched, c.databasesMatched),
          databasesRead: prev.databasesRead + c.databasesRead,
          tablesRead: prev.tablesRead + c.tablesRead,
          complete: prev.complete && c.complete,
        });
      }
    }
  }
  const shardNames = new Set([...coverage.keys(), ...errors.map((e) => e.shard)]);
  const summary: Report['summary'] = {
    shards: shardNames.size || Math.max(0, ...reports.map((r) => r.summary.shards)),
    databases: reports.reduce((n, r) => n + r.summary.databases, 0),
    tables: reports.reduce((n, r) => n + r.summary.tables, 0),
    findings: counts,
    errors: errors.length,
  };
  if (coverage.size) summary.coverage = [...coverage.values()];
  // Rails relation warnings: each distinct one once (a shard's counts are per part: each part read some of its databases).
  const withWarnings = reports.filter((r) => r.relationWarnings);
  if (withWarnings.length) {
    const seen = new Set<string>();
    const relationWarnings: RelationWarning[] = [];
    for (const r of withWarnings) {
      for (const w of r.relationWarnings!) {
        const k = JSON.stringify(w);
        if (seen.has(k)) continue;
        seen.add(k);
        relationWarnings.push(w);
      }
    }
    return { version: 1, summary, findings, errors, relationWarnings };
  }
  return { version: 1, summary, findings, errors };
}

export function mergeSnapshots(snapshots: Snapshot[]): Snapshot {
  const shards = new Map<string, ShardSnapshot>();
  for (const s of snapshots) {
    for (const shard of s.shards) {
      const prev = shards.get(shard.name);
      if (!prev) {
        shards.set(shard.name, { ...shard, databases: [...shard.databases] });
        continue;
      }
      const names = new Set(prev.databases.map((d) => d.name));
      prev.databases.push(...shard.databases.filter((d) => !names.has(d.name)));
    }
  }
  for (const s of shards.values()) s.databases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const takenAt = snapshots.map((s) => s.takenAt).sort()[0] ?? '';
  return { version: 1, takenAt, shards: [...shards.values()], errors: dedupeErrors(snapshots.flatMap((s) => s.errors)) };
}
