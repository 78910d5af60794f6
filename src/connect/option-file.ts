/**
 * MySQL/MariaDB option files (`~/.my.cnf`, `--defaults-file`): the `[client]` settings a
 * stock client would use, read the way MariaDB's own reader (mysys/my_default.c) reads them.
 *
 * Why not an INI library: option files look like INI but are not. Tried with `ini` (npm, the
 * most used INI parser): it cut `password=ab;cd` to `ab` (`;` starts a comment only at the
 * beginning of a line in an option file), turned `password='123'` into the number 123 and
 * `password=null` into null, kept the quotes of `password="abc" # note`, and left `\s` and
 * `\\` escapes alone. Each of those is a password the server would refuse. The grammar below is
 * small and documented (MySQL manual, "Using Option Files"), and test/unit/connect-option-file
 * checks this reader against MariaDB's `my_print_defaults` on the tricky cases.
 *
 * Supported, as MariaDB reads them:
 *  - `[group]` lines (group names compare case-insensitively; a space after `[` is part of the name);
 *  - `key`, `key=value`, spaces around `=` and at both ends ignored;
 *  - whole-line comments starting with `#` or `;`, and `#` comments at the end of a line when the
 *    `#` is outside quotes (`;` later in a line is part of the value);
 *  - values in matching '…' or "…" quotes, and the escapes \n \t \r \b \s \\ \" \' (an unknown
 *    escape keeps its backslash);
 *  - `!include FILE` and `!includedir DIR` (files ending in .cnf, in name order), 10 levels deep;
 *    a relative path starts at the current directory, as in MariaDB;
 *  - other `!directives` are skipped, as in MariaDB.
 * Stricter than MariaDB, so that a typo never silently drops a credential:
 *  - an `!include` of a missing file is an error (MariaDB skips it silently);
 *  - include nesting deeper than 10 is an error (MariaDB warns and skips);
 *  - a world-writable file is an error (the stock clients ignore it with a warning).
 * Not supported: `--loose-`/`--maximum-` handling beyond dropping a `loose-` prefix, unique-prefix
 * abbreviations of option names (`pass` for `password`), and `.mylogin.cnf` (encrypted).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Secret } from '../config/types.js';
import { UsageError, fileErrorText } from '../errors.js';

export interface OptionEntry {
  /** The name as written (with `loose-` removed and `_` turned into `-`). */
  key: string;
  /** null for a bare key (`skip-ssl`). */
  value: string | null;
  file: string;
  line: number;
}

export interface OptionFile {
  /** The file asked for (as the user wrote it, for messages). */
  path: string;
  /** Lower-cased group name → entries in file order (includes already expanded). */
  groups: Map<string, OptionEntry[]>;
}

const MAX_INCLUDE_DEPTH = 10;

/** Read and parse an option file, following `!include` and `!includedir`. Errors are UsageErrors naming file and line. */
export function readOptionFile(path: string, shownAs = path): OptionFile {
  const groups = new Map<string, OptionEntry[]>();
  readInto(path, shownAs, groups, 0);
  return { path: shownAs, groups };
}

/** Parse option-file text (no includes are followed; `!include` lines are an error). For tests and fuzzing. */
export function parseOptionText(text: string, file: string): OptionFile {
  const groups = new Map<string, OptionEntry[]>();
  parseInto(text, file, groups, (directive, line) => {
    throw new UsageError(`${file}:${line}: ${directive} is not allowed here`);
  });
  return { path: file, groups };
}

