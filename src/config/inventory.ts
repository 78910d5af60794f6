/**
 * YAML inventory → validated Inventory. Pure except `loadInventory`, which reads the file.
 * Every error is a UsageError naming the file and the field, on one line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { decimalToFraction } from '../model/ratio.js';
import { DEFAULT_POLICY, parsePolicy } from '../plan/policy.js';
import { Secret, type Inventory, type RelationshipConfig, type ShardConfig, type Thresholds } from './types.js';

type Env = Record<string, string | undefined>;
type Obj = Record<string, unknown>;

const DEFAULT_PORT = 3306;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_SHARD_CONCURRENCY = 8;

const SHARD_KEYS = ['name', 'host', 'port', 'socket', 'user', 'password', 'url', 'databases', 'exclude', 'concurrency', 'timeoutSeconds'];
const DEFAULT_KEYS = ['host', 'port', 'socket', 'user', 'password', 'databases', 'exclude', 'concurrency', 'timeoutSeconds', 'shardConcurrency'];
const TOP_KEYS = ['shards', 'defaults', 'thresholds', 'relationships', 'ignore', 'policy', 'runbookBaseUrl'];

/** Read and validate an inventory file. */
export async function loadInventory(path: string, env: Env = process.env): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`${path}: cannot read config: ${why}`);
  }
  return parseInventory(text, path, env);
}

/** Parse inventory YAML text. `file` is only used in messages. */
export function parseInventory(text: string, file: string, env: Env = process.env): Inventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0] ?? lineCounter.linePos(yamlError.pos[0]);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const firstLine = yamlError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${where}: invalid YAML: ${firstLine}`);
  }
  const root: unknown = doc.toJS();
  return validateInventory(root, file, env);
}

/** Validate an already-parsed object (from YAML or built in code). */
export function validateInventory(root: unknown, file: string, env: Env = process.env): Inventory {
  const v = new Validator(file, env);
  if (root === null || root === undefined) throw v.fail('', 'the file is empty; expected a mapping with `shards:`');
  const top = v.object(root, '');
  v.onlyKeys(top, '', TOP_KEYS);

  const defaults = top.defaults === undefined ? {} : v.object(top.defaults, 'defaults');
  v.onlyKeys(defaults, 'defaults', DEFAULT_KEYS);

  if (top.shards === undefined) throw v.fail('shards', 'missing: list at least one server');
  const shardList = v.array(top.shards, 'shards');
  if (shardList.length === 0) throw v.fail('shards', 'is empty: list at least one server');
  const shards = shardList.map((s, i) => v.shard(s, `shards[${i}]`, defaults));
  const seen = new Map<string, number>();
  shards.forEach((s, i) => {
    const prev = seen.get(s.name);
    if (prev !== undefined) throw v.fail(`shards[${i}].name`, `"${s.name}" is used twice (also shards[${prev}])`);
    seen.set(s.name, i);
  });

  return {
    source: file,
    shards,
    thresholds: v.thresholds(top.thresholds),
    relationships: v.relationships(top.relationships),
    ignore: top.ignore === undefined ? [] : v.stringList(top.ignore, 'ignore'),
    shardConcurrency:
      defaults.shardConcurrency === undefined ? DEFAULT_SHARD_CONCURRENCY : v.positiveInt(defaults.shardConcurrency, 'defaults.shardConcurrency'),
    policy: parsePolicy(top.policy, (field, why) => v.fail(field, why)),
    ...(top.runbookBaseUrl !== undefined ? { runbookBaseUrl: v.string(top.runbookBaseUrl, 'runbookBaseUrl') } : {}),
  };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  warning: decimalToFraction('0.70'),
  critical: decimalToFraction('0.85'),
  warningText: '0.70',
  criticalText: '0.85',
};

/**
 * The zero-config form: `headroom scan mysql://user@host:3306[/db_glob]`.
 * A database in the path becomes the only database glob.
 */
