/**
 * Coverage: did the scan see everything the inventory asked for? Compares what the globs match
 * under SHOW DATABASES with what the session's privileges let the catalog show, and counts the
 * MAX() reads the server refused. Pure.
 */
import type { ShardCoverage } from '../model/types.js';
import { Access, fixStatements } from './grants.js';

export interface CoverageInput {
  access: Access;
  /** `'user'@'host'` for GRANT statements. */
  account: string;
  /** Databases matched by the shard's globs among those listed. */
  matched: string[];
  /** The shard's include globs. */
  globs: string[];
  /** Tables the catalog returned, per database. */
  tablesByDatabase: Map<string, number>;
  /** `db.table.column` of MAX() reads the server refused. */
  deniedMax: { database: string; table: string; column: string }[];
  /** Set when SHOW GRANTS was refused (a proxy, say): privileges cannot be checked at all. */
  grantsError?: string;
}

/** A short list for a one-line message: `a, b, c and 4 more`. */
export function someOf(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function assessCoverage(input: CoverageInput): ShardCoverage {
  const { access } = input;
  const gaps: string[] = [];
  if (input.grantsError) {
    gaps.push(`the session's grants could not be read (${input.grantsError}), so whether it sees every database and table cannot be verified`);
  } else if (!access.listsAllDatabases) {
    gaps.push('the user cannot list databases it has no privilege on (no SHOW DATABASES privilege), so such databases cannot even be counted');
  }
  const none: string[] = [];
  const partial: string[] = [];
  for (const d of input.grantsError ? [] : input.matched) {
    if (access.seesAllTables(d)) continue;
    if (access.tablesGrantedIn(d).length > 0 || (input.tablesByDatabase.get(d) ?? 0) > 0) partial.push(d);
    else none.push(d);
  }
  if (none.length) gaps.push(`no privilege on ${none.length} of ${input.matched.length} matched databases (${someOf(none)}): their tables are invisible`);
  if (partial.length) gaps.push(`only table-level privileges on ${partial.length} database${partial.length === 1 ? '' : 's'} (${someOf(partial)}): tables without a grant are invisible`);
  if (input.deniedMax.length) {
    const cols = input.deniedMax.map((t) => `${t.database}.${t.table}.${t.column}`);
    gaps.push(`MAX() denied on ${input.deniedMax.length} column${input.deniedMax.length === 1 ? '' : 's'} (${someOf(cols)}): their current values are unknown`);
  }
  let tablesRead = 0;
  for (const n of input.tablesByDatabase.values()) tablesRead += n;
  const complete = gaps.length === 0;
  return {
    databasesMatched: input.matched.length,
    databasesRead: input.matched.length - none.length - partial.length,
    tablesRead,
    complete,
    gaps,
    fix: complete || input.grantsError
      ? []
      : fixStatements({
          account: input.account,
          access,
          matched: input.matched,
          globs: input.globs,
          needSelect: [...new Set(input.deniedMax.map((t) => t.database))],
        }),
  };
}

/** The one-line error a scan reports for an incomplete shard. */
export function coverageMessage(c: ShardCoverage): string {
  const fix = c.fix.length ? ` — to fix: ${c.fix.slice(0, 2).join(' ')}${c.fix.length > 2 ? ` (+${c.fix.length - 2} more)` : ''} (headroom doctor shows every step)` : '';
  return `incomplete coverage, read ${c.databasesRead} of ${c.databasesMatched} matched databases in full: ${c.gaps.join('; ')}${fix}`;
}

/** MySQL 8 CURRENT_ROLE(): `NONE` or "`r1`@`%`,`r2`@`%`". */
export function mysqlActiveRoles(currentRole: string | null): string[] {
  if (!currentRole || currentRole.toUpperCase() === 'NONE') return [];
  return currentRole.split(/,(?=`)/).map((r) => r.trim()).filter(Boolean);
}
