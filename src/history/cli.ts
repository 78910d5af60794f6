/**
 * The command-line side of history: `scan --history [store]` and `history import`. Kept here so
 * cli/main.ts only wires flags to these two functions.
 */
import { readFile } from 'node:fs/promises';
import { loadInventory } from '../config/inventory.js';
import type { CheckConfig, Inventory } from '../config/types.js';
import { fileErrorText, UsageError } from '../errors.js';
import type { Finding, Report, ShardSnapshot, Snapshot } from '../model/types.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import { DEFAULT_CHECK_CONFIG } from '../scan.js';
import { historyFromFlag, type HistoryConfig } from './config.js';
import { HistoryRun, openHistoryStore, scanWithHistory } from './history.js';
import { observationsFromFile, parseAt } from './import.js';

type Env = Record<string, string | undefined>;

/** `--history` given (with or without a store), or a `history:` block in the config. */
export function historyConfigFor(flag: string | boolean | undefined, inventory: Inventory | undefined, env: Env): HistoryConfig | undefined {
  if (flag === undefined || flag === false) return inventory?.history;
  return historyFromFlag(flag, inventory?.history, env);
}

export interface ScanHistoryOutcome {
  report: Report;
  /** Per shard, the last successful read history knows of (for `--format prometheus`). */
  lastSuccess?: Map<string, number>;
}

/** No history configured: the report as it is. Otherwise forecast, record and prune. */
export async function forecastFromHistory(
  flag: string | boolean | undefined,
  report: Report,
  snapshot: Snapshot,
  config: CheckConfig,
  inventory: Inventory | undefined,
  env: Env,
): Promise<ScanHistoryOutcome> {
  const history = historyConfigFor(flag, inventory, env);
  if (!history) return { report };
  const store = await openHistoryStore(history, inventory?.shards ?? []);
  try {
    const r = await scanWithHistory(report, snapshot, config, store, {
      policy: inventory?.policy ?? DEFAULT_POLICY,
      windowDays: history.windowDays,
      keepDays: history.keepDays,
    });
    return { report: r.report, lastSuccess: r.lastSuccess };
  } finally {
    await store.close();
  }
}

/**
 * A live scan with history, shard by shard (memory flat in the size of the fleet): `scan` is
 * handed the forecast step to run on each shard as it is checked. With a `vitess:` block the
 * shards are kept and checked together: then the whole-snapshot path (forecastFromHistory).
 */
export async function scanWithHistoryLive(
  history: HistoryConfig,
  inventory: Inventory,
  scan: (forecast: (shard: ShardSnapshot, findings: Finding[]) => Finding[]) => Promise<Report>,
  now: () => number = Date.now,
): Promise<Required<ScanHistoryOutcome>> {
  const store = await openHistoryStore(history, inventory.shards);
  try {
    const run = await HistoryRun.open(store, inventory, inventory.shards.map((s) => s.name), {
      policy: inventory.policy ?? DEFAULT_POLICY,
      windowDays: history.windowDays,
      keepDays: history.keepDays,
      asOf: now(),
    });
    const report = await scan((shard, findings) => run.forecast(shard, findings));
    const { lastSuccess } = await run.finish();
    return { report, lastSuccess };
  } finally {
    await store.close();
  }
}

export interface ImportOptions {
  history?: string | boolean;
  config?: string;
  at?: string;
}

/** `headroom history import FILE...`: returns the lines to print. */
export async function importHistory(files: string[], opts: ImportOptions, env: Env): Promise<string> {
  // Nothing connects to a shard: a ${VAR} meant for a shard password need not be set (history: stays strict).
  const inventory = opts.config ? await loadInventory(opts.config, env, { shardsOffline: true }) : undefined;
  const config: CheckConfig = inventory ?? DEFAULT_CHECK_CONFIG;
  const history = historyConfigFor(opts.history ?? true, inventory, env)!;
  const at = opts.at === undefined ? undefined : parseAt(opts.at);
  if (at !== undefined && files.length > 1) throw new UsageError('--at applies to one file: import files taken at different times one by one');
  // Parse every file before writing anything: a bad file leaves the store untouched.
  const parsed = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot read: ${fileErrorText(e)}`);
    }
    parsed.push({ file, ...observationsFromFile(text, file, config, at) });
  }
  const store = await openHistoryStore(history, inventory?.shards ?? []);
  const lines: string[] = [];
  try {
    for (const p of parsed) {
      const written = await store.append(p.observations);
      const keys = p.observations.length;
      lines.push(`${p.file}: ${p.kind} taken at ${new Date(p.at).toISOString()}: ${keys} counter${keys === 1 ? '' : 's'}, ${written} new observation${written === 1 ? '' : 's'} → ${store.description}`);
    }
  } finally {
    await store.close();
  }
  return lines.join('\n') + '\n';
}
