/**
 * Snapshot + config → Report. Pure.
 */
import type { CheckConfig } from '../config/types.js';
import { SEVERITY_RANK, type CoverageSummary, type Finding, type RelationWarning, type Report, type ShardSnapshot, type Snapshot, compareText } from '../model/types.js';
import { railsForShard } from '../rails/shard.js';
import { ShardCatalog, resolveRelationships } from '../relations/relationships.js';
import { checksFor } from './registry.js';
import { applySequences } from '../vitess/sequences.js';
import type { Check } from './types.js';

export function runChecks(input: Snapshot, config: CheckConfig, checks: readonly Check[] = checksFor('scan')): Report {
  const snapshot = config.vitess ? applySequences(input, config.vitess) : input;
  const run = new CheckRun(config, checks);
  const failed = new Set(snapshot.errors.map((e) => e.shard));
  for (const shard of snapshot.shards) run.addShard(shard, failed.has(shard.name));
  return run.finish(snapshot);
}

/**
 * The checks, one shard at a time: `scan` checks each shard as soon as it is read and lets it go,
 * so a fleet's catalog is never held whole (docs/scan-cost.md, "Memory"). Fleet-wide checks
 * (`runFleet`: Vitess) run in `finish` on the shards passed there. `runChecks` is this over a
 * whole snapshot, and gives the same report.
 */
export class CheckRun {
  private readonly findings: Finding[] = [];
  private readonly coverage: { order: number; summary: CoverageSummary }[] = [];
  private readonly seen = new Set<string>();
  private databases = 0;
  private tables = 0;
  /** Per shard (inventory order), what the Rails models say that its catalog lacks. */
  private readonly railsWarnings: { order: number; warnings: RelationWarning[] }[] = [];

  constructor(
    readonly config: CheckConfig,
    readonly checks: readonly Check[] = checksFor('scan'),
  ) {}

  /**
   * Check one shard. `failed`: the shard also has an error (read only in part).
   * `order` sorts the coverage summary (inventory order); default: the order shards are added.
   * `then` may change or add to the shard's findings while the shard is still at hand (forecasts).
   */
  addShard(shard: ShardSnapshot, failed: boolean, order = this.coverage.length, then?: (shard: ShardSnapshot, findings: Finding[]) => Finding[]): void {
    const catalog = new ShardCatalog(shard);
    const relationships = resolveRelationships(shard, this.config, catalog);
    let found: Finding[] = [];
    for (const check of this.checks) for (const f of check.run({ shard, catalog, relationships, config: this.config })) found.push(f);
    if (then) found = then(shard, found);
    const rails = railsForShard(shard, catalog, this.config);
    if (rails && rails.warnings.length) this.railsWarnings.push({ order, warnings: rails.warnings });
    for (const f of found) this.findings.push(this.compact(f));
    this.databases += shard.databases.length;
    let tables = 0;
    for (const d of shard.databases) tables += d.tables.length;
    this.tables += tables;
    this.seen.add(shard.name);
    this.coverage.push({ order, summary: shardCoverage(shard, tables, failed) });
  }

  private readonly texts = new Map<string, string>();
  private readonly shared = new Map<string, object>();

  /**
   * Findings outlive their shard: tenant fleets repeat the same message, evidence and referenced
   * key in every database, so keep one copy of each (values unchanged).
   */
  private compact(f: Finding): Finding {
    const text = (s: string) => {
      const hit = this.texts.get(s);
      if (hit !== undefined) return hit;
      this.texts.set(s, s);
      return s;
    };
    f.message = text(f.message);
    if (f.evidence !== undefined) f.evidence = text(f.evidence);
    const r = f.references;
    if (r) {
      const k = `${r.database}\u0000${r.table}\u0000${r.column}\u0000${r.dataType}\u0000${r.unsigned}`;
      const hit = this.shared.get(k) as Finding['references'] | undefined;
      if (hit) f.references = hit;
      else this.shared.set(k, r);
    }
    return f;
  }

  /** Fleet-wide checks on `fleet.shards` (the shards kept for them; may be none), and the report. */
  finish(fleet: Pick<Snapshot, 'shards' | 'errors'> & Partial<Snapshot>): Report {
    const snapshot: Snapshot = { version: 1, takenAt: fleet.takenAt ?? '', shards: fleet.shards, errors: fleet.errors };
    const findings = [...this.findings];
    for (const check of this.checks) if (check.runFleet) findings.push(...check.runFleet({ snapshot, config: this.config }));
    findings.sort(compareFindings);
    const counts = { critical: 0, warning: 0, info: 0 };
    for (const f of findings) counts[f.severity]++;
    const coverage = this.coverage.sort((a, b) => a.order - b.order).map((c) => c.summary);
    for (const e of fleet.errors) {
      if (!this.seen.has(e.shard)) coverage.push({ shard: e.shard, databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false });
    }
    return {
      version: 1,
      ...(fleet.takenAt ? { takenAt: fleet.takenAt } : {}),
      summary: {
        // A shard read only in part is in both shards[] and errors[]: count it once.
        shards: new Set([...this.seen, ...fleet.errors.map((e) => e.shard)]).size,
        databases: this.databases,
        tables: this.tables,
        findings: counts,
        errors: fleet.errors.length,
        coverage,
      },
      findings,
      errors: fleet.errors,
      ...(this.config.rails?.length ? { relationWarnings: this.relationWarnings() } : {}),
    };
  }

  /** What the models say that could not be measured: the apps' own warnings, then each shard's, in inventory order. */
  private relationWarnings(): RelationWarning[] {
    const out: RelationWarning[] = [];
    // One app listed twice (for two sets of databases) is one set of files.
    for (const models of new Set((this.config.rails ?? []).map((a) => a.models))) out.push(...(models?.warnings ?? []));
    for (const s of this.railsWarnings.sort((a, b) => a.order - b.order)) out.push(...s.warnings);
    return out;
  }
}

/**
 * Per shard: databases matched vs. read in full, tables read. Live scans carry the session's own
 * assessment; a snapshot file does not, so there a shard with an error is incomplete.
 */
export function coverageOf(snapshot: Snapshot): CoverageSummary[] {
  const failed = new Set(snapshot.errors.map((e) => e.shard));
  const out: CoverageSummary[] = snapshot.shards.map((s) => shardCoverage(s, s.databases.reduce((n, d) => n + d.tables.length, 0), failed.has(s.name)));
  const read = new Set(snapshot.shards.map((s) => s.name));
  for (const e of snapshot.errors) {
    if (!read.has(e.shard)) out.push({ shard: e.shard, databasesMatched: null, databasesRead: 0, tablesRead: 0, complete: false });
  }
  return out;
}

function shardCoverage(s: ShardSnapshot, tablesRead: number, failed: boolean): CoverageSummary {
  if (s.coverage) {
    const { databasesMatched, databasesRead, complete } = s.coverage;
    return { shard: s.name, databasesMatched, databasesRead, tablesRead, complete: complete && !failed };
  }
  return { shard: s.name, databasesMatched: s.databases.length, databasesRead: s.databases.length, tablesRead, complete: !failed };
}

/** Worst first: severity, then how far past its max, then a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    // A broken sequence (inserts fail now) before ratios of the same severity.
    (a.sequenceProblem ? 0 : 1) - (b.sequenceProblem ? 0 : 1) ||
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
