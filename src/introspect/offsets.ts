/**
 * Applies counter offsets to a TEST database. Writes, so it guards: the caller
 * must have checked `offsetsAllowed` (or been given --force).
 */
import mysql from 'mysql2/promise';
import type { ShardConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { OffsetChange } from '../offsets/offsets.js';
import { qt } from '../plan/commands.js';
import { describeError } from './collect.js';
import { connectionOptions } from '../connect/session.js';

export function offsetStatements(database: string, changes: OffsetChange[]): string[] {
  // Metadata only on InnoDB; the server never lowers a counter below MAX(id)+1.
  return changes.map((c) => `ALTER TABLE ${qt(database, c.table)} AUTO_INCREMENT = ${c.to};`);
}

export async function applyOffsets(server: ShardConfig, database: string, changes: OffsetChange[]): Promise<void> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(await connectionOptions(server));
  } catch (e) {
    throw new UsageError(`${server.name}: ${describeError(e, server)}`);
  }
  try {
    await conn.query(`SET SESSION lock_wait_timeout = ${server.timeoutSeconds}`);
    for (const stmt of offsetStatements(database, changes)) await conn.query(stmt);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
