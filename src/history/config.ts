/**
 * The `history:` block of the inventory and the `--history <store>` flag. Pure.
 *
 *   history:
 *     url: mysql://headroom:${HEADROOM_HISTORY_PASSWORD}@metrics-db:3306/headroom   # or: dir: .headroom/history
 *     table: headroom_history
 *     keepDays: 90
 *     windowDays: 30
 *     allowOnShard: false
 */
import { Secret } from '../config/types.js';
import { UsageError } from '../errors.js';
import { DEFAULT_HISTORY_DIR } from './store-dir.js';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: Secret;
  database: string;
  table: string;
}

export interface HistoryConfig {
  store: { kind: 'dir'; dir: string } | ({ kind: 'mysql' } & MysqlTarget);
  /** Observations older than this are deleted when history is written. */
  keepDays: number;
  /** The forecast uses the observations of this many days before the scan. */
  windowDays: number;
  /** Allow the MySQL store on a server that is also a scanned shard (off: headroom writes nothing to shards). */
  allowOnShard: boolean;
}

export const HISTORY_KEYS = ['dir', 'url', 'table', 'keepDays', 'windowDays', 'allowOnShard'];
export const DEFAULT_HISTORY_TABLE = 'headroom_history';
/** Three forecast windows: enough to look back at how a forecast moved, small on disk. */
export const DEFAULT_KEEP_DAYS = 90;
export const DEFAULT_HISTORY_WINDOW_DAYS = 30;

export const DEFAULT_HISTORY: HistoryConfig = {
  store: { kind: 'dir', dir: DEFAULT_HISTORY_DIR },
  keepDays: DEFAULT_KEEP_DAYS,
  windowDays: DEFAULT_HISTORY_WINDOW_DAYS,
  allowOnShard: false,
};

export interface FieldHelpers {
  fail(field: string, why: string): Error;
  /** A string with `${VAR}` expanded. */
  string(value: unknown, field: string): string;
}

export function parseHistoryConfig(raw: unknown, h: FieldHelpers): HistoryConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw h.fail('history', 'expected a mapping with dir: or url:');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!HISTORY_KEYS.includes(k)) throw h.fail(`history.${k}`, `unknown key; allowed: ${HISTORY_KEYS.join(', ')}`);
  if (o.dir !== undefined && o.url !== undefined) throw h.fail('history', 'give dir: or url:, not both');
  const days = (v: unknown, field: string, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw h.fail(field, `expected a whole number of days from 1 to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const keepDays = o.keepDays === undefined ? DEFAULT_KEEP_DAYS : days(o.keepDays, 'history.keepDays', 36500);
  const windowDays = o.windowDays === undefined ? DEFAULT_HISTORY_WINDOW_DAYS : days(o.windowDays, 'history.windowDays', 3650);
  if (windowDays > keepDays) throw h.fail('history.windowDays', `${windowDays} is longer than history.keepDays ${keepDays}: the forecast would look for observations already deleted`);
  if (o.allowOnShard !== undefined && typeof o.allowOnShard !== 'boolean') throw h.fail('history.allowOnShard', 'expected true or false');
  const allowOnShard = o.allowOnShard === true;
  const table = o.table === undefined ? DEFAULT_HISTORY_TABLE : identifier(h.string(o.table, 'history.table'), 'history.table', h);
  if (o.url !== undefined) {
    const target = parseMysqlUrl(h.string(o.url, 'history.url'), table, (why) => h.fail('history.url', why));
    return { store: { kind: 'mysql', ...target }, keepDays, windowDays, allowOnShard };
  }
  if (o.table !== undefined) throw h.fail('history.table', 'only with url: (the directory store has no table)');
  const dir = o.dir === undefined ? DEFAULT_HISTORY_DIR : h.string(o.dir, 'history.dir');
  if (dir.trim() === '') throw h.fail('history.dir', 'is empty');
  return { store: { kind: 'dir', dir }, keepDays, windowDays, allowOnShard };
}

/**
 * `--history <store>`: a directory, or `mysql://user@host:port/database` (the table comes from the
 * config's `history.table`, default headroom_history). A URL without a password takes
 * HEADROOM_HISTORY_PASSWORD from the environment. Other settings come from the config's `history:`.
 */
export function historyFromFlag(spec: string | true, base: HistoryConfig | undefined, env: Record<string, string | undefined>): HistoryConfig {
  const b = base ?? DEFAULT_HISTORY;
  if (spec === true) return b;
  if (spec.trim() === '') throw new UsageError('--history: empty store; give a directory or mysql://user@host:3306/database (or no value for the default)');
  if (/^(mysql|mariadb):\/\//i.test(spec)) {
    const table = b.store.kind === 'mysql' ? b.store.table : DEFAULT_HISTORY_TABLE;
    const target = parseMysqlUrl(spec, table, (why) => new UsageError(`--history: ${why}`), env.HEADROOM_HISTORY_PASSWORD);
    return { ...b, store: { kind: 'mysql', ...target } };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new UsageError(`--history: unsupported store ${JSON.stringify(spec.replace(/\/\/.*$/, '//…'))}; give a directory or mysql://user@host:3306/database`);
  return { ...b, store: { kind: 'dir', dir: spec } };
}

function parseMysqlUrl(text: string, table: string, fail: (why: string) => Error, fallbackPassword?: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // Never echo the text: it may hold a password.
    throw fail('is not a valid URL; expected mysql://user@host:3306/database');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw fail(`unsupported scheme "${u.protocol.replace(/:$/, '')}"; expected mysql://user@host:3306/database`);
  if (u.search || u.hash) throw fail('query parameters are not supported');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw fail('a bad %-escape (write % as %25)');
    }
  };
  const database = decode(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw fail('name the database the history table lives in: mysql://user@host:3306/headroom');
  if (!u.hostname) throw fail('missing host: mysql://user@host:3306/database');
  if (!u.username) throw fail('missing user: mysql://user@host:3306/database');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 3306,
    user: decode(u.username),
    password: new Secret(u.password ? decode(u.password) : (fallbackPassword ?? '')),
    database,
    table,
  };
}

function identifier(name: string, field: string, h: FieldHelpers): string {
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(name)) throw h.fail(field, 'use letters, digits, _ and $ only (at most 64)');
  return name;
}
