/**
 * `scan --format tsv`: one finding per line, tab-separated, for `cut`, `awk` and spreadsheets. Pure.
 * Values are exact (bigints as decimal digits); a tab or newline inside a value becomes a space.
 */
import { formatType } from '../model/integers.js';
import type { Report } from '../model/types.js';

const COLUMNS = ['severity', 'check', 'shard', 'database', 'table', 'column', 'type', 'current', 'max', 'ratio', 'references', 'source', 'message'] as const;

export function formatTsv(report: Report): string {
  const clean = (v: string) => v.replace(/[\t\r\n]+/g, ' ');
  const lines = [COLUMNS.join('\t')];
  for (const f of report.findings) {
    lines.push(
      [
        f.severity,
        f.check,
        f.shard,
        f.database,
        f.table,
        f.column,
        formatType(f),
        f.current === null ? '' : String(f.current),
        String(f.max),
        f.ratio === null ? '' : String(f.ratio),
        f.references ? `${f.references.database}.${f.references.table}.${f.references.column}` : '',
        f.relationSource ?? '',
        f.message,
      ]
        .map(clean)
        .join('\t'),
    );
  }
  return lines.join('\n') + '\n';
}