function readInto(path: string, shownAs: string, groups: Map<string, OptionEntry[]>, depth: number): void {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // The stock clients ignore a world-writable option file (anyone could have put a password there).
    if (st.mode & 0o002) throw new UsageError(`${shownAs}: option file is world-writable; MySQL clients ignore such a file, and so does headroom (chmod o-w)`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${shownAs}: cannot read option file: ${fileErrorText(e)}`);
  }
  parseInto(text, shownAs, groups, (directive, line, arg) => {
    if (depth + 1 > MAX_INCLUDE_DEPTH) {
      throw new UsageError(`${shownAs}:${line}: !${directive} nested more than ${MAX_INCLUDE_DEPTH} deep (an include loop?)`);
    }
    // As MariaDB does: a relative path starts at the current directory (not at the including file).
    const target = isAbsolute(arg) ? arg : resolve(process.cwd(), arg);
    if (directive === 'include') {
      try {
        statSync(target);
      } catch (e) {
        throw new UsageError(`${shownAs}:${line}: !include ${arg}: ${fileErrorText(e)}`);
      }
      readInto(target, target, groups, depth + 1);
      return;
    }
    let names: string[];
    try {
      names = readdirSync(target);
    } catch (e) {
      throw new UsageError(`${shownAs}:${line}: !includedir ${arg}: ${fileErrorText(e)}`);
    }
    for (const name of names.filter((n) => n.endsWith('.cnf')).sort()) readInto(join(target, name), join(target, name), groups, depth + 1);
  });
}

type DirectiveHandler = (directive: 'include' | 'includedir', line: number, argument: string) => void;

const SPACE = /[ \t\n\r\v\f]/;
const isSpace = (c: string | undefined) => c !== undefined && SPACE.test(c);

function parseInto(text: string, file: string, groups: Map<string, OptionEntry[]>, onDirective: DirectiveHandler): void {
  let group: OptionEntry[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    if (raw.includes('\u0000')) throw new UsageError(`${file}:${lineNo}: a NUL byte; is this a text file?`);
    let p = 0;
    while (isSpace(raw[p])) p++;
    const rest = raw.slice(p);
    if (rest === '' || rest[0] === '#' || rest[0] === ';') continue;

    if (rest[0] === '!') {
      const body = rest.slice(1).replace(/^[ \t]+/, '');
      const m = /^(includedir|include)(?:[ \t]+(.*))?$/.exec(body.replace(/[ \t\r]+$/, ''));
      if (!m) continue; // unknown directives are skipped, as MariaDB does
      const argument = (m[2] ?? '').trim();
      if (!argument) throw new UsageError(`${file}:${lineNo}: !${m[1]} needs a path`);
      onDirective(m[1] as 'include' | 'includedir', lineNo, argument);
      continue;
    }

    if (rest[0] === '[') {
      const close = rest.indexOf(']');
      if (close < 0) throw new UsageError(`${file}:${lineNo}: a group line without "]" (expected [client])`);
      const name = rest.slice(1, close).replace(/[ \t\r]+$/, '').toLowerCase();
      group = groups.get(name);
      if (!group) groups.set(name, (group = []));
      continue;
    }

    if (!group) throw new UsageError(`${file}:${lineNo}: an option before any [group] line (expected [client] first)`);
    group.push(parseOption(removeEndComment(rest), file, lineNo));
  }
}

/** Cut a `#` comment that starts outside quotes (my_default.c remove_end_comment). */
function removeEndComment(s: string): string {
  let quote = '';
  let escape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c === "'" || c === '"') && !escape) {
      if (!quote) quote = c;
      else if (quote === c) quote = '';
    } else if (!quote && c === '#') {
      return s.slice(0, i);
    }
    escape = quote !== '' && c === '\\' && !escape;
  }
  return s;
}

function parseOption(s: string, file: string, line: number): OptionEntry {
  const eq = s.indexOf('=');
  const rawKey = (eq < 0 ? s : s.slice(0, eq)).replace(/[ \t\n\r\v\f]+$/, '');
  const key = normalizeKey(rawKey);
  if (eq < 0) return { key, value: null, file, line };
  let value = s.slice(eq + 1);
  let start = 0;
  while (isSpace(value[start])) start++;
  let end = value.length;
  while (end > start && isSpace(value[end - 1])) end--;
  value = value.slice(start, end);
  if (value.length > 1 && (value[0] === '"' || value[0] === "'") && value[0] === value[value.length - 1]) value = value.slice(1, -1);
  return { key, value: unescape(value), file, line };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', s: ' ', '"': '"', "'": "'", '\\': '\\' };

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && i !== v.length - 1) {
      const next = v[++i]!;
      out += ESCAPES[next] ?? `\\${next}`;
    } else {
      out += c;
    }
  }
  return out;
}

function normalizeKey(key: string): string {
  return key.replace(/_/g, '-').replace(/^loose-/, '');
}


// ---------------------------------------------------------------------------------------------
// What headroom takes from an option file.

export type OptionTlsMode = 'disabled' | 'required' | 'verify-ca' | 'verify-identity';

/** The connection settings of the groups headroom reads ([client], then [headroom]); later lines win. */
export interface ClientOptions {
  /** Where they came from, e.g. `~/.my.cnf [client]`. */
  from: string;
  user?: string;
  password?: Secret;
  host?: string;
  port?: number;
  socket?: string;
  ssl?: {
    mode?: OptionTlsMode;
    ca?: string;
    cert?: string;
    key?: string;
    /** The file and line that set the mode or a file, for messages. */
    where: string;
  };
}

