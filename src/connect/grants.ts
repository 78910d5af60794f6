/**
 * What a session may read, from its own `SHOW GRANTS`, and the GRANT that would fix what is missing.
 *
 * Why it matters: information_schema shows only the objects a user has some privilege on, and
 * SHOW DATABASES lists only the databases it has some privilege on unless it holds the global
 * SHOW DATABASES privilege (or a global database-level privilege such as SELECT). A user without
 * rights on some databases therefore sees *fewer tables*, silently. The rules below are MariaDB's
 * and MySQL's (sql_show.cc, sql_acl.cc), checked on MariaDB 10.11 in
 * test/integration/connections.test.ts:
 *  - a database is listed when the session has SHOW DATABASES or any database-level privilege
 *    globally, or any privilege on that database or on an object in it;
 *  - a table is in information_schema.TABLES when the session has any table-level privilege on
 *    it: globally, on its database, or on the table (a column privilege counts);
 *    EXECUTE, EVENT, LOCK TABLES, CREATE ROUTINE... on a database show the database but none of its tables;
 *  - MAX(col) needs SELECT on the column: globally, on the database, the table or the column.
 * Database-level grants use LIKE patterns (`ws\_%`): a grant naming the database exactly wins
 * over pattern grants (the server uses the first match in its sorted list; exact names sort first).
 */

export type Scope =
  | { kind: 'global' }
  | { kind: 'database'; pattern: string }
  | { kind: 'table'; database: string; table: string }
  | { kind: 'routine' };

export interface GrantLine {
  /** The statement as shown, with any password hash replaced by <secret>. */
  text: string;
  /** Upper-case privilege names; `ALL` for ALL [PRIVILEGES]. */
  privileges: string[];
  /** Privilege → columns, for column-level privileges (`SELECT (a, b)`). */
  columns: Record<string, string[]>;
  scope: Scope;
  grantee: string;
  revoke: boolean;
}

export interface Grants {
  lines: GrantLine[];
  /** Roles granted to the account (`GRANT role TO user`). */
  roles: string[];
  /** Lines that could not be understood (shown by doctor, ignored for decisions). */
  unparsed: string[];
}

/** Privileges that exist at database level: holding any of them globally lists every database. */
const DATABASE_LEVEL = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'GRANT OPTION', 'REFERENCES', 'INDEX', 'ALTER',
  'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE',
  'ALTER ROUTINE', 'EVENT', 'TRIGGER', 'DELETE HISTORY', 'ALL',
]);
/** Privileges that exist at table level: any of them makes a table visible in information_schema. */
const TABLE_LEVEL = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'GRANT OPTION', 'REFERENCES', 'INDEX', 'ALTER',
  'CREATE VIEW', 'SHOW VIEW', 'TRIGGER', 'DELETE HISTORY', 'ALL',
]);

// ---------------------------------------------------------------------------------------------
// Parsing SHOW GRANTS output.

type Token = { t: 'id'; v: string } | { t: 'word'; v: string } | { t: 'str'; v: string } | { t: 'p'; v: string };

