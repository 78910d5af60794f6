/**
 * SQL fixtures with their expected findings written inline, skeema-style:
 *
 *   CREATE TABLE conversation_parts (
 *     message_thread_id INT NOT NULL, -- expect: fk-capacity critical; fk-type-mismatch critical
 *
 * `expectations()` reads those markers; `loadLayout()` loads files into databases on servers.
 * Adding a case is editing one SQL file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestServer } from './mariadb.js';

export const SQL_DIR = fileURLToPath(new URL('../../fixtures/sql/', import.meta.url));

export function fixtureSql(file: string): string {
  return readFileSync(`${SQL_DIR}${file}`, 'utf8');
}

/** "check severity shard/database/table.column" — one line per expected finding. */
export function expectations(file: string, shard: string, database: string): string[] {
  const out: string[] = [];
  let table: { db: string; name: string } | undefined;
  for (const line of fixtureSql(file).split('\n')) {
    const create = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?(?:\.`?(\w+)`?)?/i.exec(line);
    if (create) table = create[2] ? { db: create[1]!, name: create[2] } : { db: database, name: create[1]! };
    const mark = /--\s*expect:\s*(.+)$/.exec(line);
    if (!mark || /^\s*--/.test(line)) continue; // a marker sits after a column, not in a comment line
    if (!table) throw new Error(`${file}: expectation before any CREATE TABLE: ${line}`);
    const column = /^\s*`?(\w+)`?/.exec(line)?.[1];
    if (!column) throw new Error(`${file}: no column on expectation line: ${line}`);
    for (const part of mark[1]!.split(';')) {
      const [check, severity] = part.trim().split(/\s+/);
      if (!check || !severity) throw new Error(`${file}: bad expectation "${part}"`);
      out.push(`${check} ${severity} ${shard}/${table.db}/${table.name}.${column}`);
    }
  }
  return out;
}

export interface Placement {
  file: string;
  databases: string[];
}

/** Create each database and load its file, in one round trip per server. */
export async function loadPlacements(server: TestServer, placements: Placement[]): Promise<void> {
  const parts: string[] = [];
  for (const p of placements) {
    const text = fixtureSql(p.file);
    for (const db of p.databases) parts.push(`CREATE DATABASE \`${db}\`;\nUSE \`${db}\`;\n${text}`);
  }
  await server.sql(parts.join('\n'));
}

/** Every expectation of the placements on one server. */
export function placementExpectations(shard: string, placements: Placement[]): string[] {
  return placements.flatMap((p) => p.databases.flatMap((db) => expectations(p.file, shard, db)));
}

export function names(prefix: string, count: number, width = 3): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}
