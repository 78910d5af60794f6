import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler } from 'kysely';
import { applyMaxValues, CatalogBuilder, normalizeCatalog, type RawCatalog } from '../../src/introspect/normalize.js';
import * as Q from '../../src/introspect/queries.js';
import { detectFlavor, sessionSetup, type InformationSchema } from '../../src/introspect/queries.js';
import type { Database, Table } from '../../src/model/types.js';

/** Recorded raw rows (see the `_comment` in each file for where they come from). */
function recorded(name: string): RawCatalog {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as RawCatalog;
}

function find(dbs: Database[], db: string, tableName: string): Table {
  const t = dbs.find((d) => d.name === db)?.tables.find((x) => x.name === tableName);
  if (!t) throw new Error(`no ${db}.${tableName}`);
  return t;
}

describe('normalizeCatalog on MySQL 8 rows', () => {
  const dbs = normalizeCatalog(recorded('mysql8-catalog.json'), ['shop', 'shop_empty']);

  it('keeps a matched database that has no tables, and sorts databases and tables', () => {
    expect(dbs.map((d) => d.name)).toEqual(['shop', 'shop_empty']);
    expect(dbs[1]!.tables).toEqual([]);
    expect(dbs[0]!.tables.map((t) => t.name)).toEqual(['customers', 'order_lines', 'orders', 'stock']);
  });

  it('builds a table: bigint strings exact, columns in ordinal order, PRIMARY index first', () => {
    expect(find(dbs, 'shop', 'customers')).toEqual({
      name: 'customers',
      engine: 'InnoDB',
      rowsEstimate: 1200n,
      dataBytes: 98304n,
      indexBytes: 32768n,
      autoIncrement: 18446744073709551001n,
      primaryKey: ['id'],
      columns: [
        { name: 'id', columnType: 'bigint unsigned', dataType: 'bigint', unsigned: true, zerofill: false, nullable: false, autoIncrement: true, default: null },
        { name: 'is_active', columnType: 'tinyint(1)', dataType: 'tinyint', unsigned: false, zerofill: false, nullable: false, autoIncrement: false, default: '1' },
      ],
      indexes: [
        { name: 'PRIMARY', unique: true, columns: ['id'] },
        { name: 'uniq_email', unique: true, columns: ['email'] },
      ],
      foreignKeys: [],
      triggers: 0,
      maxValues: {},
    });
  });

  it('keeps a NULL AUTO_INCREMENT (table not opened since restart) as null, not as a missing table', () => {
    const orders = find(dbs, 'shop', 'orders');
    expect(orders.autoIncrement).toBeNull();
    expect(orders.columns.map((c) => [c.name, c.columnType, c.unsigned, c.nullable, c.autoIncrement])).toEqual([
      ['id', 'int unsigned', true, false, true],
      ['customer_id', 'bigint unsigned', true, true, false],
      ['created_at_epoch', 'int', false, false, false], // EXTRA DEFAULT_GENERATED is not auto_increment
    ]);
    expect(orders.indexes).toEqual([
      { name: 'PRIMARY', unique: true, columns: ['id'] },
      { name: 'fk_orders_customer', unique: false, columns: ['customer_id'] },
    ]);
    expect(orders.foreignKeys).toEqual([
      { name: 'fk_orders_customer', columns: ['customer_id'], referencedDatabase: 'shop', referencedTable: 'customers', referencedColumns: ['id'], onUpdate: 'CASCADE', onDelete: 'RESTRICT' },
    ]);
  });

  it('orders composite keys and composite foreign keys by position, whatever order the rows came in', () => {
    const lines = find(dbs, 'shop', 'order_lines');
    expect(lines.primaryKey).toEqual(['order_id', 'line_no']);
    expect(lines.rowsEstimate).toBe(9007199254740993n);
    expect(lines.columns.map((c) => c.name)).toEqual(['order_id', 'line_no', 'warehouse_id', 'warehouse_region']);
    expect(lines.indexes.map((i) => [i.name, i.columns])).toEqual([
      ['PRIMARY', ['order_id', 'line_no']],
      ['fk_lines_stock', ['warehouse_id', 'warehouse_region']],
    ]);
    expect(lines.foreignKeys).toEqual([
      { name: 'fk_lines_order', columns: ['order_id'], referencedDatabase: 'shop', referencedTable: 'orders', referencedColumns: ['id'] },
      {
        name: 'fk_lines_stock',
        columns: ['warehouse_id', 'warehouse_region'],
        referencedDatabase: 'shop',
        referencedTable: 'stock',
        referencedColumns: ['warehouse_id', 'region_id'],
        onUpdate: 'NO ACTION',
        onDelete: 'SET NULL',
      },
    ]);
    expect(lines.triggers).toBe(2);
    expect(find(dbs, 'shop', 'stock').primaryKey).toEqual(['warehouse_id', 'region_id']);
  });

  it('keeps COLUMN_DEFAULT and a non-empty COLUMN_COMMENT (a generated MODIFY must not drop them)', () => {
    const c = find(dbs, 'shop', 'orders').columns.find((x) => x.name === 'created_at_epoch');
    expect(c).toMatchObject({ default: 'unix_timestamp()', comment: 'legacy: was the order number' });
    expect(find(dbs, 'shop', 'orders').columns[0]).not.toHaveProperty('comment');
  });

  it('drops the columns and triggers of a view (no BASE TABLE row)', () => {
    expect(dbs.flatMap((d) => d.tables.map((t) => t.name))).not.toContain('order_totals');
  });
});

