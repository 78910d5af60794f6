/**
 * YAML inventory → validated Inventory. Pure except `loadInventory`, which reads the file.
 * Every error is a UsageError naming the file and the field, on one line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { UsageError, fileErrorText } from '../errors.js';
import { decimalToFraction } from '../model/ratio.js';
import { DEFAULT_POLICY, parsePolicy } from '../plan/policy.js';
import { loadVSchemaFiles, parseVitessConfig } from '../vitess/config.js';
import { parseHistoryConfig } from '../history/config.js';
import { loadRails, parseRailsConfig } from '../rails/config.js';
import { clientOptions, defaultOptionFilePath, readOptionFile, type ClientOptions } from '../connect/option-file.js';
import { readPem } from '../connect/tls.js';
import { closest } from '../closest.js';
import { Secret, type Inventory, type PasswordCommand, type RelationshipConfig, type ShardConfig, type Thresholds, type TlsConfig, type TlsMode } from './types.js';

type Env = Record<string, string | undefined>;
type Obj = Record<string, unknown>;

const DEFAULT_PORT = 3306;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_SHARD_CONCURRENCY = 8;

const SHARD_KEYS = ['name', 'host', 'port', 'socket', 'user', 'password', 'passwordFile', 'passwordCommand', 'url', 'ssl', 'databases', 'exclude', 'concurrency', 'timeoutSeconds', 'replicas'];
const DEFAULT_KEYS = ['host', 'port', 'socket', 'user', 'password', 'passwordFile', 'passwordCommand', 'ssl', 'databases', 'exclude', 'concurrency', 'timeoutSeconds', 'shardConcurrency'];
const URL_PARAMS = ['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key', 'socket'];

/** How connection settings outside the YAML are found. */
export interface LoadOptions {
  /**
   * A MySQL option file whose [client] (then [headroom]) group fills what the config leaves out
   * (user, password, host, port, socket, ssl-*). Default: $HOME/.my.cnf when it exists.
   * `false`: none.
   */
  defaultsFile?: string | false;
  /**
   * Nothing will connect (scan --snapshot): read no file a connection would need (option file,
   * passwordFile, TLS files), and let an unset ${VAR} read as empty.
   */
  offline?: boolean;
  /**
   * No shard will be connected to (lint --config, history import --config), but the rest of the
   * file is used as written: `shards:` and `defaults:` are read as with `offline` (an unset
   * ${HEADROOM_PASSWORD} is fine, no option file, passwordFile or TLS file is read), while
   * `history:` and the other blocks stay strict.
   */
  shardsOffline?: boolean;
  /** Relative paths on the command line (--defaults-file, a URL's ssl-ca) start here. Default: process.cwd(). */
  cwd?: string;
}

/** What validateInventory needs beyond the object itself. */
export interface ValidateOptions {
  /** Settings read from an option file (lowest precedence). */
  clientOptions?: ClientOptions;
  /** Relative file paths in the config (ssl.ca, passwordFile) start here. Default: process.cwd(). */
  baseDir?: string;
  offline?: boolean;
  /** See LoadOptions.shardsOffline. */
  shardsOffline?: boolean;
}

/** The option file `options` asks for, read and reduced to the connection settings headroom uses (undefined: none). */
export function readClientOptions(env: Env, options: LoadOptions = {}): ClientOptions | undefined {
  if (options.offline || options.defaultsFile === false) return undefined;
  const cwd = options.cwd ?? process.cwd();
  if (typeof options.defaultsFile === 'string') {
    if (options.defaultsFile.trim() === '') throw new UsageError('--defaults-file: is empty; give the path of a MySQL option file');
    return clientOptions(readOptionFile(resolve(cwd, options.defaultsFile), options.defaultsFile));
  }
  const home = defaultOptionFilePath(env);
  if (!home || !existsSync(home)) return undefined;
  return clientOptions(readOptionFile(home, '~/.my.cnf'));
}
const TOP_KEYS = ['shards', 'defaults', 'thresholds', 'relationships', 'ignore', 'policy', 'runbookBaseUrl', 'history', 'vitess', 'rails'];

