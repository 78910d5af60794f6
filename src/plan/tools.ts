/**
 * Which tool may change a table's column type, from facts read in the scan. Pure.
 * The facts about each tool, with their sources, are one table: tool-facts.ts.
 */
import picomatch from 'picomatch';
import type { ForeignKey, ServerInfo, Table } from '../model/types.js';
import { hasUsableUniqueKey, toolReasons, type ToolFacts } from './tool-facts.js';
import type { Policy, ToolCheck, ToolId } from './types.js';

export { hasUsableUniqueKey } from './tool-facts.js';

export interface TableFacts {
  server: ServerInfo | null;
  table: Table;
  /** The table's database (policy.directAlter.tables may name it). */
  database?: string;
  /** Declared FKs on this table that the plan does not drop first. */
  childForeignKeys: ForeignKey[];
  /** Declared FKs on other tables that point at this one and that the plan does not drop first. */
  parentForeignKeys: { database: string; table: string; fk: ForeignKey }[];
  /** The shard is reached by Unix socket only. */
  socketOnly?: boolean;
  /** The Vitess keyspace of the table's database on this shard (vitess: block). */
  keyspace?: string;
}

/** `policy.directAlter.tables`: `table` or `db.table` globs given a direct ALTER whatever their size (a decision for that table). */
export function directAllowedByName(database: string, table: string, policy: Policy): string | undefined {
  for (const g of policy.directAlter.tables ?? []) {
    const m = picomatch(g, { dot: true });
    if (g.includes('.') ? m(`${database}.${table}`) : m(table)) return g;
  }
  return undefined;
}

export function directAllowed(t: Table, policy: Policy, database?: string): { ok: boolean; reasons: string[] } {
  if (database !== undefined && directAllowedByName(database, t.name, policy) !== undefined) return { ok: true, reasons: [] };
  const { maxRows, maxBytes } = policy.directAlter;
  if (maxRows === 0n && maxBytes === 0n) return { ok: false, reasons: ['policy.directAlter allows no direct ALTER (type changes go through an online copy)'] };
  const reasons: string[] = [];
  const bytes = (t.dataBytes ?? 0n) + (t.indexBytes ?? 0n);
  if (t.rowsEstimate === null) reasons.push('row count unknown');
  else if (maxRows > 0n && t.rowsEstimate > maxRows) reasons.push(`~${t.rowsEstimate} rows > policy.directAlter.maxRows ${maxRows}`);
  if (maxBytes > 0n && t.dataBytes === null) reasons.push('table size unknown');
  else if (maxBytes > 0n && bytes > maxBytes) reasons.push(`${bytes} bytes > policy.directAlter.maxBytes ${maxBytes}`);
  return { ok: reasons.length === 0, reasons };
}

export function checkTool(tool: ToolId, facts: TableFacts, policy: Policy, known?: ToolFacts): ToolCheck {
  if (tool === 'direct') return { tool, ...directAllowed(facts.table, policy, facts.database) };
  const reasons = toolReasons(tool, known ?? toolFacts(facts), policy);
  return { tool, ok: reasons.length === 0, reasons };
}

/** What the tool rules look at, from the table's facts (built once per table, not once per tool). */
function toolFacts(facts: TableFacts): ToolFacts {
  const foreignKeys =
    facts.childForeignKeys.length === 0 && facts.parentForeignKeys.length === 0
      ? NO_NAMES
      : [...facts.childForeignKeys.map((f) => f.name), ...facts.parentForeignKeys.map((p) => `${p.table}.${p.fk.name}`)];
  return { server: facts.server, table: facts.table, foreignKeys, socketOnly: facts.socketOnly ?? false, ...(facts.keyspace ? { keyspace: facts.keyspace } : {}) };
}

const NO_NAMES: string[] = [];

/**
 * The first allowed tool: a direct ALTER when the policy allows it for a table
 * this small, else the policy's tools in order.
 */
export function chooseTool(facts: TableFacts, policy: Policy): { chosen?: ToolId; checks: ToolCheck[] } {
  const order: ToolId[] = ['direct', ...policy.tools.filter((t) => t !== 'direct')];
  const known = toolFacts(facts);
  const checks = order.map((t) => checkTool(t, facts, policy, known));
  return { chosen: checks.find((c) => c.ok)?.tool, checks };
}
