/**
 * Snapshot + config → Report. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { SEVERITY_RANK, type Finding, type Report, type Snapshot, compareText } from '../model/types.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import { checksFor } from './registry.js';
import type { Check } from './types.js';

export function runChecks(snapshot: Snapshot, config: CheckConfig, checks: readonly Check[] = checksFor('scan')): Report {
  const findings: Finding[] = [];
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
      shards: snapshot.shards.length + snapshot.errors.length,
      databases,
      tables,
      findings: counts,
      errors: snapshot.errors.length,
    },
    findings,
    errors: snapshot.errors,
  };
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
