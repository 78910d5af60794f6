/**
 * What each online schema change tool can and cannot do, in one table: tool × server flavor and
 * version × table facts → allowed, or why not, with the source of each fact. A new tool release
 * is one edit here. Pure.
 *
 * Each rule returns the reason the tool cannot change the table, or undefined. `checkTool`
 * (tools.ts) runs every rule of a tool; the planner picks the first tool with no reason.
 */
import type { ServerInfo, Table } from '../model/types.js';
import type { Policy, ToolId } from './types.js';

export interface ToolFacts {
  server: ServerInfo | null;
  table: Table;
  /** Names of declared FKs that stay on the table or point at it during the copy ("t.fk" for the latter). */
  foreignKeys: string[];
  /** The shard is reached by Unix socket only (no TCP host). */
  socketOnly: boolean;
  /** The Vitess keyspace whose database (on this shard) holds the table, from the vitess: block. */
  keyspace?: string;
}

export interface ToolRule {
  tool: ToolId;
  /** What the rule checks, for docs/planner.md and the tests. */
  fact: string;
  /** Where the fact comes from: repository and path (and version), a manual page, or [tried] on a server here. */
  source: string;
  reason(f: ToolFacts, policy: Policy): string | undefined;
}

/** MariaDB's version as [major, minor] (`10.11.9-MariaDB-log` → [10, 11]). */
export function versionOf(server: ServerInfo): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(server.version);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const atLeast = (v: [number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

function binlogRow(server: ServerInfo | null): string | undefined {
  if (!server) return undefined;
  if (server.logBin === false) return 'the binary log is off on this server';
  if (server.binlogFormat && server.binlogFormat.toUpperCase() !== 'ROW') return `binlog_format is ${server.binlogFormat}, not ROW`;
  return undefined;
}

function fullRowImage(server: ServerInfo | null): string | undefined {
  return server?.binlogRowImage && server.binlogRowImage.toUpperCase() !== 'FULL' ? `binlog_row_image is ${server.binlogRowImage}, not FULL` : undefined;
}

/**
 * A PRIMARY KEY, or a UNIQUE index (copy tools chunk on it). With `notNull`, the index's columns
 * must be NOT NULL where known: the snapshot keeps integer columns only, so a column of another
 * type (UNIQUE(email)) counts, and the runbook's pre-check asks to confirm it.
 */
export function hasUsableUniqueKey(t: Table, notNull = true): boolean {
  if (t.primaryKey.length > 0) return true;
  return t.indexes.some((i) => i.unique && (!notNull || i.columns.every((c) => !t.columns.find((x) => x.name === c)?.nullable)));
}

export const TOOL_RULES: readonly ToolRule[] = [
  // gh-ost
  {
    tool: 'gh-ost',
    fact: 'MariaDB before 11.1: gh-ost sets transaction_isolation, which MariaDB < 11.1 does not have',
    source: 'github/gh-ost go/mysql/connection.go (every release up to v1.1.10, 2026-06-01); reproduced with v1.1.6: FATAL Error 1193',
    reason: ({ server }) => (server?.flavor === 'mariadb' && !atLeast(versionOf(server), 11, 1) ? `gh-ost cannot connect to MariaDB ${server.version}: every gh-ost release sets transaction_isolation, which MariaDB before 11.1 does not have (Error 1193)` : undefined),
  },
  {
    tool: 'gh-ost',
    fact: 'MariaDB 11.1 and later: only a gh-ost built from main after 2026-06-23 (MariaDB support, 653b99e7) — policy.ghost.mariadbSupport',
    source: 'github/gh-ost commit 653b99e7 "MariaDB support" (#1724), in no release',
    reason: ({ server }, policy) =>
      server?.flavor === 'mariadb' && atLeast(versionOf(server), 11, 1) && !policy.ghost.mariadbSupport
        ? `no gh-ost release supports MariaDB (support is on gh-ost's main branch since 2026-06-23): set policy.ghost.mariadbSupport: true if your gh-ost is built from it`
        : undefined,
  },
  {
    tool: 'gh-ost',
    fact: 'a Unix socket: gh-ost connects by TCP host and port only',
    source: 'github/gh-ost go/cmd/gh-ost/main.go (v1.1.10): --host, --port; no socket flag',
    reason: ({ socketOnly }) => (socketOnly ? 'the shard is reached by Unix socket, and gh-ost connects only by TCP (--host/--port)' : undefined),
  },
  { tool: 'gh-ost', fact: 'binary log on, binlog_format=ROW', source: 'github/gh-ost doc/requirements-and-limitations.md', reason: ({ server }) => binlogRow(server) },
  { tool: 'gh-ost', fact: 'binlog_row_image=FULL', source: 'github/gh-ost doc/requirements-and-limitations.md', reason: ({ server }) => fullRowImage(server) },
  {
    tool: 'gh-ost',
    fact: 'no foreign keys on either side',
    source: 'github/gh-ost doc/requirements-and-limitations.md',
    reason: ({ foreignKeys }) => (foreignKeys.length ? `foreign keys stay on the table (${foreignKeys.join(', ')}): gh-ost does not support them` : undefined),
  },
  { tool: 'gh-ost', fact: 'no triggers', source: 'github/gh-ost doc/requirements-and-limitations.md', reason: ({ table }) => (table.triggers > 0 ? `${table.triggers} trigger(s) on the table` : undefined) },
  {
    tool: 'gh-ost',
    fact: 'a PRIMARY KEY or NOT NULL UNIQUE key',
    source: 'github/gh-ost doc/requirements-and-limitations.md',
    reason: ({ table }) => (hasUsableUniqueKey(table) ? undefined : 'no PRIMARY KEY or NOT NULL UNIQUE key to copy by'),
  },

  // pt-online-schema-change
  {
    tool: 'pt-online-schema-change',
    fact: 'no triggers on the table',
    source: 'pt-online-schema-change 3.2.1 POD, DESCRIPTION ("The tool refuses to operate if the table already has triggers")',
    reason: ({ table }) => (table.triggers > 0 ? `${table.triggers} trigger(s) on the table: pt-online-schema-change refuses tables that have triggers` : undefined),
  },
  {
    tool: 'pt-online-schema-change',
    fact: 'a PRIMARY KEY or UNIQUE index',
    source: 'pt-online-schema-change 3.2.1 POD; [tried] a join table with only secondary indexes: "was not altered"',
    reason: ({ table }) => (hasUsableUniqueKey(table, false) ? undefined : 'no PRIMARY KEY or UNIQUE index: pt-online-schema-change refuses the table'),
  },
  {
    tool: 'pt-online-schema-change',
    fact: "a table name without a single quote (the tool's own SHOW TABLES … LIKE breaks on one)",
    source: "[tried] pt-online-schema-change 3.2.1 on MariaDB 10.11, table o'dd",
    reason: ({ table }) => (table.name.includes("'") ? 'the table name contains a single quote, which breaks pt-online-schema-change 3.2.1 (its own SHOW TABLES … LIKE)' : undefined),
  },

  // Spirit
  {
    tool: 'spirit',
    fact: 'MySQL 8.0 or later (not MariaDB)',
    source: 'block/spirit pkg/check/version.go',
    reason: ({ server }) =>
      server && (server.flavor !== 'mysql' || Number.parseInt(server.version, 10) < 8)
        ? `Spirit needs MySQL 8.0 or later; this is ${server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${server.version}`
        : undefined,
  },
  { tool: 'spirit', fact: 'binary log on, binlog_format=ROW', source: 'block/spirit pkg/check/configuration.go', reason: ({ server }) => binlogRow(server) },
  {
    tool: 'spirit',
    fact: 'no foreign keys',
    source: 'block/spirit pkg/check (foreign keys)',
    reason: ({ foreignKeys }) => (foreignKeys.length ? `foreign keys stay on the table (${foreignKeys.join(', ')}): Spirit refuses them` : undefined),
  },
  { tool: 'spirit', fact: 'no triggers', source: 'block/spirit pkg/check/triggers.go', reason: ({ table }) => (table.triggers > 0 ? `${table.triggers} trigger(s) on the table` : undefined) },
  { tool: 'spirit', fact: 'binlog_row_image=FULL', source: 'block/spirit pkg/check/configuration.go', reason: ({ server }) => fullRowImage(server) },
  { tool: 'spirit', fact: 'a PRIMARY KEY', source: 'block/spirit pkg/check', reason: ({ table }) => (table.primaryKey.length === 0 ? 'no PRIMARY KEY' : undefined) },
  {
    tool: 'spirit',
    fact: 'a Unix socket: Spirit connects by --host host:port',
    source: 'block/spirit cmd/spirit migrate flags (--host)',
    reason: ({ socketOnly }) => (socketOnly ? 'the shard is reached by Unix socket, and Spirit connects by --host host:port' : undefined),
  },

  // Vitess Online DDL
  {
    tool: 'vitess',
    fact: 'no foreign keys',
    source: 'vitess.io Online DDL docs (foreign keys unsupported except with --unsafe-allow-foreign-keys on patched builds)',
    reason: ({ foreignKeys }) => (foreignKeys.length ? `foreign keys stay on the table (${foreignKeys.join(', ')}): Vitess Online DDL refuses them` : undefined),
  },
  {
    tool: 'vitess',
    fact: 'the table belongs to a Vitess keyspace headroom knows (a vitess: block)',
    source: 'vtctldclient ApplySchema takes a keyspace, not a MySQL database',
    reason: ({ keyspace }) => (keyspace ? undefined : 'the database is not the database of a Vitess keyspace in the vitess: block (vtctldclient ApplySchema takes a keyspace)'),
  },
];

/** Every rule's reason for `tool` on these facts (empty: the tool can do it). */
export function toolReasons(tool: ToolId, facts: ToolFacts, policy: Policy): string[] {
  const out: string[] = [];
  for (const r of TOOL_RULES) {
    if (r.tool !== tool) continue;
    const why = r.reason(facts, policy);
    if (why !== undefined) out.push(why);
  }
  return out;
}
