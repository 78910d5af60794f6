/**
 * The command-line flags of the four online schema change tools, as each tool's own source defines
 * them, and a checker for a generated command line against them.
 *
 * Read from (see each entry for repo, path, tag and commit):
 * - gh-ost: go/cmd/gh-ost/main.go, Go's standard `flag` package.
 * - Spirit: pkg/migration/migration.go, the `Migration` struct's kong tags (two forms: v0.16.0 and main).
 * - pt-online-schema-change 3.2.1: the POD in /usr/bin/pt-online-schema-change (Debian percona-toolkit
 *   3.2.1-1); its OptionParser builds Getopt::Long specs from `=item --x` plus `type:` lines.
 * - vtctldclient: go/cmd/vtctldclient/command/{root,schema,onlineddl}.go, cobra + pflag.
 *
 * Test-side only. Keep it to what the parsers really do; every rule below names the parser behaviour.
 */

export type FlagKind = 'bool' | 'value';

/** How a tool's parser reads argv. Each one differs in a way that matters to a generated line. */
export type Parser =
  | 'go-flag' // gh-ost. -x and --x alike; a bool takes only --x=v; parsing STOPS at the first non-flag word.
  | 'kong' // Spirit. --x=v or --x v; a bool takes only --x=true|1|yes|false|0|no; stray words are errors.
  | 'getopt-long' // pt-osc. bundling: long needs --, short -h; bools take no value; --[no]x negatable.
  | 'pflag'; // vtctldclient. --x=v or --x v; positionals may come anywhere; -h is help.

export interface Subcommand {
  flags: Record<string, FlagKind>;
  /** Positional arguments after the subcommand words: [min, max]. */
  args: [number, number];
}

export interface ToolFlags {
  tool: string;
  form?: string;
  version: string;
  commit: string;
  repo: string;
  /** Path of the definition inside the repo (or on this machine, for pt-osc). */
  source: string;
  parser: Parser;
  /** The words that start the command line, e.g. ['spirit', 'migrate']. */
  command: string[];
  flags: Record<string, FlagKind>;
  /** Short option letter → long name (getopt-long and pflag only). */
  shorts?: Record<string, string>;
  /** getopt-long `--[no]x` options: --nox and --no-x are accepted too. */
  negatable?: string[];
  /** Flags the tool refuses to run without. */
  required?: string[];
  /** vtctldclient: subcommand path (space-joined) → its own flags and positional count. */
  subcommands?: Record<string, Subcommand>;
}

