import { describe, expect, it } from 'vitest';
import type { Relationship, ShardSnapshot } from '../../src/model/types.js';
import { ShardCatalog, ignoreMatcher, inferredTableName, referencedColumns, relationshipColumns, resolveRelationships, shardCatalog } from '../../src/relations/relationships.js';
import { config, configured, db, shard, table } from './builders.js';

/** `db.table.column → db.table.column (source)`: one line per relationship, sorted. */
function lines(rs: Relationship[]): string[] {
  return rs
    .map((r) => `${r.from.database}.${r.from.table}.${r.from.column} → ${r.to.database}.${r.to.table}.${r.to.column} (${r.source})`)
    .sort();
}

const users = () => table('users', { id: 'bigint unsigned auto' }, { autoIncrement: 1000n });

describe('inferredTableName', () => {
  it.each([
    ['message_thread_id', 'message_threads'],
    ['user_id', 'users'],
    ['category_id', 'categories'],
    ['process_id', 'processes'],
    ['person_id', 'people'],
    ['status_id', 'statuses'],
    ['address_id', 'addresses'],
  ])('%s → %s', (column, tableName) => {
    expect(inferredTableName(column)).toBe(tableName);
  });

  it.each(['id', 'uuid', '_id', 'user_ids', 'userid', 'identity'])('%s → none', (column) => {
    expect(inferredTableName(column)).toBeUndefined();
  });
});

describe('ignoreMatcher', () => {
  const ignored = ignoreMatcher(['*.stripe_customer_id', 'ws_legacy.users.old_id', 'tenant_*.*.external_id']);
  it('matches table.column patterns in every database', () => {
    expect(ignored('ws_1', 'payments', 'stripe_customer_id')).toBe(true);
    expect(ignored('ws_1', 'payments', 'customer_id')).toBe(false);
  });
  it('matches db.table.column patterns, with globs on the database', () => {
    expect(ignored('ws_legacy', 'users', 'old_id')).toBe(true);
    expect(ignored('ws_other', 'users', 'old_id')).toBe(false);
    expect(ignored('tenant_42', 'orders', 'external_id')).toBe(true);
    expect(ignored('billing', 'orders', 'external_id')).toBe(false);
  });
});

describe('resolveRelationships: inferred', () => {
  it('finds `*_id` columns that name a table with an integer `id` key, with the naming as evidence', () => {
    const s = shard('s1', db('app',
      users(),
      table('message_threads', { id: 'bigint auto' }),
      table('messages', { id: 'bigint auto', user_id: 'int', message_thread_id: 'int unsigned' }),
    ));
    const rs = resolveRelationships(s, config());
    expect(lines(rs)).toEqual([
      'app.messages.message_thread_id → app.message_threads.id (inferred)',
      'app.messages.user_id → app.users.id (inferred)',
    ]);
    const r = rs.find((x) => x.from.column === 'user_id')!;
    expect(r).toEqual({
      from: { shard: 's1', database: 'app', table: 'messages', column: 'user_id' },
      to: { shard: 's1', database: 'app', table: 'users', column: 'id' },
      source: 'inferred',
      evidence: 'naming: user_id → users.id',
    });
  });

  it('needs the target table to exist', () => {
    const s = shard('s1', db('app', table('payments', { id: 'int auto', customer_id: 'int' })));
    expect(resolveRelationships(s, config())).toEqual([]);
  });

  it('needs the target to be keyed by an integer `id` primary key', () => {
    const s = shard('s1', db('app',
      // keyed by `uuid` (not an integer column, so only `seq` is known)
      table('accounts', { seq: 'int' }, { primaryKey: ['uuid'] }),
      // integer key not named id
      table('teams', { team_no: 'int auto' }, { primaryKey: ['team_no'] }),
      // composite primary key containing id
      table('projects', { id: 'int', tenant_id: 'int' }, { primaryKey: ['tenant_id', 'id'] }),
      // `id` exists but is not the key
      table('labels', { id: 'int', label_no: 'int auto' }, { primaryKey: ['label_no'] }),
      table('things', { id: 'int auto', account_id: 'int', team_id: 'int', project_id: 'int', label_id: 'int' }),
    ));
    expect(resolveRelationships(s, config())).toEqual([]);
  });

  it('accepts an application-assigned integer `id` key (no AUTO_INCREMENT)', () => {
    const s = shard('s1', db('app', table('regions', { id: 'smallint' }), table('stores', { id: 'int auto', region_id: 'smallint' })));
    expect(lines(resolveRelationships(s, config()))).toEqual(['app.stores.region_id → app.regions.id (inferred)']);
  });

  it('stays within the database of the column', () => {
    const s = shard('s1', db('core', users()), db('app', table('posts', { id: 'int auto', user_id: 'int' })));
    expect(resolveRelationships(s, config())).toEqual([]);
  });

  it('finds a self-reference (`parent_id` → no, `category_id` in categories → yes)', () => {
    const s = shard('s1', db('app', table('categories', { id: 'int auto', category_id: 'int null', parent_id: 'int null' })));
    expect(lines(resolveRelationships(s, config()))).toEqual(['app.categories.category_id → app.categories.id (inferred)']);
  });

  it('skips ignored columns: `*.col`, `db.table.col`, and globs on the database', () => {
    const app = (name: string) =>
      db(name,
        table('customers', { id: 'int auto' }),
        table('users', { id: 'int auto' }),
        table('payments', { id: 'int auto', stripe_customer_id: 'int', customer_id: 'int', user_id: 'int' }),
      );
    const s = shard('s1', app('ws_1'), app('ws_2'), app('legacy'));
    const rs = resolveRelationships(s, config({ ignore: ['*.stripe_customer_id', 'legacy.payments.customer_id', 'ws_*.payments.user_id'] }));
    expect(lines(rs)).toEqual([
      'legacy.payments.user_id → legacy.users.id (inferred)',
      'ws_1.payments.customer_id → ws_1.customers.id (inferred)',
      'ws_2.payments.customer_id → ws_2.customers.id (inferred)',
    ]);
  });
});