describe('normalizeCatalog on MariaDB rows', () => {
  const dbs = normalizeCatalog(recorded('mariadb-catalog.json'), ['ws_001', 'ws_002', 'ws_003']);

  it('reads catalog numbers that arrive as strings', () => {
    const posts = find(dbs, 'ws_001', 'posts');
    expect(posts.columns.map((c) => c.name)).toEqual(['id', 'user_id']);
    expect(posts.indexes).toEqual([
      { name: 'PRIMARY', unique: true, columns: ['id'] },
      { name: 'fk_posts_user', unique: false, columns: ['user_id'] },
    ]);
    expect(posts.triggers).toBe(1);
    expect(posts.autoIncrement).toBe(1n);
    expect(posts.foreignKeys).toEqual([
      { name: 'fk_posts_user', columns: ['user_id'], referencedDatabase: 'ws_001', referencedTable: 'users', referencedColumns: ['id'], onUpdate: 'RESTRICT', onDelete: 'CASCADE' },
    ]);
  });

  it('parses display widths and ZEROFILL (which implies UNSIGNED)', () => {
    const posts = find(dbs, 'ws_001', 'posts');
    expect(posts.columns[0]).toMatchObject({ columnType: 'bigint(20) unsigned', dataType: 'bigint', unsigned: true, zerofill: false });
    expect(posts.columns[1]).toMatchObject({ columnType: 'int(10) unsigned zerofill', dataType: 'int', unsigned: true, zerofill: true, nullable: true, default: 'NULL' });
    expect(find(dbs, 'ws_001', 'users').columns[0]).toMatchObject({ columnType: 'int(11)', dataType: 'int', unsigned: false, autoIncrement: true });
    expect(find(dbs, 'ws_001', 'users').autoIncrement).toBe(2147483001n);
  });

  it('keeps NULL sizes of a non-InnoDB table as null', () => {
    expect(find(dbs, 'ws_002', 'users')).toMatchObject({ engine: 'Aria', rowsEstimate: null, dataBytes: null, indexBytes: null, autoIncrement: null });
  });

  it('keeps every matched database, with or without tables', () => {
    expect(dbs.map((d) => [d.name, d.tables.length])).toEqual([
      ['ws_001', 2],
      ['ws_002', 1],
      ['ws_003', 0],
    ]);
  });
});

describe('normalizeCatalog with nothing', () => {
  it('returns the matched databases, empty', () => {
    expect(normalizeCatalog({ tables: [], columns: [], indexes: [], foreignKeys: [], triggers: [] }, ['b', 'a'])).toEqual([
      { name: 'a', tables: [] },
      { name: 'b', tables: [] },
    ]);
  });
});

describe('applyMaxValues', () => {
  it('puts MAX() answers into the tables they were asked for, exactly', () => {
    const dbs = normalizeCatalog(recorded('mariadb-catalog.json'), ['ws_001']);
    const targets = [
      { database: 'ws_001', table: 'users', column: 'id' },
      { database: 'ws_001', table: 'posts', column: 'user_id' },
      { database: 'ws_001', table: 'posts', column: 'id' },
    ];
    applyMaxValues(dbs, targets, [
      { i: 0, v: '2147483000' },
      { i: '1', v: '18446744073709551615' },
      { i: 2, v: null },
      { i: 7, v: '1' }, // no such target: ignored
    ]);
    expect(find(dbs, 'ws_001', 'users').maxValues).toEqual({ id: 2147483000n });
    expect(find(dbs, 'ws_001', 'posts').maxValues).toEqual({ user_id: 18446744073709551615n, id: null });
  });
});

