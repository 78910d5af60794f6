/**
 * `--format json`: the contract in docs/json-output.md (version 1).
 * Integers are JSON numbers up to 2^53 − 1 and decimal strings above, so no
 * consumer ever sees a rounded value.
 */
import type { Finding, KeyForecast, Report } from '../model/types.js';

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
  if (f.candidates) out.candidates = f.candidates.map((c) => ({ ...c, current: c.current === null ? null : exactInteger(c.current) }));
  if (f.shards) out.shards = f.shards;
  if (f.sequence) out.sequence = f.sequence;
  if (f.source) out.source = { ...f.source };
  out.message = f.message;
  if (f.runbook) out.runbook = f.runbook;
  // With --history (docs/history-and-forecast.md); floats rounded for reading, the decision used the unrounded ones.
  if (f.forecast) out.forecast = forecastToJson(f.forecast);
  return out;
}

export function forecastToJson(fc: KeyForecast): Record<string, unknown> {
  const r = (n: number | null, digits = 3) => (n === null ? null : Number(n.toFixed(digits)));
  return {
    status: fc.status,
    counter: fc.counter,
    observations: fc.observations,
    windowDays: fc.windowDays,
    idsPerDay: r(fc.idsPerDay),
    daysLeft: r(fc.daysLeft),
    date: fc.date,
    migrationDays: fc.migrationDays ? { low: r(fc.migrationDays.low, 4), high: r(fc.migrationDays.high, 4) } : null,
    criticalBelowDays: r(fc.criticalBelowDays, 4),
    rule: fc.rule,
    notes: fc.notes,
  };
}

export function formatJson(report: Report): string {
  return [...formatJsonChunks(report)].join('');
}

/**
 * The same text as formatJson, a piece at a time (the header, then `batch` findings per piece), so
 * a fleet's report is written without ever being one string: at 100k tables the whole text is tens
 * of MB. Findings are indented as JSON.stringify(…, 2) nests them; a unit test holds the two equal.
 */
export function* formatJsonChunks(report: Report, batch = 500): Generator<string> {
  const head = JSON.stringify(
    { version: report.version, ...(report.takenAt ? { takenAt: report.takenAt } : {}), ...(report.partition ? { partition: report.partition } : {}), summary: report.summary },
    null,
    2,
  );
  // `{ … "summary": {…}` without its closing brace, then the findings array.
  let out = `${head.slice(0, head.length - 2)},
  "findings": [`;
  const n = report.findings.length;
  if (n === 0) out += ']';
  for (let i = 0; i < n; i++) {
    out += `${i ? ',' : ''}
    ${JSON.stringify(findingToJson(report.findings[i]!), null, 2).replace(/\n/g, '\n    ')}`;
    if ((i + 1) % batch === 0 && i + 1 < n) {
      yield out;
      out = '';
    }
  }
  if (n) out += '\n  ]';
  const errors = JSON.stringify(report.errors, null, 2).replace(/\n/g, '\n  ');
  // With Rails models only (docs/rails.md): what they say that could not be measured.
  const warnings = report.relationWarnings ? `,\n  "relationWarnings": ${JSON.stringify(report.relationWarnings, null, 2).replace(/\n/g, '\n  ')}` : '';
  yield `${out},\n  "errors": ${errors}${warnings}\n}\n`;
}