describe('resolveRelationships: declared', () => {
  it('takes FOREIGN KEY constraints, with the constraint as evidence', () => {
    const s = shard('s1', db('app', users(), table('posts', { id: 'int auto', author: 'bigint unsigned' }, { fks: { author: 'users.id' } })));
    expect(resolveRelationships(s, config())).toEqual([
      {
        from: { shard: 's1', database: 'app', table: 'posts', column: 'author' },
        to: { shard: 's1', database: 'app', table: 'users', column: 'id' },
        source: 'declared',
        evidence: 'constraint fk_posts_author',
      },
    ]);
  });

  it('follows a declared FK into another database', () => {
    const s = shard('s1',
      db('core', table('accounts', { id: 'bigint auto' })),
      db('billing', table('invoices', { id: 'int auto', account_id: 'int' }, { fks: { account_id: 'core.accounts.id' } })),
    );
    const rs = resolveRelationships(s, config());
    expect(lines(rs)).toEqual(['billing.invoices.account_id → core.accounts.id (declared)']);
  });

  it('maps each column of a composite FK to its referenced column', () => {
    const s = shard('s1', db('app',
      table('memberships', { tenant_id: 'int', user_id: 'int' }, { primaryKey: ['tenant_id', 'user_id'] }),
      table('grants', { id: 'int auto', m_tenant: 'int', m_user: 'int' }, {
        foreignKeys: [{ name: 'fk_grants_membership', columns: ['m_tenant', 'm_user'], referencedDatabase: 'app', referencedTable: 'memberships', referencedColumns: ['tenant_id', 'user_id'] }],
      }),
    ));
    expect(lines(resolveRelationships(s, config()))).toEqual([
      'app.grants.m_tenant → app.memberships.tenant_id (declared)',
      'app.grants.m_user → app.memberships.user_id (declared)',
    ]);
  });

  it('skips a declared FK whose referenced table is not in the snapshot', () => {
    const s = shard('s1', db('app', table('posts', { id: 'int auto', owner: 'int' }, { fks: { owner: 'elsewhere.owners.id' } })));
    expect(resolveRelationships(s, config())).toEqual([]);
  });
});

