import type { Fraction } from '../model/ratio.js';
import type { Policy } from '../plan/types.js';

/** How to reach one server. The password is kept apart so it can never be printed by accident. */
export interface ShardConfig {
  name: string;
  host: string;
  port: number;
  socketPath?: string;
  user: string;
  /** Never logged. Wrapped so that `JSON.stringify`/`util.inspect` of a config never shows it. */
  password: Secret;
  /** Glob patterns over database names; empty = every non-system database. */
  databases: string[];
  exclude: string[];
  /** Connections to this server at most. */
  concurrency: number;
  timeoutSeconds: number;
}

export interface RelationshipConfig {
  /** `table.column` or `db.table.column`. */
  column: string;
  references: string;
  /** Where in the file it came from, for evidence. */
  origin: string;
}

export interface Thresholds {
  warning: Fraction;
  critical: Fraction;
  /** As written, for display. */
  warningText: string;
  criticalText: string;
}

export interface Inventory {
  /** The file it came from, or a description such as "command line". */
  source: string;
  shards: ShardConfig[];
  thresholds: Thresholds;
  relationships: RelationshipConfig[];
  ignore: string[];
  /** Shards read at the same time. */
  shardConcurrency: number;
  /** How keys are widened (the planner). */
  policy: Policy;
  /** Where runbooks are published; findings link to `<runbookBaseUrl>/<file>` instead of `runbooks/<file>`. */
  runbookBaseUrl?: string;
}

/** The part of an Inventory the pure checks need (a snapshot has no connection details). */
export type CheckConfig = Pick<Inventory, 'thresholds' | 'relationships' | 'ignore'> & { policy?: Policy };

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get empty(): boolean {
    return this.#value === '';
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}
