import type { Fraction } from '../model/ratio.js';
import type { Policy } from '../plan/types.js';
import type { VitessConfig } from '../vitess/config.js';
import type { HistoryConfig } from '../history/config.js';
import type { RailsConfig } from '../rails/types.js';

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
  /** TLS for this server; absent = a plain connection. */
  ssl?: TlsConfig;
  /** The server's replicas (`replicas:`), for the copy tools' lag throttling. headroom never connects to them. */
  replicas?: { host: string; port: number }[];
  /** Run at connect time; its stdout is the password (then `password` is empty). */
  passwordCommand?: PasswordCommand;
  /** The setting that supplied the password when it is not a literal/`${VAR}` one, e.g. `shards[0].passwordFile`. For messages; never the value. */
  passwordFrom?: string;
}

/**
 * How TLS is used, as in the stock client's `--ssl-mode`:
 * `required` encrypts without checking the certificate; `verify-ca` also checks it was signed by
 * the CA (`ca`, or the system's CAs); `verify-identity` also checks it names the host.
 */
export type TlsMode = 'required' | 'verify-ca' | 'verify-identity';

export interface TlsConfig {
  mode: TlsMode;
  /** PEM text, read when the config is loaded. */
  ca?: string;
  cert?: string;
  key?: Secret;
  /** The paths they were read from, for messages. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The setting it came from, e.g. `shards[0].ssl`, `defaults.ssl`, `shards[1].url`, `~/.my.cnf [client]`. */
  from: string;
}

export interface PasswordCommand {
  /** argv[0] and its arguments; with `shell`, argv is ['/bin/sh', '-c', text]. */
  argv: string[];
  /** Where it was set, e.g. `defaults.passwordCommand`: named in errors. */
  from: string;
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
  /** Vitess keyspaces, their VSchemas and which shards hold them. */
  vitess?: VitessConfig;
  /** Where `scan --history` keeps counter observations, and for how long (docs/history-and-forecast.md). */
  history?: HistoryConfig;
  /** Rails apps whose models give references (`rails:`, or `--rails`); read by loadInventory (docs/rails.md). */
  rails?: RailsConfig[];
}

/** The part of an Inventory the pure checks need (a snapshot has no connection details). */
export type CheckConfig = Pick<Inventory, 'thresholds' | 'relationships' | 'ignore'> & { policy?: Policy; vitess?: VitessConfig; rails?: RailsConfig[] };

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
