/**
 * The synthetic fleet of the benchmark: Rails-style tenant databases, one DDL text generated once
 * and replayed into every database, created with big multi-statement batches per server, all
 * servers in parallel.
 *
 * One tenant database (30 tables by default) looks like a Rails app that has lived through the
 * 5.1 switch from INT to BIGINT keys:
 *  - `id` BIGINT AUTO_INCREMENT on newer tables, INT AUTO_INCREMENT on older ones, one SMALLINT
 *    UNSIGNED lookup table, one table whose INT key is assigned by the application (no counter:
 *    headroom reads MAX(id) for it), and the two Rails bookkeeping tables keyed by strings;
 *  - `*_id` columns pointing at tables of the same database, each with its Rails index; several
 *    are INT under a BIGINT parent (the Intercom February 2024 pattern); about a third of the
 *    references are declared FOREIGN KEYs (only where the types match: MariaDB refuses others);
 *  - other integer columns (counters, flags, positions) and strings and timestamps around them.
 * More than 30 tables per database (--tables) adds generic `extra_N` tables referencing the
 * first ones; fewer takes a prefix of the list (parents always come before their children).
 *
 * Planted near-limit counters, in every PLANT_EVERY-th database of each server:
 *  - plans.id (INT) at 2,000,000,000 (93% of INT): pk-capacity, and accounts.plan_id /
 *    invoices.plan_id (INT) via fk-capacity;
 *  - message_threads.id (BIGINT) at 2,200,000,000: past INT, so the INT
 *    conversation_parts.message_thread_id is over its limit (fk-capacity, fk-type-mismatch);
 *  - feature_flags.id (SMALLINT UNSIGNED) at 60,000 (92%);
 *  - one settings row with id 2,100,000,000 (found by the MAX() read, no counter).
 */
import type { TestServer } from '../test/support/mariadb.js';

/**
 * Server settings. MariaDB 10.11's defaults are table_open_cache=2000 and
 * table_definition_cache=400; these are values of a tuned production server. Both are smaller
 * than the number of tables per server, as on a real fleet of thousands of tenant databases, so
 * each full catalog read re-opens table definitions instead of finding them all cached.
 */
export const SERVER_ARGS = [
  '--table-open-cache=4000',
  '--table-definition-cache=2000',
  '--innodb-buffer-pool-size=512M',
  // Only makes building the fleet (30,000+ CREATE TABLE, each creating a file) faster: no fsync.
  // The measured part only reads.
  '--innodb-flush-method=nosync',
];

export const PLANT_EVERY = 50;

interface Col {
  name: string;
  type: string;
  /** Table this `*_id` column references (its `id`), by Rails naming. */
  ref?: string;
  /** Declare a FOREIGN KEY for the reference. */
  fk?: boolean;
  /** Add the Rails index on it (default true for references). */
  index?: boolean;
}

interface TableDef {
  name: string;
  /** The key: 'bigint' | 'int' | 'smallint unsigned' AUTO_INCREMENT, or 'app-int' (assigned by the app), or 'string'. */
  key: 'bigint' | 'int' | 'smallint unsigned' | 'app-int' | 'string';
  cols: Col[];
}

const ts: Col[] = [
  { name: 'created_at', type: 'datetime(6) NOT NULL' },
  { name: 'updated_at', type: 'datetime(6) NOT NULL' },
];
const str = (name: string, len = 255): Col => ({ name, type: `varchar(${len}) DEFAULT NULL` });
const int = (name: string, type = 'int(11) NOT NULL DEFAULT 0'): Col => ({ name, type });
const ref = (name: string, table: string, type: 'bigint' | 'int', fk = false, index = true): Col => ({
  name,
  type: type === 'bigint' ? 'bigint(20) NOT NULL' : 'int(11) NOT NULL',
  ref: table,
  fk,
  index,
});