/** Read and validate an inventory file. */
export async function loadInventory(path: string, env: Env = process.env, options: LoadOptions = {}): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read config: ${fileErrorText(e)}`);
  }
  const client = options.shardsOffline ? undefined : readClientOptions(env, options);
  const inventory = parseInventory(text, path, env, {
    baseDir: dirname(resolve(options.cwd ?? process.cwd(), path)),
    ...(client ? { clientOptions: client } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(options.shardsOffline ? { shardsOffline: true } : {}),
  });
  if (inventory.vitess) inventory.vitess = await loadVSchemaFiles(inventory.vitess, path);
  // The Rails apps' models, read once here (docs/rails.md).
  if (inventory.rails) inventory.rails = await loadRails(inventory.rails);
  return inventory;
}

/** Parse inventory YAML text. `file` is only used in messages. */
export function parseInventory(text: string, file: string, env: Env = process.env, options: ValidateOptions = {}): Inventory {
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml package would otherwise print its warnings on stderr itself.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter, logLevel: 'error' });
  const at = (offset: number | undefined) => {
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    return pos ? `${file}:${pos.line}:${pos.col}` : file;
  };
  // Warnings too (an unknown !tag, for one): the file is checked strictly.
  const yamlError = doc.errors[0] ?? doc.warnings[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0] ?? lineCounter.linePos(yamlError.pos[0]);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const firstLine = yamlError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${where}: invalid YAML: ${firstLine}`);
  }
  // A list or mapping used as a key (`? [a]`) has no place in a config, and toJS would turn it into text.
  visit(doc, {
    Pair(_key, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        throw new UsageError(`${at((pair.key as { range?: [number, number, number] }).range?.[0])}: invalid YAML: a key must be a plain name, not a list or mapping`);
      }
    },
  });
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias to an anchor defined later (or nowhere), or an alias bomb.
    throw new UsageError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateInventory(root, file, env, options);
}

