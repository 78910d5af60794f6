/**
 * Snapshot + config → Report. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { SEVERITY_RANK, type CoverageSummary, type Finding, type Report, type Snapshot, compareText } from '../model/types.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import { checksFor } from './registry.js';
import { applySequences } from '../vitess/sequences.js';
import type { Check } from './types.js';

export function runChecks(input: Snapshot, config: CheckConfig, checks: readonly Check[] = checksFor('scan')): Report {
  const snapshot = config.vitess ? applySequences(input, config.vitess) : input;
  const findings: Finding[] = [];
  for (const check of checks) if (check.runFleet) findings.push(...check.runFleet({ snapshot, config }));
  let databases = 0;
  let tables = 0;
  for (const shard of snapshot.shards) {
    const catalog = new ShardCatalog(shard);
    const relationships = resolveRelationships(shard, config, catalog);
    for (const check of checks) findings.push(...check.run({ shard, catalog, relationships, config }));
    databases += shard.databases.length;
    for (const d of shard.databases) tables += d.tables.length;
  }
  findings.sort(compareFindings);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    version: 1,
    summary: {
      // A shard read only in part is in both shards[] and errors[]: count it once.
      shards: new Set([...snapshot.shards.map((s) => s.name), ...snapshot.errors.map((e) => e.shard)]).size,
      databases,
      tables,
      findings: counts,
      errors: snapshot.errors.length,
      coverage: coverageOf(snapshot),
    },
    findings,
    errors: snapshot.errors,
  };
}

/**
 * Per shard: databases matched vs. read in full, tables read. Live scans carry the session's own
 * assessment; a snapshot file does not, so there a shard with an error is incomplete.
 */
export function coverageOf(snapshot: Snapshot): CoverageSummary[] {
  const failed = new Set(snapshot.errors.map((e) => e.shard));
  const out: CoverageSummary[] = snapshot.shards.map((s) => {
    const tablesRead = s.databases.reduce((n, d) => n + d.tables.length, 0);
    if (s.coverage) {
      const { databasesMatched, databasesRead, complete } = s.coverage;
      return { shard: s.name, databasesMatched, databasesRead, tablesRead, complete: complete && !failed.has(s.name) };
    }
    return { shard: s.name, databasesMatched: s.databases.length, databasesRead: s.databases.length, tablesRead, complete: !failed.has(s.name) };
  });
  const read = new Set(snapshot.shards.map((s) => s.name));
  for (const e of snapshot.errors) {
    if (!read.has(e.shard)) out.push({ shard: e.shard, databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false });
  }
  return out;
}

/** Worst first: severity, then how far past its max, then a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareRatio(b, a) ||
    compareText(a.check, b.check) ||
    compareText(a.id, b.id)
  );
}

/** Exact comparison of current/max between two findings (null ratio sorts last). */
function compareRatio(a: Finding, b: Finding): number {
  if (a.current === null || b.current === null) return (a.current === null ? 0 : 1) - (b.current === null ? 0 : 1);
  const l = a.current * b.max;
  const r = b.current * a.max;
  return l > r ? 1 : l < r ? -1 : 0;
}
