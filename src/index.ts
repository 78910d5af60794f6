/**
 * headroom's programmatic API. The CLI is a thin shell over these functions.
 */
export { scan, scanSnapshot, exitCode, DEFAULT_CHECK_CONFIG, type FailOn } from './scan.js';
export { collectSnapshot, collectShard, type CollectOptions, type CollectProgress } from './introspect/collect.js';
export { runChecks } from './checks/run.js';
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
export { UsageError } from './errors.js';
export type * from './model/types.js';