describe('resolveRelationships: configured', () => {
  const s = () =>
    shard('s1',
      db('core', table('accounts', { id: 'bigint auto' })),
      db('ws_1', table('message_threads', { id: 'bigint auto' }), table('thread_snapshots', { id: 'int auto', source_thread: 'int', account_ref: 'int' })),
      db('ws_2', table('message_threads', { id: 'bigint auto' }), table('thread_snapshots', { id: 'int auto', source_thread: 'int', account_ref: 'int' })),
      db('other', table('thread_snapshots', { id: 'int auto', source_thread: 'int' })),
    );

  it('applies table.column in every database that has both ends', () => {
    const rs = resolveRelationships(s(), config({ relationships: [configured('thread_snapshots.source_thread', 'message_threads.id')] }));
    expect(lines(rs)).toEqual([
      'ws_1.thread_snapshots.source_thread → ws_1.message_threads.id (configured)',
      'ws_2.thread_snapshots.source_thread → ws_2.message_threads.id (configured)',
    ]);
    expect(rs[0]!.evidence).toBe('test.yml thread_snapshots.source_thread');
  });

  it('applies db.table.column with a glob on the database, and a referenced key in another database', () => {
    const rs = resolveRelationships(s(), config({ relationships: [configured('ws_*.thread_snapshots.account_ref', 'core.accounts.id')] }));
    expect(lines(rs)).toEqual([
      'ws_1.thread_snapshots.account_ref → core.accounts.id (configured)',
      'ws_2.thread_snapshots.account_ref → core.accounts.id (configured)',
    ]);
  });

  it('limits a db.table.column entry to the databases it names', () => {
    const rs = resolveRelationships(s(), config({ relationships: [configured('ws_2.thread_snapshots.source_thread', 'message_threads.id')] }));
    expect(lines(rs)).toEqual(['ws_2.thread_snapshots.source_thread → ws_2.message_threads.id (configured)']);
  });

  it('ignores an entry whose column or referenced key does not exist', () => {
    const rs = resolveRelationships(s(), config({ relationships: [configured('thread_snapshots.nope', 'message_threads.id'), configured('thread_snapshots.source_thread', 'threads.id')] }));
    expect(rs).toEqual([]);
  });
});

describe('resolveRelationships: one relationship per column, strongest source wins', () => {
  const build = (withFk: boolean) =>
    shard('s1', db('app',
      users(),
      table('admins', { id: 'bigint unsigned auto' }),
      table('owners', { id: 'bigint unsigned auto' }),
      table('posts', { id: 'int auto', user_id: 'bigint unsigned' }, withFk ? { fks: { user_id: 'owners.id' } } : {}),
    ));
  const cfg = config({ relationships: [configured('posts.user_id', 'admins.id')] });

  it('declared beats configured and inferred', () => {
    expect(lines(resolveRelationships(build(true), cfg))).toEqual(['app.posts.user_id → app.owners.id (declared)']);
  });

  it('configured beats inferred', () => {
    expect(lines(resolveRelationships(build(false), cfg))).toEqual(['app.posts.user_id → app.admins.id (configured)']);
  });

  it('within one source, the first one read wins: relationships: in file order, constraints in name order', () => {
    const twice = config({ relationships: [configured('posts.user_id', 'owners.id'), configured('posts.user_id', 'admins.id')] });
    expect(lines(resolveRelationships(build(false), twice))).toEqual(['app.posts.user_id → app.owners.id (configured)']);
    const s = shard('s1', db('app',
      table('admins', { id: 'bigint unsigned auto' }),
      table('owners', { id: 'bigint unsigned auto' }),
      table('posts', { id: 'int auto', uid: 'bigint unsigned' }, {
        foreignKeys: [
          { name: 'fk_a', columns: ['uid'], referencedDatabase: 'app', referencedTable: 'owners', referencedColumns: ['id'] },
          { name: 'fk_b', columns: ['uid'], referencedDatabase: 'app', referencedTable: 'admins', referencedColumns: ['id'] },
        ],
      }),
    ));
    expect(resolveRelationships(s, config())).toMatchObject([{ to: { table: 'owners' }, evidence: 'constraint fk_a' }]);
  });

  it('inferred when nothing else says otherwise', () => {
    expect(lines(resolveRelationships(build(false), config()))).toEqual(['app.posts.user_id → app.users.id (inferred)']);
  });
});

describe('referencedColumns', () => {
  it('lists each referenced key once', () => {
    const s = shard('s1', db('app', users(), table('posts', { id: 'int auto', user_id: 'int' }), table('likes', { id: 'int auto', user_id: 'int', post_id: 'int' })));
    expect(referencedColumns(resolveRelationships(s, config())).sort((a, b) => a.table.localeCompare(b.table))).toEqual([
      { database: 'app', table: 'posts', column: 'id' },
      { database: 'app', table: 'users', column: 'id' },
    ]);
  });
});