/** Parents before children, so declared FKs always find their parent. */
export const TEMPLATE_TABLES: TableDef[] = [
  { name: 'plans', key: 'int', cols: [str('name'), int('price_cents'), int('seats'), ...ts] },
  { name: 'feature_flags', key: 'smallint unsigned', cols: [str('name', 100), int('enabled', 'tinyint(1) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'accounts', key: 'bigint', cols: [str('name'), ref('plan_id', 'plans', 'int', true), str('subdomain', 100), int('status', 'tinyint(4) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'users', key: 'bigint', cols: [ref('account_id', 'accounts', 'bigint', true), str('email'), str('name'), int('sign_in_count'), int('role', 'smallint(6) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'teams', key: 'int', cols: [ref('account_id', 'accounts', 'bigint'), str('name'), int('members_count'), ...ts] },
  { name: 'memberships', key: 'bigint', cols: [ref('team_id', 'teams', 'int', true), ref('user_id', 'users', 'bigint', true), int('role', 'tinyint(4) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'message_threads', key: 'bigint', cols: [ref('account_id', 'accounts', 'bigint'), ref('user_id', 'users', 'bigint'), str('subject'), int('parts_count'), ...ts] },
  // The Intercom pattern: INT under a BIGINT key, no constraint (MariaDB would refuse one).
  { name: 'conversation_parts', key: 'bigint', cols: [ref('message_thread_id', 'message_threads', 'int'), ref('user_id', 'users', 'bigint'), { name: 'body', type: 'text' }, int('part_type', 'tinyint(4) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'messages', key: 'bigint', cols: [ref('message_thread_id', 'message_threads', 'bigint', true), ref('user_id', 'users', 'int'), { name: 'body', type: 'text' }, ...ts] },
  { name: 'tags', key: 'int', cols: [ref('account_id', 'accounts', 'bigint'), str('name', 100), int('taggings_count'), ...ts] },
  { name: 'taggings', key: 'bigint', cols: [ref('tag_id', 'tags', 'int', true), ref('message_thread_id', 'message_threads', 'bigint'), ...ts] },
  { name: 'blobs', key: 'bigint', cols: [str('key'), str('filename'), { name: 'byte_size', type: 'bigint(20) NOT NULL' }, str('checksum', 64), ...ts] },
  { name: 'attachments', key: 'bigint', cols: [ref('message_id', 'messages', 'bigint', true), ref('blob_id', 'blobs', 'bigint', true), str('name'), ...ts] },
  { name: 'notifications', key: 'bigint', cols: [ref('user_id', 'users', 'bigint', true), ref('message_id', 'messages', 'int'), int('read', 'tinyint(1) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'sessions', key: 'bigint', cols: [ref('user_id', 'users', 'bigint'), str('token', 64), str('ip', 45), ...ts] },
  // session_id has no index: a reference found by naming, whose MAX() would be a scan (never read).
  { name: 'events', key: 'bigint', cols: [ref('account_id', 'accounts', 'bigint'), ref('user_id', 'users', 'bigint'), ref('session_id', 'sessions', 'bigint', false, false), str('name', 100), ...ts] },
  { name: 'audit_logs', key: 'bigint', cols: [ref('user_id', 'users', 'int'), ref('account_id', 'accounts', 'bigint'), str('action', 100), ...ts] },
  { name: 'companies', key: 'int', cols: [ref('account_id', 'accounts', 'bigint'), str('name'), int('employees_count'), ...ts] },
  { name: 'contacts', key: 'bigint', cols: [ref('company_id', 'companies', 'int', true), ref('account_id', 'accounts', 'bigint'), str('email'), ...ts] },
  { name: 'notes', key: 'bigint', cols: [ref('contact_id', 'contacts', 'bigint', true), ref('user_id', 'users', 'bigint'), { name: 'body', type: 'text' }, ...ts] },
  { name: 'webhooks', key: 'int', cols: [ref('account_id', 'accounts', 'bigint'), str('url'), int('failures_count'), ...ts] },
  { name: 'webhook_deliveries', key: 'bigint', cols: [ref('webhook_id', 'webhooks', 'int', true), int('status_code', 'smallint(6) DEFAULT NULL'), ...ts] },
  { name: 'api_keys', key: 'int', cols: [ref('user_id', 'users', 'bigint'), str('token_digest', 64), ...ts] },
  { name: 'invoices', key: 'bigint', cols: [ref('account_id', 'accounts', 'bigint', true), ref('plan_id', 'plans', 'int'), int('total_cents', 'bigint(20) NOT NULL DEFAULT 0'), ...ts] },
  { name: 'invoice_items', key: 'bigint', cols: [ref('invoice_id', 'invoices', 'int'), str('description'), int('amount_cents'), ...ts] },
  // Ids assigned by the application: no counter, so headroom reads MAX(id).
  { name: 'settings', key: 'app-int', cols: [ref('account_id', 'accounts', 'bigint'), str('name', 100), ...ts] },
  { name: 'setting_values', key: 'bigint', cols: [ref('setting_id', 'settings', 'int'), str('value'), ...ts] },
  { name: 'reports', key: 'bigint', cols: [ref('account_id', 'accounts', 'bigint'), { name: 'hits', type: 'bigint(20) unsigned NOT NULL DEFAULT 0' }, int('period', 'mediumint(8) unsigned NOT NULL DEFAULT 0'), ...ts] },
  { name: 'schema_migrations', key: 'string', cols: [] },
  { name: 'ar_internal_metadata', key: 'string', cols: [str('value'), ...ts] },
];

export function tableDefs(count: number): TableDef[] {
  if (count <= TEMPLATE_TABLES.length) return TEMPLATE_TABLES.slice(0, count);
  const out = [...TEMPLATE_TABLES];
  for (let i = 1; out.length < count; i++) {
    out.push({
      name: `extra_${i}`,
      key: i % 3 === 0 ? 'int' : 'bigint',
      cols: [ref('account_id', 'accounts', 'bigint', i % 4 === 0), ref('user_id', 'users', i % 5 === 0 ? 'int' : 'bigint'), str('name'), int('counter'), ...ts],
    });
  }
  return out;
}

function createTable(t: TableDef, present: Set<string>): string {
  const lines: string[] = [];
  switch (t.key) {
    case 'bigint':
      lines.push('`id` bigint(20) NOT NULL AUTO_INCREMENT');
      break;
    case 'int':
      lines.push('`id` int(11) NOT NULL AUTO_INCREMENT');
      break;
    case 'smallint unsigned':
      lines.push('`id` smallint(5) unsigned NOT NULL AUTO_INCREMENT');
      break;
    case 'app-int':
      lines.push('`id` int(11) NOT NULL');
      break;
    case 'string':
      lines.push(t.name === 'schema_migrations' ? '`version` varchar(255) NOT NULL' : '`key` varchar(255) NOT NULL');
      break;
  }
  const keys: string[] = [];
  for (const c of t.cols) {
    // A reference to a table that is not in this (shortened) schema is just an integer column.
    const live = c.ref !== undefined && present.has(c.ref);
    lines.push(`\`${c.name}\` ${c.type}`);
    if (live && c.index !== false) keys.push(`KEY \`index_${t.name}_on_${c.name}\` (\`${c.name}\`)`);
    if (live && c.fk) keys.push(`CONSTRAINT \`fk_rails_${t.name}_${c.name}\` FOREIGN KEY (\`${c.name}\`) REFERENCES \`${c.ref}\` (\`id\`)`);
  }
  const pk = t.key === 'string' ? (t.name === 'schema_migrations' ? '`version`' : '`key`') : '`id`';
  return `CREATE TABLE \`${t.name}\` (\n  ${[...lines, `PRIMARY KEY (${pk})`, ...keys].join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n`;
}

/** The DDL of one tenant database (no CREATE DATABASE / USE): generated once, replayed everywhere. */
export function databaseDdl(tables: number): string {
  const defs = tableDefs(tables);
  const present = new Set(defs.map((d) => d.name));
  return defs.map((d) => createTable(d, present)).join('');
}

/** Statements that plant near-limit values in one database (only for the tables that exist). */
export function plantDdl(tables: number): string {
  const present = new Set(tableDefs(tables).map((d) => d.name));
  const out: string[] = [];
  if (present.has('plans')) out.push('ALTER TABLE `plans` AUTO_INCREMENT = 2000000000;');
  if (present.has('message_threads')) out.push('ALTER TABLE `message_threads` AUTO_INCREMENT = 2200000000;');
  if (present.has('feature_flags')) out.push('ALTER TABLE `feature_flags` AUTO_INCREMENT = 60000;');
  if (present.has('settings')) out.push("INSERT INTO `settings` (id, account_id, name, created_at, updated_at) VALUES (2100000000, 1, 'x', NOW(6), NOW(6));");
  return out.join('\n') + '\n';
}

export interface FleetShape {
  servers: number;
  databases: number;
  tables: number;
}

export function databaseName(server: number, index: number, width: number): string {
  return `ws_${String(server + 1).padStart(2, '0')}_${String(index + 1).padStart(width, '0')}`;
}

export interface BuildResult {
  seconds: number;
  perServerSeconds: number[];
  plantedDatabases: number;
}

/**
 * Create `shape.databases` databases on every server. Each server gets `batch` databases per
 * round trip (one multi-statement query), on `connections` connections; servers in parallel.
 */
export async function buildFleet(
  servers: TestServer[],
  shape: FleetShape,
  opts: { batch?: number; onProgress?: (server: number, done: number) => void } = {},
): Promise<BuildResult> {
  const ddl = databaseDdl(shape.tables);
  const plant = plantDdl(shape.tables);
  const batch = opts.batch ?? 10;
  const width = Math.max(4, String(shape.databases).length);
  const started = performance.now();
  let planted = 0;
  // Every PLANT_EVERY-th database, shifted by server; at least one per server on small fleets.
  const every = Math.min(PLANT_EVERY, shape.databases);
  const perServer = await Promise.all(
    servers.map(async (server, s) => {
      const t0 = performance.now();
      await server.sql('SET SESSION foreign_key_checks = 1');
      for (let i = 0; i < shape.databases; i += batch) {
        const parts: string[] = [];
        for (let j = i; j < Math.min(i + batch, shape.databases); j++) {
          const name = databaseName(s, j, width);
          parts.push(`CREATE DATABASE \`${name}\`;\nUSE \`${name}\`;\n${ddl}`);
          if ((j + s) % every === every - 1) {
            parts.push(plant);
            planted++;
          }
        }
        await server.sql(parts.join(''));
        opts.onProgress?.(s, Math.min(i + batch, shape.databases));
      }
      return (performance.now() - t0) / 1000;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, perServerSeconds: perServer, plantedDatabases: planted };
}