export function inventoryFromUrl(url: string, env: Env = process.env): Inventory {
  const v = new Validator('command line', env);
  const shard = v.shard({ url }, 'url', {}, 'url');
  return {
    source: 'command line',
    shards: [shard],
    thresholds: DEFAULT_THRESHOLDS,
    relationships: [],
    ignore: [],
    shardConcurrency: 1,
    policy: DEFAULT_POLICY,
  };
}

interface ParsedUrl {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  databases?: string[];
}

class Validator {
  constructor(
    private readonly file: string,
    private readonly env: Env,
  ) {}

  fail(field: string, message: string): UsageError {
    return new UsageError(field ? `${this.file}: ${field}: ${message}` : `${this.file}: ${message}`);
  }

  object(value: unknown, field: string): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.fail(field, `expected a mapping, got ${describe(value)}`);
    }
    return value as Obj;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(field, `expected a list, got ${describe(value)}`);
    return value;
  }

  onlyKeys(obj: Obj, field: string, allowed: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        const where = field ? `${field}.${key}` : key;
        throw this.fail(where, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`);
      }
    }
  }

  /** A string, with ${VAR} (and ${VAR:-default}) taken from the environment. */
  string(value: unknown, field: string): string {
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string') throw this.fail(field, `expected a string, got ${describe(value)}`);
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const found = this.env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw this.fail(field, `environment variable ${name} is not set`);
    });
  }

  stringList(value: unknown, field: string): string[] {
    if (typeof value === 'string') return [this.string(value, field)];
    return this.array(value, field).map((item, i) => {
      const s = this.string(item, `${field}[${i}]`);
      if (s.trim() === '') throw this.fail(`${field}[${i}]`, 'is empty');
      return s;
    });
  }

  positiveInt(value: unknown, field: string, max = 1_000_000): number {
    const n = typeof value === 'string' ? Number(this.string(value, field)) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
      throw this.fail(field, `expected a whole number from 1 to ${max}, got ${describe(value)}`);
    }
    return n;
  }

  url(value: unknown, field: string): ParsedUrl {
    const text = this.string(value, field);
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      // Never echo the text: it may hold a password.
      throw this.fail(field, 'is not a valid URL; expected mysql://user@host:3306');
    }
    if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
      throw this.fail(field, `unsupported scheme "${u.protocol.replace(/:$/, '')}"; expected mysql://user@host:3306`);
    }
    if (u.search || u.hash) throw this.fail(field, 'query parameters are not supported yet; use the shard fields instead');
    const out: ParsedUrl = {};
    const decode = (part: string) => {
      try {
        return decodeURIComponent(part);
      } catch {
        throw this.fail(field, 'is not a valid URL: a bad %-escape (write % as %25); expected mysql://user@host:3306');
      }
    };
    if (u.hostname) out.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    if (u.port) out.port = Number(u.port);
    if (u.username) out.user = decode(u.username);
    if (u.password) out.password = decode(u.password);
    const db = decode(u.pathname.replace(/^\//, ''));
    if (db) out.databases = [db];
    return out;
  }

  shard(value: unknown, field: string, defaults: Obj, urlField = `${field}.url`): ShardConfig {
    const s = this.object(value, field);
    this.onlyKeys(s, field, SHARD_KEYS);
    const fromUrl = s.url === undefined ? {} : this.url(s.url, urlField);
    const pick = (key: string): [unknown, string] | undefined => {
      if (s[key] !== undefined) return [s[key], `${field}.${key}`];
      if (defaults[key] !== undefined) return [defaults[key], `defaults.${key}`];
      return undefined;
    };
    const str = (key: string): string | undefined => {
      const p = pick(key);
      return p === undefined ? undefined : this.string(p[0], p[1]);
    };

    const host = (s.host !== undefined ? this.string(s.host, `${field}.host`) : undefined) ?? fromUrl.host ?? str('host');
    const socketPath = str('socket');
    if (!host && !socketPath) throw this.fail(`${field}.host`, 'missing: set host, url or socket');
    const portPick = s.port !== undefined ? ([s.port, `${field}.port`] as const) : undefined;
    const port =
      portPick !== undefined
        ? this.positiveInt(portPick[0], portPick[1], 65535)
        : (fromUrl.port ?? (defaults.port !== undefined ? this.positiveInt(defaults.port, 'defaults.port', 65535) : DEFAULT_PORT));
    const user = (s.user !== undefined ? this.string(s.user, `${field}.user`) : undefined) ?? fromUrl.user ?? str('user');
    if (!user) throw this.fail(`${field}.user`, 'missing: set user on the shard, in defaults, or in url');
    const password =
      (s.password !== undefined ? this.string(s.password, `${field}.password`) : undefined) ?? fromUrl.password ?? str('password') ?? '';
    const name = s.name !== undefined ? this.string(s.name, `${field}.name`) : host ? `${host}:${port}` : (socketPath ?? '');
    if (!/^[A-Za-z0-9_.:\-[\]/]+$/.test(name)) {
      throw this.fail(`${field}.name`, 'use letters, digits and . _ - : only');
    }
    const dbPick = pick('databases');
    const databases = s.databases !== undefined || !fromUrl.databases ? (dbPick ? this.stringList(dbPick[0], dbPick[1]) : []) : fromUrl.databases;
    const exPick = pick('exclude');
    const exclude = exPick ? this.stringList(exPick[0], exPick[1]) : [];
    const conPick = pick('concurrency');
    const concurrency = conPick ? this.positiveInt(conPick[0], conPick[1], 64) : DEFAULT_CONCURRENCY;
    const toPick = pick('timeoutSeconds');
    const timeoutSeconds = toPick ? this.positiveInt(toPick[0], toPick[1], 86400) : DEFAULT_TIMEOUT_SECONDS;

    const shard: ShardConfig = {
      name,
      host: host ?? 'localhost',
      port,
      user,
      password: new Secret(password),
      databases,
      exclude,
      concurrency,
      timeoutSeconds,
    };
    if (socketPath) shard.socketPath = socketPath;
    return shard;
  }

  thresholds(value: unknown): Thresholds {
    if (value === undefined) return DEFAULT_THRESHOLDS;
    const t = this.object(value, 'thresholds');
    this.onlyKeys(t, 'thresholds', ['warning', 'critical']);
    const read = (key: 'warning' | 'critical'): string => {
      const raw = t[key];
      if (raw === undefined) return key === 'warning' ? DEFAULT_THRESHOLDS.warningText : DEFAULT_THRESHOLDS.criticalText;
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
      const n = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > 1) {
        throw this.fail(`thresholds.${key}`, `expected a ratio above 0 and at most 1 (e.g. 0.85), got ${describe(raw)}`);
      }
      return text;
    };
    const warningText = read('warning');
    const criticalText = read('critical');
    if (Number(warningText) > Number(criticalText)) {
      throw this.fail('thresholds.warning', `${warningText} is above thresholds.critical ${criticalText}`);
    }
    return { warning: decimalToFraction(warningText), critical: decimalToFraction(criticalText), warningText, criticalText };
  }

  relationships(value: unknown): RelationshipConfig[] {
    if (value === undefined) return [];
    return this.array(value, 'relationships').map((item, i) => {
      const field = `relationships[${i}]`;
      const r = this.object(item, field);
      this.onlyKeys(r, field, ['column', 'references']);
      if (r.column === undefined) throw this.fail(`${field}.column`, 'missing: the referencing column as table.column or db.table.column');
      if (r.references === undefined) throw this.fail(`${field}.references`, 'missing: the referenced key as table.column or db.table.column');
      const column = this.string(r.column, `${field}.column`);
      const references = this.string(r.references, `${field}.references`);
      for (const [k, text] of [['column', column], ['references', references]] as const) {
        const parts = text.split('.');
        if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
          throw this.fail(`${field}.${k}`, `expected table.column or db.table.column, got "${text}"`);
        }
      }
      return { column, references, origin: `${this.file} ${field}` };
    });
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

/** The allowed key a typo most likely meant (edit distance ≤ 2). */
function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