describe('detectFlavor', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'Debian 12', 'mariadb'],
    ['11.4.2-MariaDB', 'mariadb.org binary distribution', 'mariadb'],
    ['8.0.36', 'MySQL Community Server - GPL', 'mysql'],
    ['8.0.35-27', 'Percona Server (GPL), Release 27', 'mysql'],
    ['5.7.44-log', null, 'mysql'],
  ] as const)('%s (%s) → %s', (version, versionComment, flavor) => {
    expect(detectFlavor({ version, versionComment })).toBe(flavor);
  });
});

describe('sessionSetup', () => {
  it('MySQL 8.0: read-only, max_execution_time in ms, and fresh information_schema stats', () => {
    expect(sessionSetup({ version: '8.0.36', versionComment: 'MySQL Community Server - GPL' }, 30)).toEqual([
      'SET SESSION TRANSACTION READ ONLY',
      'SET SESSION lock_wait_timeout = 30',
      'SET SESSION max_execution_time = 30000',
      'SET SESSION information_schema_stats_expiry = 0',
    ]);
  });

  it('MySQL 8.4 and 9: same as 8.0', () => {
    for (const version of ['8.4.3', '9.1.0']) {
      const stmts = sessionSetup({ version, versionComment: 'MySQL Community Server - GPL' }, 5);
      expect(stmts).toContain('SET SESSION max_execution_time = 5000');
      expect(stmts).toContain('SET SESSION information_schema_stats_expiry = 0');
    }
  });

  it('MySQL 5.7.44: max_execution_time, but no stats expiry (there is no cache)', () => {
    const stmts = sessionSetup({ version: '5.7.44-log', versionComment: 'MySQL Community Server (GPL)' }, 10);
    expect(stmts).toEqual(['SET SESSION TRANSACTION READ ONLY', 'SET SESSION lock_wait_timeout = 10', 'SET SESSION max_execution_time = 10000']);
  });

  it('MySQL before 5.7.8 and 5.6: neither', () => {
    for (const version of ['5.7.7-rc', '5.6.51']) {
      const stmts = sessionSetup({ version, versionComment: 'MySQL Community Server (GPL)' }, 10);
      expect(stmts).toEqual(['SET SESSION TRANSACTION READ ONLY', 'SET SESSION lock_wait_timeout = 10']);
    }
  });

  it('MariaDB: max_statement_time in seconds, no stats expiry', () => {
    expect(sessionSetup({ version: '10.11.19-MariaDB-0+deb12u1', versionComment: 'Debian 12' }, 30)).toEqual([
      'SET SESSION TRANSACTION READ ONLY',
      'SET SESSION lock_wait_timeout = 30',
      'SET SESSION max_statement_time = 30',
    ]);
  });

  it('starts with SET SESSION TRANSACTION READ ONLY on every flavor', () => {
    const servers = [
      { version: '8.0.36', versionComment: 'MySQL Community Server - GPL' },
      { version: '5.7.44', versionComment: null },
      { version: '5.6.51', versionComment: null },
      { version: '10.11.19-MariaDB-0+deb12u1', versionComment: 'Debian 12' },
      { version: '', versionComment: null },
    ];
    for (const s of servers) expect(sessionSetup(s, 1)[0]).toBe('SET SESSION TRANSACTION READ ONLY');
  });

  it('never writes anything', () => {
    const stmts = sessionSetup({ version: '8.0.36', versionComment: null }, 30);
    for (const s of stmts) expect(s).toMatch(/^SET SESSION /);
  });
});