// ---------------------------------------------------------------------------------------------
// gh-ost — github/gh-ost, go/cmd/gh-ost/main.go at tag v1.1.10, commit 835f5379afe7318d80d4f347016e3d81721327c7.
// Every flag.String/Bool/Int/Int64/Uint/Float64/...Var and flag.Var call, in source order (107).
// master (145799eeb80081c8b66fe5f56f1d94e3d8fb1b35) adds one: --analyze-ghost-table-before-cutover (bool).
// There is NO flag for a MySQL Unix socket: go/mysql/connection.go GetDBUri always builds `tcp(host:port)`.
// (--serve-socket-file is gh-ost's own interactive-command socket, not a MySQL connection.)
// Required: --alter (main.go: "--alter must be provided", unless --revert); --database/--table may come from --alter.
export const GHOST: ToolFlags = {
  tool: 'gh-ost',
  version: 'v1.1.10',
  commit: '835f5379afe7318d80d4f347016e3d81721327c7',
  repo: 'github/gh-ost',
  source: 'go/cmd/gh-ost/main.go',
  parser: 'go-flag',
  command: ['gh-ost'],
  required: ['alter'],
  flags: {
    host: 'value', 'assume-master-host': 'value', port: 'value', 'mysql-timeout': 'value', user: 'value',
    password: 'value', 'master-user': 'value', 'master-password': 'value', conf: 'value', 'ask-pass': 'bool',
    charset: 'value', ssl: 'bool', 'ssl-ca': 'value', 'ssl-cert': 'value', 'ssl-key': 'value',
    'ssl-allow-insecure': 'bool', database: 'value', table: 'value', alter: 'value', 'attempt-instant-ddl': 'bool',
    'storage-engine': 'value', 'exact-rowcount': 'bool', 'concurrent-rowcount': 'bool', 'allow-on-master': 'bool',
    'allow-master-master': 'bool', 'allow-nullable-unique-key': 'bool', 'approve-renamed-columns': 'bool',
    'skip-renamed-columns': 'bool', tungsten: 'bool', 'discard-foreign-keys': 'bool', 'skip-foreign-key-checks': 'bool',
    'skip-strict-mode': 'bool', 'allow-zero-in-date': 'bool', 'aliyun-rds': 'bool', gcp: 'bool', azure: 'bool',
    gtid: 'bool', execute: 'bool', 'test-on-replica': 'bool', 'test-on-replica-skip-replica-stop': 'bool',
    'migrate-on-replica': 'bool', 'ok-to-drop-table': 'bool', 'initially-drop-old-table': 'bool',
    'initially-drop-ghost-table': 'bool', 'timestamp-old-table': 'bool', 'cut-over': 'value',
    'force-named-cut-over': 'bool', 'force-named-panic': 'bool', 'switch-to-rbr': 'bool', 'assume-rbr': 'bool',
    'cut-over-exponential-backoff': 'bool', 'exponential-backoff-max-interval': 'value', 'chunk-size': 'value',
    'dml-batch-size': 'value', 'default-retries': 'value', 'panic-on-warnings': 'bool',
    'cut-over-lock-timeout-seconds': 'value', 'nice-ratio': 'value', 'max-lag-millis': 'value',
    'replication-lag-query': 'value', 'throttle-control-replicas': 'value', 'throttle-query': 'value',
    'throttle-http': 'value', 'throttle-http-interval-millis': 'value', 'throttle-http-timeout-millis': 'value',
    'ignore-http-errors': 'bool', 'heartbeat-interval-millis': 'value', 'throttle-flag-file': 'value',
    'throttle-additional-flag-file': 'value', 'postpone-cut-over-flag-file': 'value', 'panic-flag-file': 'value',
    'initially-drop-socket-file': 'bool', 'serve-socket-file': 'value', 'serve-tcp-port': 'value', 'hooks-path': 'value',
    'hooks-hint': 'value', 'hooks-hint-owner': 'value', 'hooks-hint-token': 'value', 'hooks-status-interval': 'value',
    'replica-server-id': 'value', 'allow-setup-metadata-lock-instruments': 'bool', 'skip-metadata-lock-check': 'bool',
    'binlogsyncer-max-reconnect-attempts': 'value', 'include-triggers': 'bool', 'trigger-suffix': 'value',
    'remove-trigger-suffix-if-exists': 'bool', 'skip-port-validation': 'bool', checkpoint: 'bool',
    'checkpoint-seconds': 'value', resume: 'bool', revert: 'bool', 'old-table': 'value', 'max-load': 'value',
    'critical-load': 'value', 'critical-load-interval-millis': 'value', 'critical-load-hibernate-seconds': 'value',
    'statsd-addr': 'value', 'statsd-tags': 'value', 'runtime-metrics-interval': 'value', quiet: 'bool',
    verbose: 'bool', debug: 'bool', stack: 'bool', help: 'bool', version: 'bool', 'check-flag': 'bool',
    'force-table-names': 'value',
  },
};

