/**
 * `headroom lint`'s workspace: a uniquely named throwaway database on a server
 * the user names, into which DDL files are loaded so that a real server parses
 * them; then the same introspection as `scan`; then the database is dropped —
 * always, also on error or Ctrl-C.
 *
 * This is one of the two places headroom writes (the other is `offsets`). It
 * only ever creates and drops databases named `headroom_lint_*` that it created
 * itself in this run.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { mysqlSplitterOptions, splitQuery } from 'dbgate-query-splitter';
import mysql from 'mysql2/promise';
import type { CheckConfig, ShardConfig } from '../config/types.js';
import { fileErrorText, UsageError } from '../errors.js';
import type { ShardSnapshot } from '../model/types.js';
import { collectShard, describeError } from './collect.js';
import { connectionOptions } from '../connect/session.js';
import { q } from '../plan/commands.js';
import { columnPositions, type ColumnPositions } from '../lint/ddl-positions.js';

export const WORKSPACE_PREFIX = 'headroom_lint_';

export interface DdlStatement {
  file: string;
  line: number;
  column: number;
  /** Offset of `text` in the file's text. */
  offset: number;
  text: string;
}

/** Split a DDL file into statements with their positions (DELIMITER, quotes and comments handled by dbgate-query-splitter). */
export function splitDdl(text: string, file: string): DdlStatement[] {
  const pieces = splitQuery(text, { ...mysqlSplitterOptions, returnRichInfo: true }) as unknown as {
    text: string;
    trimStart?: { position: number; line: number; column: number };
    start: { position: number; line: number; column: number };
  }[];
  const out: DdlStatement[] = [];
  for (const p of pieces) {
    const body = stripComments(p.text).trim();
    if (body === '') continue; // comment-only piece: the server would answer "Query was empty"
    const pos = p.trimStart ?? p.start;
    // Point at the statement itself, past any comment lines in front of it.
    const lead = /^(?:\s+|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*(?!!)[\s\S]*?\*\/)*/.exec(p.text)?.[0] ?? '';
    const leadLines = lead.split('\n');
    const line = pos.line + leadLines.length;
    const column = leadLines.length > 1 ? leadLines[leadLines.length - 1]!.length + 1 : pos.column + lead.length + 1;
    const stmt = { file, line, column, offset: pos.position, text: p.text };
    // The schema must land in the workspace, nowhere else.
    if (/^(USE\s|CREATE\s+(DATABASE|SCHEMA)\b|DROP\s+(DATABASE|SCHEMA)\b|ALTER\s+(DATABASE|SCHEMA)\b)/i.test(body)) {
      throw new UsageError(
        `${file}:${stmt.line}:${stmt.column}: \`${body.split(/\s+/).slice(0, 3).join(' ')}\` — lint loads one schema into its own workspace database; ` +
          'dump without --databases (or remove USE / CREATE DATABASE)',
      );
    }
    out.push(stmt);
  }
  return out;
}

function stripComments(sql: string): string {
  // MySQL's executable comments (/*! ... */) are statements; plain comments are not.
  return sql.replace(/\/\*(?!!)[\s\S]*?\*\//g, '').replace(/(^|\n)\s*(--\s|#)[^\n]*/g, '$1');
}

export interface LintWorkspaceResult {
  shard: ShardSnapshot;
  workspace: string;
  /** Where each table's columns are defined in the files (for annotations on the right line). */
  positions: ColumnPositions;
}

/**
 * Load the files into a fresh workspace on `server`, introspect it, drop it.
 * The snapshot's database is renamed to `schemaName` so findings read naturally.
 */
export async function lintInWorkspace(
  server: ShardConfig,
  files: string[],
  config: CheckConfig,
  schemaName = 'schema',
): Promise<LintWorkspaceResult> {
  const statements: DdlStatement[] = [];
  const texts = new Map<string, string>();
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      throw new UsageError(`${f}: cannot read DDL file: ${fileErrorText(e)}`);
    }
    texts.set(f, text);
    statements.push(...splitDdl(text, f));
  }
  const workspace = `${WORKSPACE_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  let conn: mysql.Connection;
  try {
    // Same connection rules as scan (TLS, option files, passwordCommand).
    conn = await mysql.createConnection(await connectionOptions(server));
  } catch (e) {
    throw new UsageError(`workspace ${server.name}: ${describeError(e, server)}`);
  }
  let created = false;
  const drop = async () => {
    if (!created) return;
    created = false;
    await conn.query(`DROP DATABASE IF EXISTS ${q(workspace)}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void drop().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await conn.query(`CREATE DATABASE ${q(workspace)} CHARACTER SET utf8mb4`);
    created = true;
    await conn.query(`USE ${q(workspace)}`);
    for (const [i, s] of statements.entries()) {
      try {
        await conn.query(s.text);
      } catch (e) {
        const err = e as { sqlMessage?: string; message?: string; code?: string };
        throw new UsageError(
          `${s.file}:${s.line}:${s.column}: the server refused statement ${i + 1} (${basename(s.file)}): ${err.sqlMessage ?? err.message ?? String(e)}`,
        );
      }
    }
    const shard = await collectShard({ ...server, databases: [workspace], exclude: [] }, config);
    return { shard: renameDatabase(shard, workspace, schemaName), workspace, positions: columnPositions(statements, texts) };
  } finally {
    try {
      await drop();
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await conn.end().catch(() => undefined);
    }
  }
}

function renameDatabase(shard: ShardSnapshot, from: string, to: string): ShardSnapshot {
  return {
    ...shard,
    databases: shard.databases.map((d) => ({
      ...d,
      name: d.name === from ? to : d.name,
      tables: d.tables.map((t) => ({
        ...t,
        foreignKeys: t.foreignKeys.map((fk) => ({ ...fk, referencedDatabase: fk.referencedDatabase === from ? to : fk.referencedDatabase })),
      })),
    })),
  };
}
