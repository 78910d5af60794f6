/**
 * headroom's programmatic API. The CLI is a thin shell over these functions.
 */
export { scan, scanLive, scanSnapshot, exitCode, DEFAULT_CHECK_CONFIG, type FailOn, type ScanOptions, type LiveScan } from './scan.js';
export { collectSnapshot, collectFleet, collectShard, type CollectOptions, type CollectProgress, type ShardResult } from './introspect/collect.js';
export { runChecks, CheckRun } from './checks/run.js';
export { CHECKS, checkById } from './checks/registry.js';
export type { Check, CheckContext } from './checks/types.js';
export { loadInventory, parseInventory, validateInventory, inventoryFromUrl, DEFAULT_THRESHOLDS } from './config/inventory.js';
export type { Inventory, ShardConfig, CheckConfig, Thresholds, RelationshipConfig } from './config/types.js';
export { Secret } from './config/types.js';
export { loadSnapshot, parseSnapshot, serializeSnapshot, writeSnapshot } from './snapshot/file.js';
export { resolveRelationships, inferredTableName } from './relations/relationships.js';
export { parseIntegerType, typeMax, typeMin, formatType } from './model/integers.js';
export { formatJson, exactInteger } from './report/json.js';
export { formatTable, groupFindings } from './report/table.js';
export { formatSarif, SARIF_SCHEMA_URI, type SarifOptions } from './report/sarif.js';
export { readCheckDocs } from './checks/docs.js';
export { formatGithub, type GithubOptions } from './report/github.js';
export { formatJunit, type JunitOptions } from './report/junit.js';
export { formatMarkdown, type MarkdownOptions } from './report/markdown.js';
export {
  createBaseline,
  serializeBaseline,
  parseBaseline,
  readBaselineFile,
  writeBaselineFile,
  baselineStatus,
  gateExitCode,
  evaluateGate,
  describeGate,
  formatJsonWithBaseline,
  type Baseline,
  type BaselineEntry,
  type BaselineStatus,
  type GateOptions,
  type GateResult,
} from './baseline.js';
export { UsageError } from './errors.js';
export { planWidenings, type PlanOptions } from './plan/plan.js';
export { DEFAULT_POLICY, parsePolicy } from './plan/policy.js';
export type { Plan, WideningPlan, Step, Policy, ToolId } from './plan/types.js';
export { renderRunbook, renderRunbooks, renderIndex, runbookFileName, attachRunbookLinks } from './runbook/runbook.js';
export { growthRate, exhaustion, theilSen, type Point, type RateEstimate } from './forecast/forecast.js';
export { migrationRule, type MigrationPolicy } from './forecast/severity.js';
export { applyForecasts, type CounterHistory, type ForecastOptions } from './forecast/apply.js';
export { openHistoryStore, scanWithHistory, type HistoryScanOptions, type HistoryScanResult } from './history/history.js';
export { observationsFromSnapshot, observationsFromReport, counterHistory, type Observation } from './history/observations.js';
export type { HistoryStore } from './history/store.js';
export type { HistoryConfig } from './history/config.js';
export { formatPrometheus, type PrometheusOptions } from './report/prometheus.js';
export type * from './model/types.js';
export { renderHtmlReport } from './report/html.js';
export { checkParts, mergeReports, mergeSnapshots } from './merge.js';
export { parsePartition, inPartition, type Partition } from './partition.js';
export { loadRails, parseRailsConfig, railsFromOption, withRails } from './rails/config.js';
export { readRailsApp, resolveModels } from './rails/app.js';
export { readSchemaRb } from './rails/schema-rb.js';
export { listRelations, formatRelationsJson, formatRelationsTable, type RelationsListing } from './rails/relations-command.js';
export type { RailsConfig, RailsModels, ModelReference, PolymorphicPair } from './rails/types.js';