// ---------------------------------------------------------------------------------------------
// Spirit — block/spirit (formerly cashapp/spirit), pkg/migration/migration.go, `type Migration struct`,
// plus the root `--version`/`-v` (cmd/spirit/main.go) and kong's own `--help`/`-h`.
// Hidden flags (interpolate-params, respect-sentinel) are still parsed, so they are listed.
const SPIRIT_COMMON: Record<string, FlagKind> = {
  host: 'value', // "Hostname"; no ":" → confParams port (default 3306) is appended (normalizeConnectionOptions)
  username: 'value',
  password: 'value', // *string
  database: 'value',
  conf: 'value', // type:"existingfile": kong refuses a path that does not exist
  threads: 'value', // int, default 4
  'write-threads': 'value', // int, default 4
  'enable-experimental-autoscaling': 'bool', // default false
  'target-chunk-size': 'value', // uint64, default 16777216
  'replica-dsn': 'value',
  'replica-max-lag': 'value', // time.Duration, default 120s
  'lock-wait-timeout': 'value', // time.Duration, default 30s
  'skip-drop-after-cutover': 'bool', // default false
  'defer-cutover': 'bool', // default false; waits until `_spirit_sentinel` is dropped (48 h limit)
  'tls-mode': 'value',
  'tls-ca': 'value',
  'checkpoint-max-age': 'value', // time.Duration, default 168h
  'checksum-yield-timeout': 'value', // time.Duration, default 24h
  'max-commit-latency': 'value', // time.Duration, default 100ms
  'interpolate-params': 'bool', // hidden, default false
  'respect-sentinel': 'bool', // hidden, default true
  help: 'bool',
  version: 'bool',
};

// (a) v0.16.0, the newest tag (commit 9d6bdd67a9e15f3f411756b4181162e43500c376): the last form with
// --table/--alter. --table/--alter exist from v0.1.0-prerelease; --statement was added in v0.8.0 and
// is mutually exclusive with them ("only --statement or --table and --alter can be specified").
export const SPIRIT_V0_16: ToolFlags = {
  tool: 'spirit',
  form: 'v0.16.0',
  version: 'v0.16.0',
  commit: '9d6bdd67a9e15f3f411756b4181162e43500c376',
  repo: 'block/spirit',
  source: 'pkg/migration/migration.go',
  parser: 'kong',
  command: ['spirit', 'migrate'],
  flags: {
    ...SPIRIT_COMMON,
    table: 'value',
    alter: 'value',
    'target-chunk-time': 'value', // time.Duration, default 500ms (checksum and --unbuffered copier only)
    'skip-force-kill': 'bool', // default false
    statement: 'value', // default ""
    lint: 'bool',
    'lint-only': 'bool',
    unbuffered: 'bool', // default false
    'enable-experimental-gtid': 'bool', // default false
  },
};

// (b) main at e4b69b6efe9e7e9bc7dc1eb4955ceac10135c913 (no tag yet). --statement is required:"" and the
// only way to name the change. Removed since v0.16.0: --lint/--lint-only (fc3efbdd, #1131), --unbuffered
// (642fc11a, #1140), --enable-experimental-gtid (d98951d0, #1139), --skip-force-kill (b131233d, #1143),
// --table/--alter (c15df3f0, #1149), --target-chunk-time (cc006c92, #1151).
export const SPIRIT_MAIN: ToolFlags = {
  tool: 'spirit',
  form: 'main',
  version: 'main',
  commit: 'e4b69b6efe9e7e9bc7dc1eb4955ceac10135c913',
  repo: 'block/spirit',
  source: 'pkg/migration/migration.go',
  parser: 'kong',
  command: ['spirit', 'migrate'],
  required: ['statement'],
  flags: { ...SPIRIT_COMMON, statement: 'value' },
};