function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`' || c === "'" || c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        const d = text[i]!;
        if (d === c) {
          if (text[i + 1] === c) {
            v += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === '\\' && c !== '`' && i + 1 < text.length) {
          v += text[i + 1];
          i += 2;
          continue;
        }
        v += d;
        i++;
      }
      out.push(c === '`' ? { t: 'id', v } : { t: 'str', v });
    } else if ('(),.*@;='.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else {
      let v = '';
      while (i < text.length && !/[\s(),.*@;=`'"]/.test(text[i]!)) v += text[i++];
      out.push({ t: 'word', v });
    }
  }
  return out;
}

/** Replace password hashes and authentication strings with <secret>. */
export function redactGrant(text: string): string {
  return text
    .replace(/(IDENTIFIED\s+BY\s+PASSWORD\s+)'(?:[^'\\]|\\.|'')*'/gi, "$1'<secret>'")
    .replace(/(IDENTIFIED\s+BY\s+)'(?:[^'\\]|\\.|'')*'/gi, "$1'<secret>'")
    .replace(/((?:USING|AS)\s+)'(?:[^'\\]|\\.|'')*'/gi, "$1'<secret>'");
}

/** Parse the rows of `SHOW GRANTS` (one statement per row). */
export function parseGrants(rows: readonly string[]): Grants {
  const out: Grants = { lines: [], roles: [], unparsed: [] };
  for (const raw of rows) {
    const text = redactGrant(raw.trim());
    const parsed = parseLine(text);
    if (parsed === 'skip') continue;
    if (parsed === undefined) out.unparsed.push(text);
    else if ('role' in parsed) out.roles.push(...parsed.role);
    else out.lines.push(parsed);
  }
  return out;
}

function parseLine(text: string): GrantLine | { role: string[] } | 'skip' | undefined {
  const head = /^(GRANT|REVOKE|SET\s+DEFAULT\s+ROLE|CREATE|ALTER)\b/i.exec(text);
  if (!head) return undefined;
  const verb = head[1]!.toUpperCase();
  if (verb !== 'GRANT' && verb !== 'REVOKE') return 'skip';
  // Cut off what follows the grantee (IDENTIFIED..., REQUIRE..., WITH...) before tokenizing.
  const tokens = tokenize(text.replace(/\s+(IDENTIFIED|REQUIRE|WITH|AS|PASSWORD)\b[\s\S]*$/i, ''));
  if (!tokens) return undefined;
  const upper = (t: Token | undefined) => (t && t.t === 'word' ? t.v.toUpperCase() : undefined);
  let i = 1;
  const onAt = tokens.findIndex((t) => upper(t) === 'ON');
  const toAt = tokens.findIndex((t) => upper(t) === (verb === 'GRANT' ? 'TO' : 'FROM'));
  if (toAt < 0) return undefined;
  const grantee = tokens
    .slice(toAt + 1)
    .map((t) => (t.t === 'p' ? t.v : t.v))
    .join('');
  if (onAt < 0 || onAt > toAt) {
    // GRANT role1, role2 TO user
    const roles = tokens.slice(1, toAt).filter((t) => t.t !== 'p').map((t) => t.v);
    return roles.length ? { role: roles } : undefined;
  }
  // Privileges: words up to ON, comma separated, each with optional (columns).
  const privileges: string[] = [];
  const columns: Record<string, string[]> = {};
  let words: string[] = [];
  const flush = (cols?: string[]) => {
    if (!words.length) return;
    let name = words.join(' ').toUpperCase();
    if (name === 'ALL PRIVILEGES') name = 'ALL';
    privileges.push(name);
    if (cols) columns[name] = [...(columns[name] ?? []), ...cols];
    words = [];
  };
  while (i < onAt) {
    const t = tokens[i]!;
    if (t.t === 'word' || t.t === 'str') {
      words.push(t.v);
      i++;
    } else if (t.t === 'p' && t.v === '(') {
      const cols: string[] = [];
      i++;
      while (i < onAt && !(tokens[i]!.t === 'p' && tokens[i]!.v === ')')) {
        const c = tokens[i]!;
        if (c.t !== 'p') cols.push(c.v);
        i++;
      }
      i++;
      flush(cols);
    } else if (t.t === 'p' && t.v === ',') {
      flush();
      i++;
    } else {
      return undefined;
    }
  }
  flush();
  if (privileges.length === 0) return undefined;
  // Object: *.* | *| db.* | db.tbl | PROCEDURE/FUNCTION/PACKAGE db.name | PROXY target
  const obj = tokens.slice(onAt + 1, toAt);
  let scope: Scope | undefined;
  const first = upper(obj[0]);
  if (privileges.includes('PROXY')) return 'skip';
  if (first === 'PROCEDURE' || first === 'FUNCTION' || first === 'PACKAGE' || first === 'TABLE') {
    if (first !== 'TABLE') scope = { kind: 'routine' };
    else obj.shift();
  }
  if (!scope) {
    const name = (t: Token | undefined) => (t && (t.t === 'id' || t.t === 'word' || t.t === 'str') ? t.v : undefined);
    const star = (t: Token | undefined) => t?.t === 'p' && t.v === '*';
    const dot = (t: Token | undefined) => t?.t === 'p' && t.v === '.';
    if (star(obj[0]) && dot(obj[1]) && star(obj[2]) && obj.length === 3) scope = { kind: 'global' };
    else if (star(obj[0]) && obj.length === 1) scope = { kind: 'global' };
    else if (name(obj[0]) !== undefined && dot(obj[1]) && star(obj[2]) && obj.length === 3) scope = { kind: 'database', pattern: name(obj[0])! };
    else if (name(obj[0]) !== undefined && dot(obj[1]) && name(obj[2]) !== undefined && obj.length === 3) {
      scope = { kind: 'table', database: name(obj[0])!, table: name(obj[2])! };
    }
  }
  if (!scope) return undefined;
  return { text, privileges, columns, scope, grantee, revoke: verb === 'REVOKE' };
}

// ---------------------------------------------------------------------------------------------
// What the grants allow.

/** SQL LIKE pattern as used in database grants: % any run, _ any one character, \ escapes. */
export function likeMatches(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, 'u').test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function hasWildcard(pattern: string): boolean {
  return /(^|[^\\])(\\\\)*[%_]/.test(pattern);
}

function unescapeLike(pattern: string): string {
  return pattern.replace(/\\(.)/g, '$1');
}

const has = (privs: Iterable<string>, wanted: Set<string>) => {
  for (const p of privs) if (wanted.has(p)) return true;
  return false;
};

export class Access {
  constructor(readonly grants: Grants) {}

  #global(): Set<string> {
    const out = new Set<string>();
    for (const l of this.grants.lines) if (!l.revoke && l.scope.kind === 'global') for (const p of l.privileges) out.add(p);
    return out;
  }

  /** Privileges revoked on this database (MySQL 8 partial_revokes). */
  #revoked(database: string): Set<string> {
    const out = new Set<string>();
    for (const l of this.grants.lines) {
      if (l.revoke && l.scope.kind === 'database' && unescapeLike(l.scope.pattern) === database) for (const p of l.privileges) out.add(p);
    }
    return out;
  }

  /** Global privileges (USAGE excluded). */
  get globalPrivileges(): string[] {
    return [...this.#global()].filter((p) => p !== 'USAGE');
  }

  /** Whether SHOW DATABASES lists every database (not only those the account has rights on). */
  get listsAllDatabases(): boolean {
    const g = this.#global();
    return g.has('SHOW DATABASES') || has(g, DATABASE_LEVEL);
  }

  /** Effective privileges on a database (global ones included): per grantee, an exact-name grant wins over pattern grants. */
  databasePrivileges(database: string): Set<string> {
    const out = new Set<string>();
    const revoked = this.#revoked(database);
    for (const p of this.#global()) if (!revoked.has(p)) out.add(p);
    const byGrantee = new Map<string, GrantLine[]>();
    for (const l of this.grants.lines) {
      if (l.revoke || l.scope.kind !== 'database' || !likeMatches(l.scope.pattern, database)) continue;
      byGrantee.set(l.grantee, [...(byGrantee.get(l.grantee) ?? []), l]);
    }
    for (const lines of byGrantee.values()) {
      const exact = lines.filter((l) => l.scope.kind === 'database' && !hasWildcard(l.scope.pattern));
      for (const l of exact.length ? exact : lines) for (const p of l.privileges) out.add(p);
    }
    return out;
  }

  /** Every table of the database is visible in information_schema. */
  seesAllTables(database: string): boolean {
    return has(this.databasePrivileges(database), TABLE_LEVEL);
  }

  /** MAX() works on every table of the database. */
  selectsAll(database: string): boolean {
    const p = this.databasePrivileges(database);
    return p.has('SELECT') || p.has('ALL');
  }

  /** Tables of the database visible only through table- or column-level grants. */
  tablesGrantedIn(database: string): string[] {
    const out = new Set<string>();
    for (const l of this.grants.lines) {
      if (!l.revoke && l.scope.kind === 'table' && l.scope.database === database && has(l.privileges, TABLE_LEVEL)) out.add(l.scope.table);
    }
    return [...out].sort();
  }

  /** MAX(column) of this table would be allowed. */
  canSelect(database: string, table: string, column: string): boolean {
    if (this.selectsAll(database)) return true;
    for (const l of this.grants.lines) {
      if (l.revoke || l.scope.kind !== 'table' || l.scope.database !== database || l.scope.table !== table) continue;
      if (l.privileges.includes('ALL')) return true;
      if (l.privileges.includes('SELECT') && (!l.columns.SELECT || l.columns.SELECT.includes(column))) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// GRANT statements that fix what is missing.

/** `user@host` (CURRENT_USER()) → `'user'@'host'`. */
export function accountOf(currentUser: string): string {
  const at = currentUser.lastIndexOf('@');
  const user = at < 0 ? currentUser : currentUser.slice(0, at);
  const host = at < 0 ? '%' : currentUser.slice(at + 1);
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  return `${q(user)}@${q(host)}`;
}

/** A database name as a LIKE pattern that matches only itself (`ws_1` → `ws\_1`). */
export function exactPattern(database: string): string {
  return database.replace(/[\\%_]/g, '\\$&');
}

/**
 * A picomatch glob as a LIKE pattern, when the glob uses only `*` and `?` (else undefined).
 * `ws_*` → `ws\_%`.
 */
export function globToLike(glob: string): string | undefined {
  if (/[[\]{}()!+@\\]/.test(glob)) return undefined;
  return glob.replace(/[%_]/g, '\\$&').replace(/\*/g, '%').replace(/\?/g, '_');
}

const quoteId = (s: string) => `\`${s.replace(/`/g, '``')}\``;

export interface FixInput {
  account: string;
  access: Access;
  /** Databases the inventory matched (under what SHOW DATABASES lists). */
  matched: string[];
  /** The inventory's include globs (empty: every non-system database). */
  globs: string[];
  /** Databases whose tables need MAX() reads that were denied (or must be allowed). */
  needSelect: string[];
}

/**
 * The smallest set of GRANT statements that makes the scan complete: SHOW DATABASES when the
 * account cannot list every database, and SELECT on the databases it cannot read — on the
 * inventory's globs when they translate to LIKE patterns (so databases created later are covered),
 * else database by database.
 */
export function fixStatements(input: FixInput): string[] {
  const { access, account } = input;
  const out: string[] = [];
  if (!access.listsAllDatabases) out.push(`GRANT SHOW DATABASES ON *.* TO ${account};`);
  const missing = [...new Set([...input.matched.filter((d) => !access.seesAllTables(d)), ...input.needSelect])]
    .filter((d) => !access.selectsAll(d))
    .sort();
  const likes = input.globs.map(globToLike);
  const exactlyGranted = (d: string) => access.grants.lines.some((l) => l.scope.kind === 'database' && !hasWildcard(l.scope.pattern) && unescapeLike(l.scope.pattern) === d);
  if (input.globs.length && likes.every((l) => l !== undefined)) {
    const global = access.globalPrivileges;
    const patternSelects = (p: string) =>
      global.includes('SELECT') ||
      global.includes('ALL') ||
      access.grants.lines.some((l) => !l.revoke && l.scope.kind === 'database' && l.scope.pattern === p && (l.privileges.includes('SELECT') || l.privileges.includes('ALL')));
    // A pattern grant does not reach a database that has a grant of its own (exact names win): grant those one by one.
    const own = missing.filter(exactlyGranted);
    const patterns = [...new Set(likes as string[])].filter(
      (p) =>
        missing.some((d) => !own.includes(d) && likeMatches(p, d)) ||
        // Databases hidden from this user (no SHOW DATABASES) match the globs too: cover them in the same step.
        (!access.listsAllDatabases && !patternSelects(p)),
    );
    for (const p of patterns) out.push(`GRANT SELECT ON ${quoteId(p)}.* TO ${account};`);
    for (const d of own) out.push(`GRANT SELECT ON ${quoteId(exactPattern(d))}.* TO ${account};`);
    return out;
  }
  for (const d of missing) out.push(`GRANT SELECT ON ${quoteId(exactPattern(d))}.* TO ${account};`);
  return out;
}