/** Validate an already-parsed object (from YAML or built in code). */
export function validateInventory(root: unknown, file: string, env: Env = process.env, options: ValidateOptions = {}): Inventory {
  const v = new Validator(file, env, options);
  // Shards nothing will connect to: read as offline (secrets need not be set), the rest strictly.
  const sv = options.shardsOffline && !options.offline ? new Validator(file, env, { ...options, offline: true }) : v;
  if (root === null || root === undefined) throw v.fail('', 'the file is empty; expected a mapping with `shards:`');
  const top = v.object(root, '');
  v.onlyKeys(top, '', TOP_KEYS);

  const defaults = top.defaults === undefined ? {} : v.object(top.defaults, 'defaults');
  v.onlyKeys(defaults, 'defaults', DEFAULT_KEYS);

  if (top.shards === undefined) throw v.fail('shards', 'missing: list at least one server');
  const shardList = v.array(top.shards, 'shards');
  if (shardList.length === 0) throw v.fail('shards', 'is empty: list at least one server');
  const shards = shardList.map((s, i) => sv.shard(s, `shards[${i}]`, defaults));
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
    ...(top.vitess !== undefined ? { vitess: parseVitessConfig(top.vitess, (f, why) => v.fail(f, why), shards.map((s) => s.name)) } : {}),
    ...(top.runbookBaseUrl !== undefined ? { runbookBaseUrl: v.string(top.runbookBaseUrl, 'runbookBaseUrl') } : {}),
    ...(top.history !== undefined ? { history: parseHistoryConfig(top.history, { fail: (f, why) => v.fail(f, why), string: (x, f) => v.string(x, f) }) } : {}),
    ...(top.rails !== undefined ? { rails: parseRailsConfig(top.rails, file, { fail: (f, why) => v.fail(f, why), string: (x, f) => v.string(x, f), path: (x, f) => v.path(x, f) }) } : {}),
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
export function inventoryFromUrl(url: string, env: Env = process.env, options: LoadOptions = {}): Inventory {
  const client = readClientOptions(env, options);
  const v = new Validator('command line', env, {
    baseDir: options.cwd ?? process.cwd(),
    ...(client ? { clientOptions: client } : {}),
    ...(options.offline ? { offline: true } : {}),
  });
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

/** The one-server form from the mysql client's flags (-h -P -u -p -S), the option file filling the rest. */
export function inventoryFromFields(
  fields: { host?: string; port?: number; user?: string; password?: string; socket?: string },
  env: Env = process.env,
  options: LoadOptions = {},
): Inventory {
  const client = readClientOptions(env, options);
  const v = new Validator('command line', env, {
    baseDir: options.cwd ?? process.cwd(),
    ...(client ? { clientOptions: client } : {}),
    ...(options.offline ? { offline: true } : {}),
  });
  if (!fields.host && !fields.socket && !client?.host && !client?.socket) throw new UsageError('which server? give -h HOST (and -P PORT) or -S SOCKET, or host= under [client] in ~/.my.cnf');
  if (!fields.user && !client?.user) throw new UsageError('which user? give -u USER, or user= under [client] in ~/.my.cnf');
  const raw: Record<string, unknown> = {};
  if (fields.host !== undefined) raw.host = fields.host;
  if (fields.port !== undefined) raw.port = fields.port;
  if (fields.user !== undefined) raw.user = fields.user;
  if (fields.socket !== undefined) raw.socket = fields.socket;
  const shard = v.shard(raw, 'flags', {}, 'flags');
  // Taken as it is: a password typed at the prompt is not a ${VAR} template.
  if (fields.password !== undefined) {
    shard.password = new Secret(fields.password);
    delete shard.passwordCommand;
    delete shard.passwordFrom;
  }
  return { source: 'command line', shards: [shard], thresholds: DEFAULT_THRESHOLDS, relationships: [], ignore: [], shardConcurrency: 1, policy: DEFAULT_POLICY };
}

interface ParsedUrl {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  databases?: string[];
  socket?: string;
  /** null: ssl-mode=DISABLED. */
  ssl?: TlsConfig | null;
}

class Validator {
  readonly #pem = new Map<string, { text: string } | { error: string }>();
  constructor(
    private readonly file: string,
    private readonly env: Env,
    private readonly opts: ValidateOptions = {},
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
      // Nothing connects (scan --snapshot): a variable meant for a password need not be set.
      if (this.opts.offline) return '';
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
      throw this.fail(field, `unsupported scheme "${u.protocol.replace(/:$/, '').slice(0, 20)}"; expected mysql://user@host:3306`);
    }
    // A "#" or "?" in a password must be %-escaped, or the URL ends there: never echo what follows.
    if (u.hash) throw this.fail(field, 'is not a valid URL: it has a "#" (write it as %23, in a password for example)');
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
    if (u.search) Object.assign(out, this.urlParams(u.search, field));
    return out;
  }

  /** `?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem&socket=/run/mysqld.sock` (names as the stock client spells them; `_` works too). */
  urlParams(search: string, field: string): Pick<ParsedUrl, 'socket' | 'ssl'> {
    const params = new Map<string, string>();
    for (const part of search.replace(/^\?/, '').split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      let rawName: string;
      let rawValue: string;
      try {
        rawName = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
        rawValue = decodeURIComponent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
      } catch {
        throw this.fail(field, 'is not a valid URL: a bad %-escape in the query (write % as %25)');
      }
      const name = rawName.toLowerCase().replace(/_/g, '-');
      if (!URL_PARAMS.includes(name)) {
        // Name the parameter only when it is a near miss of a known one: it could be a piece of an unescaped password.
        const hint = closest(name, URL_PARAMS);
        throw this.fail(field, `${hint ? `unknown query parameter (did you mean "${hint}"?)` : 'unknown query parameter'}; supported: ${URL_PARAMS.join(', ')}`);
      }
      if (params.has(name)) throw this.fail(field, `query parameter ${name} is given twice`);
      if (rawValue.trim() === '') throw this.fail(field, `query parameter ${name} is empty`);
      params.set(name, rawValue);
    }
    const out: Pick<ParsedUrl, 'socket' | 'ssl'> = {};
    const socket = params.get('socket');
    if (socket) out.socket = socket;
    const modeText = params.get('ssl-mode');
    const files = { ca: params.get('ssl-ca'), cert: params.get('ssl-cert'), key: params.get('ssl-key') };
    let mode: TlsMode | 'disabled' | undefined;
    if (modeText !== undefined) {
      const m = modeText.trim().toUpperCase().replace(/-/g, '_');
      if (m === 'PREFERRED') throw this.fail(field, 'ssl-mode=PREFERRED (TLS only if the server offers it) is not supported; use REQUIRED, VERIFY_CA, VERIFY_IDENTITY or DISABLED');
      mode = ({ DISABLED: 'disabled', REQUIRED: 'required', VERIFY_CA: 'verify-ca', VERIFY_IDENTITY: 'verify-identity' } as const)[m as 'DISABLED'];
      if (!mode) throw this.fail(field, `ssl-mode: expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, got "${modeText.slice(0, 20)}"`);
    }
    if (mode === 'disabled') {
      if (files.ca || files.cert || files.key) throw this.fail(field, 'ssl-mode=DISABLED with ssl-ca/ssl-cert/ssl-key: drop one or the other');
      out.ssl = null;
    } else if (mode || files.ca || files.cert || files.key) {
      out.ssl = this.tls(mode ?? (files.ca ? 'verify-identity' : 'required'), files, field, (k) => `${field} ssl-${k}`, this.opts.baseDir);
    }
    return out;
  }

  /** `replicas:` — the shard's replicas as `host:port` (or `host`, port 3306): the copy tools throttle on their lag. Never connected to by headroom. */
  replicas(value: unknown, field: string): { host: string; port: number }[] {
    if (!Array.isArray(value) || value.length === 0) throw this.fail(field, 'expected a list of host:port');
    return value.map((v, i) => {
      const text = this.string(v, `${field}[${i}]`).trim();
      const m = /^(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(text);
      const port = m?.[2] === undefined ? DEFAULT_PORT : Number(m[2]);
      if (!m || port < 1 || port > 65535) throw this.fail(`${field}[${i}]`, `expected host:port, got ${JSON.stringify(text)}`);
      return { host: m[1]!, port };
    });
  }

  /**
   * One shard. Each setting comes from the first place that has it: the shard's own field, its
   * url, `defaults`, then the option file ([client] of ~/.my.cnf or --defaults-file).
   */
  shard(value: unknown, field: string, defaults: Obj, urlField = `${field}.url`): ShardConfig {
    const s = this.object(value, field);
    this.onlyKeys(s, field, SHARD_KEYS);
    const fromUrl = s.url === undefined ? {} : this.url(s.url, urlField);
    const opt = this.opts.clientOptions;
    const offline = Boolean(this.opts.offline);
    const pick = (key: string): [unknown, string] | undefined => {
      if (s[key] !== undefined) return [s[key], `${field}.${key}`];
      if (defaults[key] !== undefined) return [defaults[key], `defaults.${key}`];
      return undefined;
    };
    const str = (key: string): string | undefined => {
      const p = pick(key);
      return p === undefined ? undefined : this.string(p[0], p[1]);
    };
    const own = (key: string): string | undefined => (s[key] !== undefined ? this.string(s[key], `${field}.${key}`) : undefined);
    const fromDefaults = (key: string): string | undefined => (defaults[key] !== undefined ? this.string(defaults[key], `defaults.${key}`) : undefined);

    const host = own('host') ?? fromUrl.host ?? fromDefaults('host') ?? opt?.host;
    // As the stock client: an option file's socket applies only to localhost (or no host at all).
    const socketPath = own('socket') ?? fromUrl.socket ?? fromDefaults('socket') ?? (!host || host === 'localhost' ? opt?.socket : undefined);
    if (!host && !socketPath && !offline) throw this.fail(`${field}.host`, 'missing: set host, url or socket');
    const portPick = s.port !== undefined ? ([s.port, `${field}.port`] as const) : undefined;
    const port =
      portPick !== undefined
        ? this.positiveInt(portPick[0], portPick[1], 65535)
        : (fromUrl.port ?? (defaults.port !== undefined ? this.positiveInt(defaults.port, 'defaults.port', 65535) : (opt?.port ?? DEFAULT_PORT)));
    const user = own('user') ?? fromUrl.user ?? fromDefaults('user') ?? opt?.user;
    if (!user && !offline) {
      // The zero-config form has no shard or defaults to point at.
      if (field === 'url') throw this.fail('url', 'no user: write mysql://USER@host:port, or set user= under [client] in ~/.my.cnf');
      throw this.fail(`${field}.user`, 'missing: set user on the shard, in defaults, or in url');
    }
    const secret =
      this.passwordAt(s, field) ??
      (fromUrl.password !== undefined ? { password: new Secret(fromUrl.password) } : undefined) ??
      this.passwordAt(defaults, 'defaults') ??
      (opt?.password ? { password: opt.password, from: opt.from } : undefined) ?? { password: new Secret('') };
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
    // TLS is one setting: the first place that says anything about it decides all of it.
    const ssl =
      s.ssl !== undefined
        ? this.ssl(s.ssl, `${field}.ssl`)
        : fromUrl.ssl !== undefined
          ? fromUrl.ssl
          : defaults.ssl !== undefined
            ? this.ssl(defaults.ssl, 'defaults.ssl')
            : opt?.ssl
              ? this.optionFileSsl(opt)
              : undefined;

    const shard: ShardConfig = {
      name,
      host: host ?? 'localhost',
      port,
      user: user ?? '',
      password: secret.password,
      databases,
      exclude,
      concurrency,
      timeoutSeconds,
    };
    if (socketPath) shard.socketPath = socketPath;
    if (ssl) shard.ssl = ssl;
    if (s.replicas !== undefined) shard.replicas = this.replicas(s.replicas, `${field}.replicas`);
    if (secret.command) shard.passwordCommand = secret.command;
    if (secret.from) shard.passwordFrom = secret.from;
    return shard;
  }

  /** The password set at one level (a shard or defaults): at most one of password, passwordFile, passwordCommand. */
  passwordAt(o: Obj, prefix: string): { password: Secret; from?: string; command?: PasswordCommand } | undefined {
    const set = ['password', 'passwordFile', 'passwordCommand'].filter((k) => o[k] !== undefined);
    if (set.length === 0) return undefined;
    if (set.length > 1) throw this.fail(`${prefix}.${set[1]}`, `give one of password, passwordFile, passwordCommand (${prefix}.${set[0]} is set too)`);
    const field = `${prefix}.${set[0]}`;
    if (set[0] === 'password') return { password: new Secret(this.string(o.password, field)) };
    if (set[0] === 'passwordFile') {
      const path = this.path(o.passwordFile, field);
      if (this.opts.offline) return { password: new Secret(''), from: field };
      return { password: new Secret(this.readPasswordFile(path, field)), from: field };
    }
    const raw = o.passwordCommand;
    let argv: string[];
    if (typeof raw === 'string') {
      const text = this.string(raw, field);
      if (text.trim() === '') throw this.fail(field, 'is empty; expected a command whose output is the password');
      argv = ['/bin/sh', '-c', text];
    } else if (Array.isArray(raw)) {
      if (raw.length === 0) throw this.fail(field, 'is an empty list; expected [program, arg, ...]');
      argv = raw.map((a, i) => this.string(a, `${field}[${i}]`));
      if (argv[0]!.trim() === '') throw this.fail(`${field}[0]`, 'is empty; expected the program to run');
    } else {
      throw this.fail(field, `expected a command (run with sh -c) or a list [program, arg, ...], got ${describe(raw)}`);
    }
    return { password: new Secret(''), from: field, command: { argv, from: field } };
  }

  /** A file path; relative ones start at the config file's directory, `~/` at $HOME. */
  path(value: unknown, field: string, baseDir = this.opts.baseDir): string {
    const text = this.string(value, field);
    if (text.trim() === '') throw this.fail(field, 'is empty; expected a file path');
    return resolvePath(text, baseDir, this.env);
  }

  readPasswordFile(path: string, field: string): string {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw this.fail(field, `cannot read ${path}: ${fileErrorText(e)}`);
    }
    const password = text.replace(/(\r?\n)+$/, '');
    if (password === '') throw this.fail(field, `${path} is empty; expected the password`);
    if (/[\r\n]/.test(password)) throw this.fail(field, `${path} has more than one line; expected just the password`);
    return password;
  }

  /**
   * `ssl: required | verify-ca | verify-identity | disabled` (or true/false), or
   * `ssl: { ca, cert, key, rejectUnauthorized, mode }`. null = explicitly off.
   */
  ssl(value: unknown, field: string): TlsConfig | null {
    if (typeof value === 'boolean') return value ? this.tls('required', {}, field, (k) => `${field}.${k}`) : null;
    if (typeof value === 'string') {
      const mode = parseTlsMode(this.string(value, field));
      if (mode === undefined) throw this.fail(field, `expected required, verify-ca, verify-identity or disabled (or a mapping with ca, cert, key), got ${describe(value)}`);
      return mode === 'disabled' ? null : this.tls(mode, {}, field, (k) => `${field}.${k}`);
    }
    const o = this.object(value, field);
    this.onlyKeys(o, field, ['ca', 'cert', 'key', 'rejectUnauthorized', 'mode']);
    const files = {
      ca: o.ca === undefined ? undefined : this.string(o.ca, `${field}.ca`),
      cert: o.cert === undefined ? undefined : this.string(o.cert, `${field}.cert`),
      key: o.key === undefined ? undefined : this.string(o.key, `${field}.key`),
    };
    if (o.rejectUnauthorized !== undefined && typeof o.rejectUnauthorized !== 'boolean') {
      throw this.fail(`${field}.rejectUnauthorized`, `expected true or false, got ${describe(o.rejectUnauthorized)}`);
    }
    let mode: TlsMode | 'disabled' | undefined;
    if (o.mode !== undefined) {
      mode = parseTlsMode(this.string(o.mode, `${field}.mode`));
      if (mode === undefined) throw this.fail(`${field}.mode`, `expected required, verify-ca, verify-identity or disabled, got ${describe(o.mode)}`);
      if (mode === 'disabled') {
        if (files.ca || files.cert || files.key) throw this.fail(`${field}.mode`, 'is disabled but certificate files are given; drop one or the other');
        return null;
      }
      if (o.rejectUnauthorized === false && mode !== 'required') {
        throw this.fail(`${field}.rejectUnauthorized`, `false turns off the certificate check that mode ${mode} asks for; drop one of them`);
      }
    }
    const finalMode: TlsMode = mode !== undefined && mode !== 'disabled' ? mode : o.rejectUnauthorized === false ? 'required' : 'verify-identity';
    return this.tls(finalMode, files, field, (k) => `${field}.${k}`);
  }

  /** Build a TlsConfig, reading the PEM files now (unless offline) so a wrong path fails before any connection. */
  tls(mode: TlsMode, files: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined }, from: string, fieldOf: (k: 'ca' | 'cert' | 'key') => string, baseDir = this.opts.baseDir): TlsConfig {
    if (Boolean(files.cert) !== Boolean(files.key)) {
      const missing = files.cert ? 'key' : 'cert';
      throw this.failAt(fieldOf(missing), `missing: a client ${files.cert ? 'certificate needs its key' : 'key needs its certificate'}`);
    }
    const out: TlsConfig = { mode, from };
    for (const k of ['ca', 'cert', 'key'] as const) {
      const given = files[k];
      if (given === undefined) continue;
      if (given.trim() === '') throw this.failAt(fieldOf(k), 'is empty; expected a file path');
      const path = resolvePath(given, baseDir, this.env);
      out[`${k}File`] = path;
      if (this.opts.offline) continue;
      let read = this.#pem.get(`${k}\u0000${path}`);
      if (!read) this.#pem.set(`${k}\u0000${path}`, (read = readPem(path, k === 'key' ? 'key' : 'certificate')));
      if ('error' in read) throw this.failAt(fieldOf(k), read.error);
      if (k === 'key') out.key = new Secret(read.text);
      else out[k] = read.text;
    }
    return out;
  }

  /** TLS from the option file; its paths start at the current directory, as for the stock client. */
  optionFileSsl(opt: ClientOptions): TlsConfig | null {
    const ssl = opt.ssl!;
    if (ssl.mode === 'disabled') return null;
    return this.tls(ssl.mode ?? 'required', { ca: ssl.ca, cert: ssl.cert, key: ssl.key }, opt.from, (k) => `${ssl.where}: ssl-${k}`, process.cwd());
  }

  /** A failure whose "field" may be a `file:line: key` place outside the config (an option file, a URL parameter). */
  failAt(place: string, message: string): UsageError {
    return /^\S+:\d+: /.test(place) ? new UsageError(`${place}: ${message}`) : this.fail(place, message);
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
  // JSON quoting: a newline or control character in the value must not break the one-line message.
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** The allowed key a typo most likely meant (edit distance ≤ 2). */

function parseTlsMode(text: string): TlsMode | 'disabled' | undefined {
  const t = text.trim().toLowerCase().replace(/_/g, '-');
  if (t === 'required' || t === 'verify-ca' || t === 'verify-identity' || t === 'disabled') return t;
  return undefined;
}

/** `~/x` → $HOME/x; relative → from baseDir (default: the current directory). */
function resolvePath(path: string, baseDir: string | undefined, env: Env): string {
  if (path === '~' || path.startsWith('~/')) {
    const home = env.HOME;
    if (home) return resolve(home, path.slice(2));
  }
  return isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
}