// ---------------------------------------------------------------------------------------------
// pt-online-schema-change 3.2.1 — Debian package percona-toolkit 3.2.1-1, /usr/bin/pt-online-schema-change,
// POD `=head1 OPTIONS` (62 `=item --` entries). A `type:` line (string, int, float, size, time, array,
// Array, DSN) → value; otherwise boolean. OptionParser::_parse_specs; Getopt::Long::Configure('no_ignore_case',
// 'bundling'). Getopt::Long also accepts unique abbreviations (--exec); this checker does not, on purpose.
// Positional: exactly one DSN ("Specify only one DSN on the command line"), which must give D and t
// ("The DSN must specify a database (D) and a table (t)"; D may come from --database).
// --dry-run and --execute are mutually exclusive; with neither it exits "without altering".
export const PT_OSC: ToolFlags = {
  tool: 'pt-online-schema-change',
  version: '3.2.1',
  commit: 'Debian percona-toolkit 3.2.1-1 (no git commit; script dated 2020-08-30)',
  repo: 'percona/percona-toolkit',
  source: '/usr/bin/pt-online-schema-change (POD =head1 OPTIONS, DSNParser::parse)',
  parser: 'getopt-long',
  command: ['pt-online-schema-change'],
  flags: {
    alter: 'value', 'alter-foreign-keys-method': 'value', 'analyze-before-swap': 'bool', 'ask-pass': 'bool',
    channel: 'value', charset: 'value', 'check-alter': 'bool', 'check-foreign-keys': 'bool', 'check-interval': 'value',
    'check-plan': 'bool', 'check-replication-filters': 'bool', 'check-slave-lag': 'value', 'chunk-index': 'value',
    'chunk-index-columns': 'value', 'chunk-size': 'value', 'chunk-size-limit': 'value', 'chunk-time': 'value',
    config: 'value', 'critical-load': 'value', database: 'value', 'default-engine': 'bool', 'data-dir': 'value',
    'remove-data-dir': 'bool', 'defaults-file': 'value', 'drop-new-table': 'bool', 'drop-old-table': 'bool',
    'drop-triggers': 'bool', 'dry-run': 'bool', execute: 'bool', 'check-unique-key-change': 'bool', force: 'bool',
    help: 'bool', host: 'value', 'max-flow-ctl': 'value', 'max-lag': 'value', 'max-load': 'value',
    'preserve-triggers': 'bool', 'new-table-name': 'value', 'null-to-not-null': 'bool', 'only-same-schema-fks': 'bool',
    password: 'value', 'pause-file': 'value', pid: 'value', plugin: 'value', port: 'value', print: 'bool',
    progress: 'value', quiet: 'bool', recurse: 'value', 'recursion-method': 'value', 'skip-check-slave-lag': 'value',
    'slave-user': 'value', 'slave-password': 'value', 'set-vars': 'value', sleep: 'value', socket: 'value',
    statistics: 'bool', 'swap-tables': 'bool', tries: 'value', user: 'value', version: 'bool', 'version-check': 'bool',
  },
  shorts: { A: 'charset', D: 'database', F: 'defaults-file', h: 'host', p: 'password', P: 'port', S: 'socket', u: 'user', q: 'quiet' },
  negatable: [
    'analyze-before-swap', 'check-alter', 'check-foreign-keys', 'check-plan', 'check-replication-filters',
    'drop-new-table', 'drop-old-table', 'drop-triggers', 'check-unique-key-change', 'swap-tables', 'version-check',
  ],
};

/** pt-osc POD `=head1 DSN OPTIONS`: A charset, D database, F defaults file, h host, p password, P port, S socket, t table, u user. */
export const PT_OSC_DSN_KEYS = ['A', 'D', 'F', 'h', 'p', 'P', 'S', 't', 'u'];