describe('catalog reads by position', () => {
  const db = new Kysely<InformationSchema>({ dialect: { createAdapter: () => new MysqlAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new MysqlIntrospector(k), createQueryCompiler: () => new MysqlQueryCompiler() } });
  /** The aliases of a compiled select list, in order. */
  const aliases = (sqlText: string) => [...sqlText.slice(0, sqlText.indexOf(' from ')).matchAll(/ as `(\w+)`/g)].map((m) => m[1]);
  it.each([
    ['TABLES', Q.tablesQuery, ['db', 'tableName', 'engine', 'tableRows', 'dataLength', 'indexLength', 'autoIncrement']],
    ['COLUMNS', Q.integerColumnsQuery, ['db', 'tableName', 'columnName', 'position', 'dataType', 'columnType', 'isNullable', 'extra', 'columnDefault', 'comment']],
    ['STATISTICS', Q.indexesQuery, ['db', 'tableName', 'indexName', 'nonUnique', 'seq', 'columnName']],
    ['KEY_COLUMN_USAGE', Q.foreignKeysQuery, ['db', 'tableName', 'constraintName', 'columnName', 'position', 'referencedDb', 'referencedTable', 'referencedColumn']],
    ['REFERENTIAL_CONSTRAINTS', Q.foreignKeyRulesQuery, ['db', 'tableName', 'constraintName', 'updateRule', 'deleteRule']],
    ['TRIGGERS', Q.triggersQuery, ['db', 'tableName', 'triggers']],
  ] as const)('%s: the select list is in the order CatalogBuilder reads its tuples', (_name, query, expected) => {
    expect(aliases(query(db, ['a']).compile().sql)).toEqual(expected);
  });
});

describe('CatalogBuilder', () => {
  const tenant = (name: string): RawCatalog => {
    const rec = recorded('mariadb-catalog.json');
    const only = <T extends { db: string }>(rows: T[]) => rows.filter((r) => r.db === rec.tables[0]!.db).map((r) => ({ ...r, db: name }));
    return { tables: only(rec.tables), columns: only(rec.columns), indexes: only(rec.indexes), foreignKeys: only(rec.foreignKeys), triggers: only(rec.triggers) };
  };
  const merged = (names: string[]): RawCatalog => {
    const parts = names.map(tenant);
    return {
      tables: parts.flatMap((p) => p.tables),
      columns: parts.flatMap((p) => p.columns),
      indexes: parts.flatMap((p) => p.indexes),
      foreignKeys: parts.flatMap((p) => p.foreignKeys),
      triggers: parts.flatMap((p) => p.triggers),
    };
  };

  it('gives tenant databases with the same tables the same (frozen) structure, and their own counters', () => {
    const [a, b] = normalizeCatalog(merged(['t1', 't2']));
    expect(a!.tables.length).toBeGreaterThan(1);
    expect(b!.tables.length).toBe(a!.tables.length);
    for (const [i, ta] of a!.tables.entries()) {
      const tb = b!.tables[i]!;
      expect(tb.name).toBe(ta.name);
      expect(tb.columns).toBe(ta.columns);
      expect(tb.indexes).toBe(ta.indexes);
      expect(tb).not.toBe(ta);
      expect(Object.isFrozen(ta.columns)).toBe(true);
      for (const c of ta.columns) expect(Object.isFrozen(c)).toBe(true);
    }
    expect(() => (a!.tables[0]!.columns as unknown as unknown[]).push({})).toThrow();
    // A MAX() answer lands on its own table only.
    const t = a!.tables[0]!;
    applyMaxValues([a!, b!], [{ database: 't1', table: t.name, column: 'id' }], [{ i: 0, v: '42' }]);
    expect(t.maxValues).toEqual({ id: 42n });
    expect(b!.tables[0]!.maxValues).toEqual({});
  });

  it('builds the same model whether rows come in order or shuffled', () => {
    const raw = merged(['t1', 't2', 't3']);
    const shuffle = <T>(xs: T[]) => xs.map((x, i) => [((i * 7919) % 104729) / 104729, x] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
    const a = normalizeCatalog(raw);
    const b = normalizeCatalog({ tables: shuffle(raw.tables), columns: shuffle(raw.columns), indexes: shuffle(raw.indexes), foreignKeys: shuffle(raw.foreignKeys), triggers: shuffle(raw.triggers) });
    expect(b).toEqual(a);
  });

  it('drops columns of a view (no TABLES row) and keeps a matched database without tables', () => {
    const b = new CatalogBuilder();
    b.column(['d', 'v', 'id', 1, 'int', 'int(11)', 'NO', '', null, '']);
    b.table(['d', 't', 'InnoDB', '1', '16384', '0', '2']);
    b.column(['d', 't', 'id', 1, 'int', 'int(11)', 'NO', 'auto_increment', null, '']);
    expect(b.finish(['d', 'empty']).map((d) => [d.name, d.tables.map((t) => t.name)])).toEqual([['d', ['t']], ['empty', []]]);
  });
});
