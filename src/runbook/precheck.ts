/**
 * `headroom precheck`: a runbook's read-only pre-checks, judged. Pure: the CLI runs the queries
 * (read-only session on the shard) and hands the rows here.
 */
import type { PreCheck } from './runbook.js';

export interface PreCheckResult {
  check: PreCheck;
  /** The rows the server returned, values as text (NULL as `NULL`). */
  rows: string[][];
  /** Set when the query itself failed. */
  error?: string;
  pass: boolean;
}

/** A row value as the runbook's expectations write it. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * Rows compared as a set: the server's ORDER BY follows its collation (`listings` before
 * `listing_images` under utf8mb4_general_ci), which is not the byte order the runbook lists them in.
 */
export function judge(check: PreCheck, rows: string[][] | undefined, error?: string): PreCheckResult {
  if (rows === undefined) return { check, rows: [], error: error ?? 'no answer', pass: false };
  const key = (rs: string[][]) => JSON.stringify(rs.map((r) => JSON.stringify(r)).sort());
  const pass = check.expect.kind === 'no-rows' ? rows.length === 0 : key(rows) === key(check.expect.rows);
  return { check, rows, pass };
}

/** The printed report: each check, its expected and actual answer, PASS or FAIL; then a summary line. */
export function formatPreChecks(shard: string, group: string, results: PreCheckResult[]): string {
  const out: string[] = [`Pre-checks of ${group} on ${shard}:`, ''];
  results.forEach((r, i) => {
    out.push(`${r.pass ? 'PASS' : 'FAIL'}  ${i + 1}. ${r.check.title}`);
    out.push(`      expected: ${r.check.expectText}`);
    const actual = r.error ? `error: ${r.error}` : r.rows.length === 0 ? 'no rows.' : r.rows.slice(0, 10).map((row) => row.join(' | ')).join('; ') + (r.rows.length > 10 ? ` … (${r.rows.length} rows)` : '');
    out.push(`      actual:   ${actual}`);
    if (!r.pass) out.push(`      ${r.check.failText}`);
  });
  const failed = results.filter((r) => !r.pass).length;
  out.push('', failed === 0 ? `All ${results.length} pre-checks pass. The checks no query can answer (free disk, binlog retention, replica lag) are in the runbook's section 3.` : `${failed} of ${results.length} pre-checks FAILED: do not start.`);
  return out.join('\n') + '\n';
}