// ---------------------------------------------------------------------------------------------
// vtctldclient — vitessio/vitess (too large to fetch here; read from the file index, which holds several
// versions of each file without naming their release):
// - root.go at cc6ab6c6a4022b917916da8b80df067a3f0c2a11: Root.PersistentFlags() --server (required:
//   "please specify --server <vtctld_host:vtctld_port>") and --action_timeout (underscore, default 1h).
// - schema.go, the newest stored version (index id 10896066539, commit not named; it has --batch-size and
//   no --allow-long-unavailability/--skip-preflight, which an older version, aedc99eb354a42c3ea0c041d7854ef73e03aab2a,
//   still had as bools). ApplySchema: cobra.ExactArgs(1) = <keyspace>; exactly one of --sql|--sql-file.
// - onlineddl.go at f8bf1e43689f6b9460ec51ddc5502b85873b4873: `OnlineDDL <cmd> <keyspace> [args]`;
//   cancel/complete/launch/throttle/unthrottle/force-cutover take <keyspace> <uuid|all>, cleanup/retry
//   <keyspace> <uuid> (ExactArgs(2)); show takes <keyspace> [uuid|all|recent|status|context] (RangeArgs(1,2)).
// - vschemas.go (index id 2225720672, commit not named): ApplyVSchema --vschema, --vschema-file, --sql,
//   --sql-file, --dry-run (bool), --skip-rebuild (bool), --cells, cobra.ExactArgs(1) = <keyspace>;
//   GetVSchema <keyspace> (ExactArgs(1), no flags).
// Global logging/grpc flags registered elsewhere are not listed.
const NO_FLAGS: Record<string, FlagKind> = {};
const uuidOrAll: Subcommand = { flags: NO_FLAGS, args: [2, 2] };
export const VTCTLDCLIENT: ToolFlags = {
  tool: 'vtctldclient',
  version: 'vitess main (file-index versions; see comment)',
  commit: 'root.go cc6ab6c6a4022b917916da8b80df067a3f0c2a11; onlineddl.go f8bf1e43689f6b9460ec51ddc5502b85873b4873; schema.go index id 10896066539',
  repo: 'vitessio/vitess',
  source: 'go/cmd/vtctldclient/command/root.go, schema.go, onlineddl.go',
  parser: 'pflag',
  command: ['vtctldclient'],
  required: ['server'],
  flags: { server: 'value', action_timeout: 'value', help: 'bool' },
  shorts: { h: 'help' },
  subcommands: {
    ApplySchema: {
      flags: {
        'ddl-strategy': 'value', uuid: 'value', 'migration-context': 'value', 'wait-replicas-timeout': 'value',
        'caller-id': 'value', sql: 'value', 'sql-file': 'value', 'batch-size': 'value',
      },
      args: [1, 1],
    },
    'OnlineDDL cancel': uuidOrAll,
    'OnlineDDL cleanup': uuidOrAll,
    'OnlineDDL complete': uuidOrAll,
    'OnlineDDL launch': uuidOrAll,
    'OnlineDDL retry': uuidOrAll,
    'OnlineDDL throttle': uuidOrAll,
    'OnlineDDL unthrottle': uuidOrAll,
    'OnlineDDL force-cutover': uuidOrAll,
    'OnlineDDL show': { flags: { json: 'bool', order: 'value', limit: 'value', skip: 'value' }, args: [1, 2] },
    ApplyVSchema: {
      flags: { vschema: 'value', 'vschema-file': 'value', sql: 'value', 'sql-file': 'value', 'dry-run': 'bool', 'skip-rebuild': 'bool', cells: 'value' },
      args: [1, 1],
    },
    GetVSchema: { flags: NO_FLAGS, args: [1, 1] },
  },
};

export const TOOL_FLAGS: ToolFlags[] = [GHOST, SPIRIT_V0_16, SPIRIT_MAIN, PT_OSC, VTCTLDCLIENT];

export function toolFlags(tool: string, form?: string): ToolFlags {
  const all = TOOL_FLAGS.filter((t) => t.tool === tool);
  const hit = form === undefined ? all[0] : all.find((t) => t.form === form);
  if (!hit) throw new Error(`no flag registry for ${tool}${form ? ` (${form})` : ''}`);
  return hit;
}

// ---------------------------------------------------------------------------------------------
// POSIX shell words: '…' literal; "…" with \ escaping only $ ` " \ and newline; \x outside quotes;
// a # starting a word begins a comment. Unquoted | & ; < > ( ) are reported: they are not arguments,
// and the word after < or > is a redirection target, not an argument (so it is dropped).

