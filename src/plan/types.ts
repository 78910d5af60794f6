import type { ColumnRef, IntegerType, IntType, RelationSource, SequenceProblem } from '../model/types.js';

export type ToolId = 'gh-ost' | 'pt-online-schema-change' | 'spirit' | 'vitess' | 'direct';

export const TOOL_IDS: readonly ToolId[] = ['gh-ost', 'pt-online-schema-change', 'spirit', 'vitess', 'direct'];

export interface Policy {
  /** The type every column of a group is widened to (signedness follows the key). */
  targetType: 'bigint';
  /** Online copy tools the team has, in order of preference. `direct` is governed by `directAlter`. */
  tools: ToolId[];
  /** Assumed copy speed; shown in every estimate. */
  copyRowsPerSecond: number;
  /** TABLE_ROWS is an estimate (InnoDB: off by 40–50%): durations are given as [rows × low, rows × high]. */
  rowsUncertainty: { low: number; high: number };
  /** Free disk a copy needs, as a multiple of data + index size (gh-ost ghost tables seen ~60% larger, gh-ost#1484). */
  diskMargin: number;
  /** Binlog written during a copy, as a multiple of the table's data size (every copied row is logged again). */
  binlogFactor: number;
  /** Direct ALTER (ALGORITHM=COPY, LOCK=SHARED: writes wait) only for tables at most this big. 0 = never. */
  directAlter: { maxRows: bigint; maxBytes: bigint; maxConcurrentPerShard: number; tables: string[] };
  /** Copies that may run at once on one server. */
  maxConcurrentCopiesPerShard: number;
  /** lock_wait_timeout for every DDL the plan emits, so a blocked metadata lock gives up instead of stalling writes. */
  lockWaitTimeoutSeconds: number;
  /** Tables larger than this (data + index) are flagged: plan the disk first. 0 = no limit. */
  maxTableBytes: bigint;
  /** pk-narrow-type: integer keys narrower than this are reported by `headroom lint`. */
  minKeyType: IntType;
  /** pk-narrow-type: `table` or `db.table` globs allowed to stay narrow (a 20-row lookup table is fine with SMALLINT). */
  narrowKeyAllow: string[];
  /** `headroom offsets` writes only to databases matching these globs (unless --force). */
  offsetsAllow: string[];
  /** The account that runs migrations (ALTER, CREATE, DROP, TRIGGER, PROCESS…): never the read-only scan user. Placeholder when unset. */
  migrationUser?: string;
  /** Migration rule (with --history): critical when days left < estimated migration days × safetyFactor + leadDays. */
  safetyFactor: number;
  /** Days added to every migration estimate by the migration rule (review, scheduling, the application restart). */
  leadDays: number;
  /** gh-ost facts the team knows about its build: `mariadbSupport` when built from main after 2026-06-23. */
  ghost: { mariadbSupport: boolean };
  /** Spirit's release (its flags changed); unset: the newest command form (`--statement`). */
  spirit: { version?: string };
  /** How runbooks call headroom where they are followed (default `headroom`, the installed command). */
  headroomCommand: string;
}

export interface GroupMember {
  ref: ColumnRef;
  role: 'key' | 'reference';
  /** The id of the widening group (its key) this column belongs to: a plan can hold several. */
  group?: string;
  /** How the reference was found (absent for the key). */
  source?: RelationSource;
  evidence?: string;
  /** Declared constraint through which this column references the key. */
  constraint?: string;
  current: IntegerType & { columnType: string };
  target: IntegerType;
  needsChange: boolean;
}

export interface Estimate {
  rowsEstimate: bigint | null;
  rowsLow: bigint;
  rowsHigh: bigint;
  secondsLow: number;
  secondsHigh: number;
  /** Free space needed on the server's data volume during the copy (null: size unknown). */
  diskBytes: bigint | null;
  /** Binlog written during the copy (must be retained until it ends; null: size unknown). */
  binlogBytes: bigint | null;
}

export type StepKind = 'drop-fk' | 'copy' | 'direct-alter' | 'rename-fk' | 'orphan-check' | 'add-fk' | 'blocked' | 'application' | 'sequence-fix';

export interface Step {
  n: number;
  kind: StepKind;
  title: string;
  database?: string;
  table?: string;
  tool?: ToolId;
  /** Why this tool (and why not the preferred ones). */
  toolReason?: string;
  /** The exact statement(s) or command(s), in order. */
  commands: string[];
  estimate?: Estimate;
  /** What to expect, pitfalls. */
  notes: string[];
  /** True when this step cannot be undone by re-running a command (e.g. a completed swap). */
  irreversible?: boolean;
  /**
   * Constraint names a copy tool leaves changed after this step (pt-online-schema-change renames
   * every foreign key it rebuilds): `database.table.constraint` → the name it has afterwards.
   * The plan's next step restores them.
   */
  renames?: { database: string; table: string; from: string; to: string }[];
  /** `blocked` steps: the ways forward, each with its commands and what it costs. Not run as written. */
  options?: BlockedOption[];
}

/** One way past a table no allowed tool can change (a `blocked` step): the decision is a person's. */
export interface BlockedOption {
  title: string;
  /** What it blocks or changes for the application, and for how long. */
  cost: string;
  /** How to choose it (a policy setting, a step to run first). */
  choose: string;
  commands: string[];
}

export interface ToolCheck {
  tool: ToolId;
  ok: boolean;
  reasons: string[];
}

export interface WideningPlan {
  /** `<shard>/<database>/<table>.<column>` of the key (the first of `keys`). Stable. */
  id: string;
  shard: string;
  database: string;
  key: ColumnRef;
  /**
   * Every key planned here, worst first (`key` is the first). Groups whose changes touch a common
   * table are planned as one: a table is copied once, with every change to it in one run, and no
   * step depends on a constraint name another step's tool changes.
   */
  keys: ColumnRef[];
  /** The group id (`groupId`) of each of `keys`, in the same order. */
  groups: string[];
  members: GroupMember[];
  /** Finding ids that made this group necessary. */
  triggeredBy: string[];
  worstSeverity: 'critical' | 'warning' | 'info';
  steps: Step[];
  /** Sum of the copy steps, as a range. */
  total: { secondsLow: number; secondsHigh: number; diskBytes: bigint | null };
  /** Non-empty when no allowed tool can do a step: the reasons, per tool. */
  blocked: string[];
  warnings: string[];
  /** `sequence-fix`: a repair of a broken Vitess sequence (no column changes; `fix` says what). Absent: a widening. */
  kind?: 'sequence-fix';
  fix?: { sequence: string; database: string; table: string; problem: SequenceProblem; nextId: string; cache: string };
}

export interface ShardSchedule {
  shard: string;
  groups: number;
  copySteps: number;
  concurrency: number;
  /** Longest-first list schedule of the copy steps over `concurrency` lanes. */
  secondsLow: number;
  secondsHigh: number;
}

export interface Plan {
  version: 1;
  policy: Policy;
  plans: WideningPlan[];
  schedule: ShardSchedule[];
}