export const CLIENT_GROUPS = ['client', 'headroom'];

const SSL_MODES: Record<string, OptionTlsMode> = {
  DISABLED: 'disabled',
  REQUIRED: 'required',
  VERIFY_CA: 'verify-ca',
  VERIFY_IDENTITY: 'verify-identity',
};

/** Settings of [client] and [headroom]. Unknown options are ignored (they belong to other programs). */
export function clientOptions(file: OptionFile, groups: readonly string[] = CLIENT_GROUPS): ClientOptions {
  const out: ClientOptions = { from: `${file.path} [${groups.filter((g) => file.groups.has(g)).join('], [') || groups[0]}]` };
  let sslFlag: boolean | undefined;
  let verifyCert: boolean | undefined;
  let mode: OptionTlsMode | undefined;
  const files: { ca?: string; cert?: string; key?: string } = {};
  let sslWhere = '';
  for (const g of groups) {
    for (const e of file.groups.get(g) ?? []) {
      const where = `${e.file}:${e.line}`;
      const need = (): string => {
        if (e.value === null) throw new UsageError(`${where}: ${e.key} needs a value (${e.key}=…)`);
        return e.value;
      };
      const bool = (v: string | null): boolean => {
        if (v === null) return true;
        const t = v.trim().toLowerCase();
        if (['1', 'on', 'true', 'yes', ''].includes(t)) return true;
        if (['0', 'off', 'false', 'no'].includes(t)) return false;
        throw new UsageError(`${where}: ${e.key}: expected 0 or 1, got "${v.length > 20 ? `${v.slice(0, 20)}…` : v}"`);
      };
      switch (e.key) {
        case 'user':
          out.user = need();
          break;
        case 'password':
          // A bare `password` makes the stock client prompt; headroom never prompts.
          if (e.value === null) throw new UsageError(`${where}: password without a value asks for a prompt, and headroom does not prompt; write password=… or remove the line`);
          out.password = new Secret(e.value);
          break;
        case 'host':
          out.host = need();
          break;
        case 'port': {
          const v = need().trim();
          const n = Number(v);
          if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new UsageError(`${where}: port: expected a whole number from 1 to 65535, got "${v.slice(0, 20)}"`);
          out.port = n;
          break;
        }
        case 'socket':
          out.socket = need();
          break;
        case 'ssl':
        case 'enable-ssl':
          sslFlag = bool(e.value);
          sslWhere = where;
          break;
        case 'skip-ssl':
        case 'disable-ssl':
          sslFlag = !bool(e.value);
          sslWhere = where;
          break;
        case 'ssl-verify-server-cert':
          verifyCert = bool(e.value);
          sslWhere = where;
          break;
        case 'skip-ssl-verify-server-cert':
        case 'disable-ssl-verify-server-cert':
          verifyCert = !bool(e.value);
          sslWhere = where;
          break;
        case 'ssl-mode': {
          const v = need().trim().toUpperCase();
          if (v === 'PREFERRED') {
            throw new UsageError(`${where}: ssl-mode=PREFERRED (TLS if the server offers it) is not supported; use REQUIRED, VERIFY_CA, VERIFY_IDENTITY or DISABLED`);
          }
          const m = SSL_MODES[v];
          if (!m) throw new UsageError(`${where}: ssl-mode: expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, got "${v.slice(0, 20)}"`);
          mode = m;
          sslWhere = where;
          break;
        }
        case 'ssl-ca':
        case 'ssl-cert':
        case 'ssl-key': {
          const v = need();
          if (!v) throw new UsageError(`${where}: ${e.key} is empty`);
          files[e.key.slice(4) as 'ca' | 'cert' | 'key'] = v;
          sslWhere = where;
          break;
        }
        default:
          break;
      }
    }
  }
  // ssl-mode (MySQL) wins; else the MariaDB flags; a CA or certificate alone turns TLS on.
  let finalMode = mode;
  if (!finalMode) {
    if (sslFlag === false) finalMode = 'disabled';
    else if (verifyCert) finalMode = 'verify-identity';
    else if (files.ca) finalMode = 'verify-identity';
    else if (sslFlag || files.cert || files.key) finalMode = 'required';
  }
  if (finalMode) out.ssl = { mode: finalMode, ...files, where: sslWhere };
  return out;
}

/** `$HOME/.my.cnf`, or undefined when HOME is not set. */
export function defaultOptionFilePath(env: Record<string, string | undefined>): string | undefined {
  const home = env.HOME;
  return home ? join(home, '.my.cnf') : undefined;
}