export function shellWords(line: string): { words: string[]; problems: string[] } {
  const words: string[] = [];
  const problems: string[] = [];
  let cur = '';
  let inWord = false;
  let redirect = false;
  let i = 0;
  const end = () => {
    if (inWord && redirect) redirect = false;
    else if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return { words, problems: [...problems, 'unterminated single quote'] };
      cur += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1]!)) i++;
        cur += line[i];
        i++;
      }
      if (i >= line.length) return { words, problems: [...problems, 'unterminated double quote'] };
      i++;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if ('|&;<>()'.includes(c)) {
      problems.push(`unquoted shell operator ${JSON.stringify(c)} at column ${i + 1}: the shell does not pass it as an argument`);
      end();
      if (redirect && '<>'.includes(c)) problems.push(`redirection ${JSON.stringify(c)} has no target: a shell syntax error`);
      redirect = '<>'.includes(c);
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  end();
  if (redirect) problems.push('a redirection at the end of the line has no target: a shell syntax error');
  return { words, problems };
}

// ---------------------------------------------------------------------------------------------

const GO_BOOL = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/; // strconv.ParseBool (flag, pflag)
const KONG_BOOL = /^(true|1|yes|false|0|no)$/i; // kong boolMapper.Decode

/**
 * Problems with `line` as `tool` would parse it: unknown flags, a value flag without a value, a bool
 * given a value it rejects, stray or missing positionals, and for pt-osc the DSN. Empty = looks fine.
 */
export function checkCommandLine(tool: string, line: string, form?: string): string[] {
  const reg = toolFlags(tool, form);
  const { words, problems } = shellWords(line);
  const cmd = words.slice(0, reg.command.length);
  if (cmd.join(' ') !== reg.command.join(' ')) return [...problems, `does not start with "${reg.command.join(' ')}"`];
  let args = words.slice(reg.command.length);

  // vtctldclient: the subcommand words are the first positionals (flags may come before them).
  let flags = reg.flags;
  let sub: Subcommand | undefined;
  if (reg.subcommands) {
    const positional = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && isValueFlag(reg, args[i - 1]!)));
    const name = [positional.slice(0, 2).join(' '), positional[0] ?? ''].find((n) => reg.subcommands![n]);
    if (!name) return [...problems, `unknown subcommand ${JSON.stringify(positional.slice(0, 2).join(' '))}`];
    sub = reg.subcommands[name];
    flags = { ...reg.flags, ...sub!.flags };
    const drop = name.split(' ');
    args = args.filter((a) => (drop[0] === a ? (drop.shift(), false) : true));
  }

  const seen = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (reg.parser === 'go-flag') {
        problems.push(`${JSON.stringify(a)} is not a flag: Go's flag package stops here and ignores everything after it`);
        break;
      }
      positionals.push(a);
      continue;
    }
    let name: string;
    let value: string | undefined;
    const long = a.startsWith('--') || reg.parser === 'go-flag'; // Go's flag treats -x as --x
    if (long) {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      name = eq < 0 ? body : body.slice(0, eq);
      value = eq < 0 ? undefined : body.slice(eq + 1);
    } else {
      const short = reg.shorts?.[a[1]!];
      if (!short) {
        problems.push(`unknown short option ${a.slice(0, 2)}`);
        continue;
      }
      name = short;
      value = a.length > 2 ? a.slice(2).replace(/^=/, '') : undefined;
    }
    if (reg.negatable && !(name in flags)) {
      const base = name.replace(/^no-?/, '');
      if (base !== name && reg.negatable.includes(base)) {
        if (value !== undefined) problems.push(`--${name} takes no value (got ${JSON.stringify(value)})`);
        seen.add(base);
        continue;
      }
    }
    const kind = flags[name];
    if (!kind) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    seen.add(name);
    if (kind === 'bool') {
      if (value === undefined) continue;
      if (reg.parser === 'getopt-long') problems.push(`--${name} takes no value (got ${JSON.stringify(value)})`);
      else if (reg.parser === 'kong' ? !KONG_BOOL.test(value) : !GO_BOOL.test(value)) {
        problems.push(`--${name} is a boolean; ${JSON.stringify(value)} is not a boolean value`);
      }
      continue;
    }
    if (value !== undefined) continue;
    const next = args[i + 1];
    // go-flag, pflag and Getopt::Long take the next word whatever it is; kong refuses a flag-looking one.
    // A next word that looks like a flag is reported either way: it is almost surely not the value meant.
    if (next === undefined || (next.startsWith('-') && next !== '-')) {
      problems.push(`--${name} needs a value`);
      continue;
    }
    i++;
  }

  for (const r of reg.required ?? []) if (!seen.has(r)) problems.push(`missing required --${r}`);

  if (sub) {
    const [min, max] = sub.args;
    if (positionals.length < min || positionals.length > max) {
      problems.push(`expects ${min === max ? min : `${min}-${max}`} positional argument(s), got ${positionals.length}: ${JSON.stringify(positionals)}`);
    }
  } else if (reg.parser === 'kong' && positionals.length) {
    problems.push(`unexpected argument(s) ${JSON.stringify(positionals)}`);
  }

  if (reg.tool === 'pt-online-schema-change') {
    if (positionals.length !== 1) problems.push(`expects exactly one DSN, got ${positionals.length}`);
    else problems.push(...checkPtDsn(positionals[0]!, seen.has('database')));
    if (seen.has('dry-run') && seen.has('execute')) problems.push('--dry-run and --execute are mutually exclusive');
  }
  return problems;
}

