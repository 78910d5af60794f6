import type { CheckConfig } from '../config/types.js';
import type { Finding, Relationship, ShardSnapshot, Severity, Snapshot } from '../model/types.js';
import type { ShardCatalog } from '../relations/relationships.js';

/** Everything a check may look at, for one shard. */
export interface CheckContext {
  shard: ShardSnapshot;
  catalog: ShardCatalog;
  relationships: Relationship[];
  config: CheckConfig;
}

export interface Check {
  /** Public API: used in output, docs (`docs/checks/<id>.md`), baselines and `--check`. */
  id: string;
  /** One line for `headroom checks` and SARIF. */
  summary: string;
  /** False for checks that need live counters (they say nothing about a bare schema). */
  schemaOnly: boolean;
  /** Which commands run it: `scan` (live fleet or snapshot) and/or `lint` (a schema file). Default: scan, and lint when schemaOnly. */
  modes?: readonly CheckMode[];
  run(ctx: CheckContext): Finding[];
  /** Checks that look across shards (Vitess keyspaces) implement this; `run` then returns []. */
  runFleet?(ctx: FleetContext): Finding[];
}

export type { Severity };

export type CheckMode = 'scan' | 'lint';

export function checkModes(c: Check): readonly CheckMode[] {
  return c.modes ?? (c.schemaOnly ? ['scan', 'lint'] : ['scan']);
}

/** The whole fleet, for checks that compare shards. */
export interface FleetContext {
  snapshot: Snapshot;
  config: CheckConfig;
}