describe('resolveRelationships: order, and names that repeat in a catalog', () => {
  /** `db.table.column → …` in the order resolveRelationships returns them (not sorted). */
  const inOrder = (rs: Relationship[]) => rs.map((r) => `${r.from.database}.${r.from.table}.${r.from.column} → ${r.to.table}.${r.to.column} (${r.source})`);

  it('lists each column where it was first seen: declared in table order, then configured, then inferred', () => {
    const s = shard('s1', db('app',
      users(),
      table('admins', { id: 'bigint unsigned auto' }),
      table('posts', { id: 'int auto', user_id: 'bigint unsigned', admin_id: 'int' }, { fks: { admin_id: 'admins.id' } }),
      table('likes', { id: 'int auto', user_id: 'int', post_id: 'int' }, { fks: { user_id: 'users.id' } }),
    ));
    const cfg = config({ relationships: [configured('posts.user_id', 'admins.id'), configured('likes.user_id', 'admins.id')] });
    expect(inOrder(resolveRelationships(s, cfg))).toEqual([
      'app.posts.admin_id → admins.id (declared)',
      'app.likes.user_id → users.id (declared)',
      'app.posts.user_id → admins.id (configured)',
      'app.likes.post_id → posts.id (inferred)',
    ]);
  });

  it('a database name read twice in one shard: one relationship per column name, the first read', () => {
    const part = () => db('app', users(), table('posts', { id: 'int auto', user_id: 'int' }, { fks: { user_id: 'users.id' } }), table('likes', { id: 'int auto', user_id: 'int' }));
    const s = shard('s1', part(), part());
    expect(inOrder(resolveRelationships(s, config()))).toEqual(['app.posts.user_id → users.id (declared)', 'app.likes.user_id → users.id (inferred)']);
  });

  it('a column name twice in one table: one relationship', () => {
    const posts = table('posts', { id: 'int auto', user_id: 'int' });
    posts.columns.push({ ...posts.columns[1]!, columnType: 'bigint', dataType: 'bigint' });
    const s = shard('s1', db('app', users(), posts));
    const rs = resolveRelationships(s, config());
    expect(inOrder(rs)).toEqual(['app.posts.user_id → users.id (inferred)']);
  });

  it('one table object in two databases: a relationship in each (columns are told apart by their names)', () => {
    const likes = table('likes', { id: 'int auto', user_id: 'int' });
    const s = shard('s1', db('a', users(), likes), db('b', users(), likes));
    expect(inOrder(resolveRelationships(s, config()))).toEqual(['a.likes.user_id → users.id (inferred)', 'b.likes.user_id → users.id (inferred)']);
  });
});

describe('relationshipColumns and shardCatalog', () => {
  /** What a catalog of the shard finds for each relationship's names. */
  const byName = (s: ShardSnapshot, rs: Relationship[]) => {
    const catalog = new ShardCatalog(s);
    return {
      from: rs.map((r) => catalog.column(r.from.database, r.from.table, r.from.column)),
      to: rs.map((r) => catalog.column(r.to.database, r.to.table, r.to.column)),
    };
  };

  it('gives, for each relationship, the catalog columns its names lead to, also where names repeat', () => {
    const part = () => db('app', users(), table('posts', { id: 'int auto', user_id: 'int' }, { fks: { user_id: 'users.id' } }), table('likes', { id: 'int auto', user_id: 'int', post_id: 'int' }));
    const shared = table('tags', { id: 'int auto', user_id: 'int' });
    const s = shard('s1', part(), part(), db('b', users(), shared), db('c', users(), shared));
    const cfg = config({ relationships: [configured('likes.post_id', 'posts.id')] });
    const rs = resolveRelationships(s, cfg);
    const cols = relationshipColumns(s, rs);
    const expected = byName(s, rs);
    expect(cols.from.length).toBe(rs.length);
    rs.forEach((_, i) => {
      expect(cols.from[i]).toBe(expected.from[i]);
      expect(cols.to[i]).toBe(expected.to[i]);
    });
  });

  it('looks the columns up for a list it did not resolve', () => {
    const s = shard('s1', db('app', users(), table('posts', { id: 'int auto', user_id: 'int' })));
    const rs = [...resolveRelationships(s, config())];
    const cols = relationshipColumns(s, rs);
    expect(cols.from[0]).toBe(s.databases[0]!.tables[1]!.columns[1]);
    expect(cols.to[0]).toBe(s.databases[0]!.tables[0]!.columns[0]);
  });

  it('shardCatalog: the catalog the relationships were resolved with, else a new one', () => {
    const s = shard('s1', db('app', users()));
    const fresh = shardCatalog(s);
    expect(fresh.table('app', 'users')).toBe(s.databases[0]!.tables[0]);
    const catalog = new ShardCatalog(s);
    resolveRelationships(s, config(), catalog);
    expect(shardCatalog(s)).toBe(catalog);
  });
});