function isValueFlag(reg: ToolFlags, word: string): boolean {
  if (!word.startsWith('--') || word.includes('=')) return false;
  const name = word.slice(2);
  if (reg.flags[name] === 'value') return true;
  return Object.values(reg.subcommands ?? {}).some((s) => s.flags[name] === 'value');
}

/**
 * pt-osc's DSNParser::parse (3.2.1):
 *   my $dsn_sep = qr/(?<!\\),/;
 *   foreach my $dsn_part ( split($dsn_sep, $dsn) ) {
 *      $dsn_part =~ s/\\,/,/g;
 *      if ( my ($prop_key, $prop_val) = $dsn_part =~  m/^(.)=(.*)$/ ) { $given_props{$prop_key} = $prop_val; }
 *      else { $given_props{h} = $dsn_part; }   # a part that is not k=v is taken as the host
 *   }
 *   ... die "Unknown DSN option '$key' in '$dsn'..." unless exists $opts->{$key};
 * So `\,` is the only escape (other backslashes stay literal); an unescaped comma inside a value
 * splits it, and the tail becomes h=… or an unknown key.
 */
export function checkPtDsn(dsn: string, databaseFlag = false): string[] {
  const problems: string[] = [];
  const given = new Map<string, string>();
  for (const raw of dsn.split(/(?<!\\),/)) {
    const part = raw.replace(/\\,/g, ',');
    const m = /^(.)=(.*)$/s.exec(part);
    if (!m) {
      problems.push(`DSN part ${JSON.stringify(part)} is not key=value; pt-osc reads it as h=${part} (an unescaped comma inside a value?)`);
      continue;
    }
    const [, key, val] = m as unknown as [string, string, string];
    if (!PT_OSC_DSN_KEYS.includes(key)) problems.push(`unknown DSN key ${JSON.stringify(key)} in ${JSON.stringify(part)}`);
    if (given.has(key)) problems.push(`DSN key ${key} given twice (the last wins: ${JSON.stringify(val)})`);
    given.set(key, val);
  }
  if (!given.get('t')) problems.push('the DSN must specify a table (t)');
  if (!given.get('D') && !databaseFlag) problems.push('the DSN must specify a database (D) or use --database');
  return problems;
}
