/**
 * `--format json`: the contract in docs/json-output.md (version 1).
 * Integers are JSON numbers up to 2^53 − 1 and decimal strings above, so no
 * consumer ever sees a rounded value.
 */
import type { Finding, Report } from '../model/types.js';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function exactInteger(v: bigint): number | string {
  return v <= SAFE && v >= -SAFE ? Number(v) : v.toString();
}

export function findingToJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    check: f.check,
    severity: f.severity,
    shard: f.shard,
    database: f.database,
    table: f.table,
    column: f.column,
    dataType: f.dataType,
    unsigned: f.unsigned,
    max: exactInteger(f.max),
    current: f.current === null ? null : exactInteger(f.current),
    ratio: f.ratio,
  };
  if (f.references) out.references = { ...f.references };
  if (f.relationSource) out.relationSource = f.relationSource;
  if (f.evidence) out.evidence = f.evidence;
  out.message = f.message;
  if (f.runbook) out.runbook = f.runbook;
  return out;
}

export function formatJson(report: Report): string {
  return (
    JSON.stringify(
      {
        version: report.version,
        summary: report.summary,
        findings: report.findings.map(findingToJson),
        errors: report.errors,
      },
      null,
      2,
    ) + '\n'
  );
}
