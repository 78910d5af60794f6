/**
 * `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
 *
 * One rule per check (every check, found or not), its help the check's page in docs/checks.
 * Every result names its column as a logical location `shard/database/table.column`. A lint
 * finding knows where its column is defined (`Finding.source`): its physical location is that
 * file, line and column. A scan finding has no source file, and GitHub code scanning rejects a
 * result without a physical location, so when `artifactPath` is given (the CLI passes the
 * inventory file) such a result is anchored at line 1 of that file.
 *
 * `formatSarif` is pure: the docs are read at the edge (`readCheckDocs`, src/checks/docs.ts) and passed in.
 */
import { evaluateGate, type BaselineStatus, type GateOptions } from '../baseline.js';
import { CHECKS } from '../checks/registry.js';
import type { Check } from '../checks/types.js';
import type { Finding, Report, Severity } from '../model/types.js';
import { findingToJson } from './json.js';

export const SARIF_SCHEMA_URI = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';

export interface SarifOptions extends GateOptions {
  /** headroom's version, for `tool.driver.version`. */
  toolVersion: string;
  /** Check id → the Markdown of `docs/checks/<id>.md`. A check without one gets its summary as help. */
  docs?: Readonly<Record<string, string>>;
  /** A repository-relative file path (`/`-separated) every result is anchored at, line 1; percent-encoded into its URI here. */
  artifactPath?: string;
  /** The rules to describe; default: every registered check. */
  checks?: readonly Pick<Check, 'id' | 'summary'>[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', warning: 'warning', info: 'note' };

const BASELINE_STATE: Record<BaselineStatus, 'unchanged' | 'updated' | 'new'> = { known: 'unchanged', worse: 'updated', new: 'new' };

export function formatSarif(report: Report, options: SarifOptions): string {
  const failOn = options.failOn ?? 'critical';
  const gate = evaluateGate(report, failOn, options.baseline);
  const checks = [...(options.checks ?? CHECKS)];
  // A finding of a check the list does not know (a plug-in, a newer library) still gets a rule.
  for (const f of report.findings) {
    if (!checks.some((c) => c.id === f.check)) checks.push({ id: f.check, summary: f.check });
  }
  const ruleIndex = new Map(checks.map((c, i) => [c.id, i]));

  const rules = checks.map((c) => {
    const doc = options.docs?.[c.id];
    const rule: Record<string, unknown> = {
      id: c.id,
      shortDescription: { text: c.summary },
      fullDescription: { text: (doc && firstParagraph(doc, 'What it finds')) || c.summary },
      help: doc ? { text: doc, markdown: doc } : { text: c.summary },
    };
    return rule;
  });

  const results = report.findings.map((f) => {
    const status = gate.statuses.get(f.id);
    const result: Record<string, unknown> = {
      ruleId: f.check,
      ruleIndex: ruleIndex.get(f.check)!,
      level: LEVEL[f.severity],
      message: { text: `${f.shard}/${f.database}: ${f.message}` },
      locations: [location(f, options.artifactPath)],
      partialFingerprints: { 'headroomFindingId/v1': f.id },
    };
    if (status) result.baselineState = BASELINE_STATE[status];
    result.properties = properties(f, status);
    return result;
  });

  const invocation: Record<string, unknown> = {
    executionSuccessful: report.errors.length === 0,
    exitCode: gate.exitCode,
  };
  if (report.errors.length > 0) {
    invocation.toolExecutionNotifications = report.errors.map((e) => ({
      level: 'error',
      message: { text: `shard ${e.shard} could not be read, its keys were NOT checked: ${e.message}` },
      properties: { shard: e.shard },
    }));
  }

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'headroom',
            version: options.toolVersion,
            rules,
          },
        },
        invocations: [invocation],
        results,
        properties: {
          summary: report.summary,
          failOn,
          ...(options.baseline ? { baselineGeneratedAt: options.baseline.generatedAt } : {}),
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function location(f: Finding, artifactPath: string | undefined): Record<string, unknown> {
  const loc: Record<string, unknown> = {};
  if (f.source) {
    loc.physicalLocation = { artifactLocation: { uri: pathToUriReference(f.source.file) }, region: { startLine: f.source.line, startColumn: f.source.column } };
  } else if (artifactPath) {
    loc.physicalLocation = { artifactLocation: { uri: pathToUriReference(artifactPath) }, region: { startLine: 1 } };
  }
  loc.logicalLocations = [{ name: f.column, fullyQualifiedName: `${f.shard}/${f.database}/${f.table}.${f.column}`, kind: 'member' }];
  return loc;
}

/** The finding's JSON fields (same integers rule as --format json), minus what SARIF says elsewhere (ruleId, message). */
function properties(f: Finding, status: BaselineStatus | undefined): Record<string, unknown> {
  const { id, check: _check, message: _message, ...rest } = findingToJson(f);
  return { findingId: id, ...rest, ...(status ? { baseline: status } : {}) };
}

/** `db/my config#1.yaml` → `db/my%20config%231.yaml`: a relative URI reference, each segment encoded. */
export function pathToUriReference(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The first paragraph under `## <heading>` of a Markdown page, joined into one line. */
export function firstParagraph(markdown: string, heading: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim().toLowerCase() === `## ${heading}`.toLowerCase());
  if (start < 0) return undefined;
  const para: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') {
      if (para.length) break;
      continue;
    }
    if (l.startsWith('#')) break;
    para.push(l.trim());
  }
  return para.length ? para.join(' ') : undefined;
}
