/**
 * Which tool may change a table's column type, from facts read in the scan. Pure.
 *
 * Sources (see ../shared field notes): gh-ost doc/requirements-and-limitations.md
 * (ROW binlog with FULL row image, no foreign keys, a shared NOT NULL unique key);
 * pt-online-schema-change docs (refuses tables with triggers, needs a PRIMARY KEY
 * or UNIQUE index, parent-side FKs need --alter-foreign-keys-method); Spirit
 * (MySQL 8.0+, ROW binlog, no foreign keys); Vitess Online DDL (no foreign keys).
 */
import type { ForeignKey, ServerInfo, Table } from '../model/types.js';
import type { Policy, ToolCheck, ToolId } from './types.js';

export interface TableFacts {
  server: ServerInfo | null;
  table: Table;
  /** Declared FKs on this table that the plan does not drop first. */
  childForeignKeys: ForeignKey[];
  /** Declared FKs on other tables that point at this one and that the plan does not drop first. */
  parentForeignKeys: { table: string; fk: ForeignKey }[];
}

/**
 * A PRIMARY KEY, or a UNIQUE index (copy tools chunk on it). With `notNull`, the
 * index's columns must be NOT NULL where known: the snapshot keeps integer columns
 * only, so a column of another type (UNIQUE(email)) counts, and the runbook's
 * pre-check asks to confirm it.
 */
export function hasUsableUniqueKey(t: Table, notNull = true): boolean {
  if (t.primaryKey.length > 0) return true;
  return t.indexes.some((i) => i.unique && (!notNull || i.columns.every((c) => !t.columns.find((x) => x.name === c)?.nullable)));
}

export function directAllowed(t: Table, policy: Policy): { ok: boolean; reasons: string[] } {
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

export function checkTool(tool: ToolId, facts: TableFacts, policy: Policy): ToolCheck {
  const reasons: string[] = [];
  const { server, table } = facts;
  // Named only when some stay (most tables of a plan have none: no list built for them).
  const hasFks = facts.childForeignKeys.length > 0 || facts.parentForeignKeys.length > 0;
  switch (tool) {
    case 'direct':
      return { tool, ...directAllowed(table, policy) };
    case 'gh-ost':
      binlogRow(server, reasons);
      if (server?.binlogRowImage && server.binlogRowImage.toUpperCase() !== 'FULL') reasons.push(`binlog_row_image is ${server.binlogRowImage}, not FULL`);
      if (hasFks) reasons.push(`foreign keys stay on the table (${foreignKeyNames(facts)}): gh-ost does not support them`);
      if (table.triggers > 0) reasons.push(`${table.triggers} trigger(s) on the table`);
      if (!hasUsableUniqueKey(table)) reasons.push('no PRIMARY KEY or NOT NULL UNIQUE key to copy by');
      break;
    case 'pt-online-schema-change':
      if (table.triggers > 0) reasons.push(`${table.triggers} trigger(s) on the table: pt-online-schema-change refuses tables that have triggers`);
      if (!hasUsableUniqueKey(table, false)) reasons.push('no PRIMARY KEY or UNIQUE index: pt-online-schema-change refuses the table');
      break;
    case 'spirit':
      if (server && (server.flavor !== 'mysql' || Number.parseInt(server.version, 10) < 8)) {
        reasons.push(`Spirit needs MySQL 8.0 or later; this is ${server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${server.version}`);
      }
      binlogRow(server, reasons);
      if (hasFks) reasons.push(`foreign keys stay on the table (${foreignKeyNames(facts)}): Spirit refuses them`);
      if (table.triggers > 0) reasons.push(`${table.triggers} trigger(s) on the table`);
      if (server?.binlogRowImage && server.binlogRowImage.toUpperCase() !== 'FULL') reasons.push(`binlog_row_image is ${server.binlogRowImage}, not FULL`);
      if (table.primaryKey.length === 0) reasons.push('no PRIMARY KEY');
      break;
    case 'vitess':
      if (hasFks) reasons.push(`foreign keys stay on the table (${foreignKeyNames(facts)}): Vitess Online DDL refuses them`);
      break;
  }
  return { tool, ok: reasons.length === 0, reasons };
}

/** The binary log must be on, in ROW format (unknown server facts: not checked). */
function binlogRow(server: ServerInfo | null, reasons: string[]): void {
  if (!server) return;
  if (server.logBin === false) reasons.push('the binary log is off on this server');
  else if (server.binlogFormat && server.binlogFormat.toUpperCase() !== 'ROW') reasons.push(`binlog_format is ${server.binlogFormat}, not ROW`);
}

/** The foreign keys that stay: this table's own, then `table.constraint` of those pointing at it. */
function foreignKeyNames(facts: TableFacts): string {
  return [...facts.childForeignKeys.map((f) => f.name), ...facts.parentForeignKeys.map((p) => `${p.table}.${p.fk.name}`)].join(', ');
}

/**
 * The first allowed tool: a direct ALTER when the policy allows it for a table
 * this small, else the policy's tools in order.
 */
export function chooseTool(facts: TableFacts, policy: Policy): { chosen?: ToolId; checks: ToolCheck[] } {
  const order: ToolId[] = ['direct', ...policy.tools.filter((t) => t !== 'direct')];
  const checks = order.map((t) => checkTool(t, facts, policy));
  return { chosen: checks.find((c) => c.ok)?.tool, checks };
}
