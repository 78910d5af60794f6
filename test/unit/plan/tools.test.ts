/**
 * Tool choice (src/plan/tools.ts), fact by fact, and how the plan uses it.
 * Facts: gh-ost doc/requirements-and-limitations.md, pt-online-schema-change docs,
 * Spirit pkg/check (configuration.go, version.go, triggers.go), Vitess Online DDL.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '../../../src/plan/policy.js';
import { checkTool, chooseTool, directAllowed, hasUsableUniqueKey, type TableFacts } from '../../../src/plan/tools.js';
import type { Policy, ToolId } from '../../../src/plan/types.js';
import type { ServerInfo, Table } from '../../../src/model/types.js';
import { SERVERS, configured, config, db, planOf, shard, snapshot, table, withServer, withTable } from '../builders.js';

const policy = (raw: Record<string, unknown> = {}): Policy =>
  parsePolicy(raw, (field, why) => new Error(`${field}: ${why}`));

const ALL: ToolId[] = ['gh-ost', 'pt-online-schema-change', 'spirit', 'vitess'];
const users = () => table('users', { id: 'int auto' }, { rows: 1000n });

function facts(t: Table, server: ServerInfo | null = SERVERS.mysql80, more: Partial<TableFacts> = {}): TableFacts {
  // In a keyspace of the vitess: block, so that Vitess Online DDL is a candidate (its own rule is tested below).
  return { server, table: t, childForeignKeys: [], parentForeignKeys: [], keyspace: 'app', ...more };
}

function verdicts(f: TableFacts, p: Policy = DEFAULT_POLICY): Record<string, string[]> {
  return Object.fromEntries(ALL.map((tool) => [tool, checkTool(tool, f, p).reasons]));
}

describe('a plain table with a primary key on MySQL 8.0.36, ROW/FULL binlog', () => {
  it('every online tool can copy it', () => {
    expect(verdicts(facts(users()))).toEqual({ 'gh-ost': [], 'pt-online-schema-change': [], spirit: [], vitess: [] });
  });

  it('the first tool of policy.tools wins, in the order given', () => {
    const f = facts(users());
    expect(chooseTool(f, DEFAULT_POLICY).chosen).toBe('gh-ost');
    expect(chooseTool(f, policy({ tools: ['pt-online-schema-change', 'gh-ost'] })).chosen).toBe('pt-online-schema-change');
    expect(chooseTool(f, policy({ tools: ['spirit', 'gh-ost'] })).chosen).toBe('spirit');
    expect(chooseTool(f, policy({ tools: ['vitess'] })).chosen).toBe('vitess');
  });

  it('checks every tool of the policy (direct first), so a plan can say why not the others', () => {
    const { checks } = chooseTool(facts(users()), policy({ tools: ['pt-online-schema-change', 'spirit'] }));
    expect(checks.map((c) => c.tool)).toEqual(['direct', 'pt-online-schema-change', 'spirit']);
  });

  it('a tool the policy does not list is never chosen, even when it would work', () => {
    const r = chooseTool(facts(users(), SERVERS.mariadb), policy({ tools: ['spirit'] }));
    expect(r.chosen).toBeUndefined();
    expect(r.checks.map((c) => c.tool)).not.toContain('gh-ost');
  });
});

describe('binary log (gh-ost and Spirit read it; pt-online-schema-change uses triggers)', () => {
  const on = (s: Partial<ServerInfo>) => verdicts(facts(users(), { ...SERVERS.mysql80, ...s }));

  it.each([
    ['off', { logBin: false }, 'the binary log is off on this server'],
    ['STATEMENT', { binlogFormat: 'STATEMENT' }, 'binlog_format is STATEMENT, not ROW'],
    ['MIXED', { binlogFormat: 'MIXED' }, 'binlog_format is MIXED, not ROW'],
  ] as const)('binlog %s: gh-ost and Spirit refuse, pt-online-schema-change and Vitess do not care', (_, s, reason) => {
    const v = on(s);
    expect(v['gh-ost']).toEqual([reason]);
    expect(v.spirit).toEqual([reason]);
    expect(v['pt-online-schema-change']).toEqual([]);
    expect(v.vitess).toEqual([]);
  });

  it('binlog_format is compared without regard to case', () => {
    expect(on({ binlogFormat: 'row' })['gh-ost']).toEqual([]);
  });

  it('ROW with binlog_row_image=MINIMAL: gh-ost refuses (it needs FULL)', () => {
    expect(on({ binlogRowImage: 'MINIMAL' })['gh-ost']).toEqual(['binlog_row_image is MINIMAL, not FULL']);
    expect(on({ binlogRowImage: 'NOBLOB' })['gh-ost']).toEqual(['binlog_row_image is NOBLOB, not FULL']);
    expect(on({ binlogRowImage: 'FULL' })['gh-ost']).toEqual([]);
  });

  // Spirit's preflight (pkg/check/configuration.go) returns "binlog_row_image must be FULL".
  it('ROW with binlog_row_image=MINIMAL: Spirit refuses too', () => {
    expect(on({ binlogRowImage: 'MINIMAL' }).spirit).not.toEqual([]);
  });

  it('with the log off, gh-ost gives that reason, not also a format it cannot use anyway', () => {
    expect(on({ logBin: false, binlogFormat: 'STATEMENT' })['gh-ost']).toEqual(['the binary log is off on this server']);
  });

  it('in a plan: gh-ost preferred but refused, pt-online-schema-change chosen, and the step says why', () => {
    const s = withServer(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }))), {
      ...SERVERS.mysql80,
      binlogFormat: 'MIXED',
    });
    const p = planOf(snapshot(s)).plans[0]!;
    const step = p.steps.find((x) => x.kind === 'copy')!;
    expect(step.tool).toBe('pt-online-schema-change');
    expect(step.toolReason).toBe('not gh-ost (binlog_format is MIXED, not ROW)');
  });

  it('the step names only the tools tried before the chosen one, not those after it', () => {
    const s = withServer(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }))), {
      ...SERVERS.mariadb,
      binlogFormat: 'MIXED',
    });
    const p = planOf(snapshot(s), config(), { policy: policy({ tools: ['pt-online-schema-change', 'gh-ost'] }) }).plans[0]!;
    const step = p.steps.find((x) => x.kind === 'copy')!;
    expect(step.tool).toBe('pt-online-schema-change');
    expect(step.toolReason ?? '').not.toContain('gh-ost');
  });
});

describe('foreign keys that stay on the table', () => {
  const fk = { name: 'fk_posts_user', columns: ['user_id'], referencedDatabase: 'app', referencedTable: 'users', referencedColumns: ['id'] };

  it('child side (the table references another one): gh-ost, Spirit and Vitess refuse; pt-online-schema-change copies it', () => {
    const v = verdicts(facts(users(), SERVERS.mysql80, { childForeignKeys: [fk] }));
    expect(v['gh-ost']).toEqual(['foreign keys stay on the table (fk_posts_user): gh-ost does not support them']);
    expect(v.spirit).toEqual(['foreign keys stay on the table (fk_posts_user): Spirit refuses them']);
    expect(v.vitess).toEqual(['foreign keys stay on the table (fk_posts_user): Vitess Online DDL refuses them']);
    expect(v['pt-online-schema-change']).toEqual([]);
  });

  it('parent side (another table references this one): the same refusals, naming the referencing table', () => {
    const v = verdicts(facts(users(), SERVERS.mysql80, { parentForeignKeys: [{ database: 'app', table: 'posts', fk }] }));
    expect(v['gh-ost']).toEqual(['foreign keys stay on the table (posts.fk_posts_user): gh-ost does not support them']);
    expect(v.spirit?.[0]).toMatch(/posts\.fk_posts_user/);
    expect(v.vitess?.[0]).toMatch(/posts\.fk_posts_user/);
    expect(v['pt-online-schema-change']).toEqual([]);
  });

  /**
   * categories.id is widened; imports.legacy_category_id references another
   * column (categories.legacy_id) through a constraint the group does not touch,
   * so it stays: only pt-online-schema-change can copy categories, and it must
   * re-point that constraint (--alter-foreign-keys-method rebuild_constraints).
   * articles (a child in the group) keeps its own constraint to authors.
   */
  function fleet() {
    return withServer(
      shard('s1', db('app',
        withTable(table('categories', { id: 'int auto', legacy_id: 'int' }, { autoIncrement: 2_000_000_000n, rows: 10n }), {
          indexes: [{ name: 'PRIMARY', unique: true, columns: ['id'] }, { name: 'uq_legacy', unique: true, columns: ['legacy_id'] }],
        }),
        table('imports', { id: 'bigint auto', legacy_category_id: 'int' }, { fks: { legacy_category_id: 'categories.legacy_id' }, rows: 10n }),
        table('authors', { id: 'bigint auto' }, { rows: 10n }),
        table('articles', { id: 'bigint auto', category_id: 'int', author_id: 'bigint' }, {
          fks: { category_id: 'categories.id', author_id: 'authors.id' },
          rows: 10n,
        }),
      )),
      SERVERS.mysql80,
    );
  }

  it('in a plan: parent-side constraint kept → pt-online-schema-change with --alter-foreign-keys-method rebuild_constraints', () => {
    const p = planOf(snapshot(fleet()), config(), { policy: policy({ tools: ['gh-ost', 'spirit', 'vitess', 'pt-online-schema-change'] }) }).plans[0]!;
    const key = p.steps.find((s) => s.table === 'categories')!;
    expect(key.tool).toBe('pt-online-schema-change');
    expect(key.toolReason).toContain('not gh-ost (foreign keys stay on the table (imports.fk_imports_legacy_category_id)');
    expect(key.toolReason).toContain('not spirit (');
    expect(key.toolReason).toContain('not vitess (');
    for (const c of key.commands) expect(c).toContain('--alter-foreign-keys-method rebuild_constraints');
  });

  it('in a plan: a child keeping another constraint → pt-online-schema-change without rebuild_constraints (nothing references it)', () => {
    const p = planOf(snapshot(fleet()), config(), { policy: policy({ tools: ['gh-ost', 'pt-online-schema-change'] }) }).plans[0]!;
    const child = p.steps.find((s) => s.kind === 'copy' && s.table === 'articles')!;
    expect(child.tool).toBe('pt-online-schema-change');
    expect(child.toolReason).toContain('not gh-ost (foreign keys stay on the table (fk_articles_author_id)');
    // the group's own constraint was dropped in step 1: it is not among the ones that stay
    expect(child.toolReason).not.toContain('fk_articles_category_id');
    for (const c of child.commands) expect(c).not.toContain('--alter-foreign-keys-method');
  });

  it('a constraint the plan drops first does not count against a tool', () => {
    const s = withServer(shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }),
      table('posts', { id: 'bigint auto', user_id: 'int' }, { fks: { user_id: 'users.id' }, rows: 10n }),
    )), SERVERS.mysql80);
    const p = planOf(snapshot(s), config(), { policy: policy({ tools: ['spirit'] }) }).plans[0]!;
    expect(p.blocked).toEqual([]);
    expect(p.steps.filter((x) => x.kind === 'copy').map((x) => `${x.table}:${x.tool}`)).toEqual(['posts:spirit', 'users:spirit']);
  });
});

describe('triggers', () => {
  const withTriggers = withTable(users(), { triggers: 2 });

  it('pt-online-schema-change and gh-ost refuse a table that has triggers', () => {
    const v = verdicts(facts(withTriggers));
    expect(v['pt-online-schema-change']).toEqual(['2 trigger(s) on the table: pt-online-schema-change refuses tables that have triggers']);
    expect(v['gh-ost']).toEqual(['2 trigger(s) on the table']);
  });

  // Spirit's preflight check "hastriggers" (pkg/check/triggers.go): "tables with triggers associated are not supported".
  it('Spirit refuses a table that has triggers too', () => {
    expect(verdicts(facts(withTriggers)).spirit).not.toEqual([]);
  });

  it('no online tool left: the group is blocked, and every tool says why', () => {
    const s = shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n, triggers: 1 })));
    const p = planOf(snapshot(s)).plans[0]!;
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]).toMatch(/^app\.users: no allowed tool can change it — /);
    expect(p.blocked[0]).toContain('gh-ost: 1 trigger(s) on the table');
    expect(p.blocked[0]).toContain('pt-online-schema-change: 1 trigger(s) on the table');
    const step = p.steps.find((x) => x.table === 'users')!;
    expect(step.tool).toBeUndefined();
    expect(step.commands).toEqual([]);
  });
});

describe('keys to copy by', () => {
  const noPk = (indexes: Table['indexes'], nullable = false) =>
    withTable(table('tags_users', { tag_id: nullable ? 'int null' : 'int', user_id: 'int' }, { primaryKey: [], rows: 10n }), { indexes });

  it('no primary key but a UNIQUE index on NOT NULL columns: gh-ost and pt-online-schema-change can copy it', () => {
    const t = noPk([{ name: 'uq', unique: true, columns: ['tag_id', 'user_id'] }]);
    expect(hasUsableUniqueKey(t)).toBe(true);
    const v = verdicts(facts(t));
    expect(v['gh-ost']).toEqual([]);
    expect(v['pt-online-schema-change']).toEqual([]);
    expect(v.spirit).toEqual(['no PRIMARY KEY']);
  });

  it('a UNIQUE index over a nullable column does not count', () => {
    expect(hasUsableUniqueKey(noPk([{ name: 'uq', unique: true, columns: ['tag_id', 'user_id'] }], true))).toBe(false);
  });

  // The snapshot keeps integer columns only; tools.ts (hasUsableUniqueKey) documents "a UNIQUE index whose integer columns are NOT NULL",
  // but its code also requires every column of the index to be a known (integer) column.
  it('a UNIQUE index on a non-integer column (UNIQUE(email)) counts, as its docstring says', () => {
    expect(hasUsableUniqueKey(noPk([{ name: 'uq_email', unique: true, columns: ['email'] }]))).toBe(true);
  });

  it('only secondary indexes (a Rails join table): every copy tool refuses', () => {
    const t = noPk([{ name: 'ix_tag', unique: false, columns: ['tag_id'] }, { name: 'ix_user', unique: false, columns: ['user_id'] }]);
    expect(hasUsableUniqueKey(t)).toBe(false);
    const v = verdicts(facts(t));
    expect(v['gh-ost']).toEqual(['no PRIMARY KEY or NOT NULL UNIQUE key to copy by']);
    expect(v['pt-online-schema-change']).toEqual(['no PRIMARY KEY or UNIQUE index: pt-online-schema-change refuses the table']);
    expect(v.spirit).toEqual(['no PRIMARY KEY']);
  });

  /** tags.id is full; tags_users.tag_id (no PK, no unique index) must follow it. */
  function joinFleet(rows: bigint) {
    return shard('s1', db('app',
      table('tags', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }),
      withTable(table('tags_users', { tag_id: 'int', user_id: 'int' }, { primaryKey: [], rows }), {
        indexes: [{ name: 'ix_tag', unique: false, columns: ['tag_id'] }],
      }),
      table('users', { id: 'bigint auto' }),
    ));
  }

  it('in a plan: the join table is blocked and the key table still gets its copy', () => {
    const p = planOf(snapshot(joinFleet(10n)), config(), { only: 'tags.id' }).plans[0]!;
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]).toMatch(/^app\.tags_users: no allowed tool can change it/);
    expect(p.steps.find((s) => s.table === 'tags')!.tool).toBe('gh-ost');
  });

  // Field notes: "A table without one needs another path — say which, and why, in the plan."
  it('in a plan: the blocked join table says which path remains', () => {
    const p = planOf(snapshot(joinFleet(10n)), config(), { only: 'tags.id' }).plans[0]!;
    const text = [...p.blocked, ...p.warnings, ...p.steps.flatMap((s) => s.notes)].join('\n');
    expect(text).toMatch(/add (a|an) (PRIMARY KEY|primary key|unique)|maintenance window|policy\.directAlter\.max/i);
  });

  it('in a plan: a small join table goes through a direct ALTER when policy.directAlter allows it', () => {
    const p = planOf(snapshot(joinFleet(10n)), config(), { only: 'tags.id', policy: policy({ directAlter: { maxRows: 1000 } }) }).plans[0]!;
    expect(p.blocked).toEqual([]);
    expect(p.steps.find((s) => s.table === 'tags_users')!.tool).toBe('direct');
  });
});

describe('Spirit and the server version', () => {
  it('MySQL 8.0.36: allowed', () => {
    expect(checkTool('spirit', facts(users(), SERVERS.mysql80), DEFAULT_POLICY)).toEqual({ tool: 'spirit', ok: true, reasons: [] });
  });
  it('MySQL 5.7: refused, naming the version', () => {
    expect(checkTool('spirit', facts(users(), SERVERS.mysql57), DEFAULT_POLICY).reasons).toEqual(['Spirit needs MySQL 8.0 or later; this is MySQL 5.7.44-log']);
  });
  it('MariaDB 10.11: refused, naming MariaDB (whatever its version number)', () => {
    expect(checkTool('spirit', facts(users(), SERVERS.mariadb), DEFAULT_POLICY).reasons).toEqual(['Spirit needs MySQL 8.0 or later; this is MariaDB 10.11.6-MariaDB']);
  });
  it('MySQL 8.4: allowed', () => {
    expect(checkTool('spirit', facts(users(), { ...SERVERS.mysql80, version: '8.4.3' }), DEFAULT_POLICY).ok).toBe(true);
  });
});

describe('direct ALTER: only under policy.directAlter', () => {
  const sized = (rows: bigint | null, data: bigint | null, index: bigint | null = 0n) => withTable(users(), { rowsEstimate: rows, dataBytes: data, indexBytes: index });

  it('the default policy never allows it', () => {
    expect(directAllowed(sized(1n, 16384n), DEFAULT_POLICY)).toEqual({
      ok: false,
      reasons: ['policy.directAlter allows no direct ALTER (type changes go through an online copy)'],
    });
  });

  it('maxRows: at the limit yes, one row over no', () => {
    const p = policy({ directAlter: { maxRows: 1000 } });
    expect(directAllowed(sized(1000n, 16384n), p)).toEqual({ ok: true, reasons: [] });
    expect(directAllowed(sized(1001n, 16384n), p)).toEqual({ ok: false, reasons: ['~1001 rows > policy.directAlter.maxRows 1000'] });
  });

  it('maxBytes counts data + index: at the limit yes, one byte over no', () => {
    const p = policy({ directAlter: { maxBytes: '1MiB' } });
    expect(directAllowed(sized(10n, 1048576n - 4096n, 4096n), p).ok).toBe(true);
    expect(directAllowed(sized(10n, 1048576n - 4096n, 4097n), p)).toEqual({ ok: false, reasons: ['1048577 bytes > policy.directAlter.maxBytes 1048576'] });
  });

  it('both limits: each is checked, each reason given', () => {
    const p = policy({ directAlter: { maxRows: 10, maxBytes: 100 } });
    expect(directAllowed(sized(11n, 101n), p).reasons).toEqual(['~11 rows > policy.directAlter.maxRows 10', '101 bytes > policy.directAlter.maxBytes 100']);
  });

  it('unknown row count: refused', () => {
    expect(directAllowed(sized(null, 16384n), policy({ directAlter: { maxRows: 1000 } }))).toEqual({ ok: false, reasons: ['row count unknown'] });
  });

  // A size limit that an unknown size passes is no limit: unknown rows are refused, unknown bytes count as 0.
  it('unknown size with a maxBytes limit: refused', () => {
    expect(directAllowed(sized(10n, null, null), policy({ directAlter: { maxBytes: '1MiB' } })).ok).toBe(false);
  });

  it('when allowed it comes before every online tool, whether policy.tools lists it or not', () => {
    const f = facts(sized(10n, 16384n));
    expect(chooseTool(f, policy({ directAlter: { maxRows: 1000 } })).chosen).toBe('direct');
    expect(chooseTool(f, policy({ tools: ['pt-online-schema-change', 'direct'], directAlter: { maxRows: 1000 } })).chosen).toBe('direct');
    expect(chooseTool(facts(sized(5000n, 16384n)), policy({ directAlter: { maxRows: 1000 } })).chosen).toBe('gh-ost');
  });

  it('needs no binlog, no key to copy by, and does not mind triggers or foreign keys', () => {
    const t = withTable(sized(10n, 16384n), { triggers: 1, primaryKey: [], indexes: [] });
    const f = facts(t, { ...SERVERS.mariadb, logBin: false }, { parentForeignKeys: [{ database: 'app', table: 'x', fk: { name: 'fk', columns: ['a'], referencedDatabase: 'app', referencedTable: 'users', referencedColumns: ['id'] } }] });
    expect(checkTool('direct', f, policy({ directAlter: { maxRows: 1000 } })).ok).toBe(true);
  });

  it('in a plan: the step is a direct-alter with ALGORITHM=COPY, LOCK=SHARED and says writes wait', () => {
    const s = shard('s1', db('app', withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }), { dataBytes: 16384n, indexBytes: 0n })));
    const p = planOf(snapshot(s), config(), { policy: policy({ directAlter: { maxRows: 1000 } }) }).plans[0]!;
    const step = p.steps.find((x) => x.table === 'users')!;
    expect(step.kind).toBe('direct-alter');
    expect(step.tool).toBe('direct');
    expect(step.commands).toEqual(['SET SESSION lock_wait_timeout = 5;', 'ALTER TABLE `app`.`users` MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT, ALGORITHM=COPY, LOCK=SHARED;']);
    expect(step.notes.join(' ')).toMatch(/WRITES WAIT/);
  });
});

describe('the tool facts table (tool-facts.ts)', () => {
  it('gh-ost: never on MariaDB before 11.1 (transaction_isolation), whatever the policy says', () => {
    expect(checkTool('gh-ost', facts(users(), SERVERS.mariadb), DEFAULT_POLICY).reasons[0]).toMatch(/^gh-ost cannot connect to MariaDB 10\.11\.6-MariaDB: every gh-ost release sets transaction_isolation/);
    expect(checkTool('gh-ost', facts(users(), SERVERS.mariadb), policy({ ghost: { mariadbSupport: true } })).ok).toBe(false);
  });

  it('gh-ost: MariaDB 11.1+ only with policy.ghost.mariadbSupport (a build from main after 2026-06-23)', () => {
    const m114 = { ...SERVERS.mariadb, version: '11.4.3-MariaDB' };
    expect(checkTool('gh-ost', facts(users(), m114), DEFAULT_POLICY).reasons).toEqual([
      "no gh-ost release supports MariaDB (support is on gh-ost's main branch since 2026-06-23): set policy.ghost.mariadbSupport: true if your gh-ost is built from it",
    ]);
    expect(checkTool('gh-ost', facts(users(), m114), policy({ ghost: { mariadbSupport: true } })).ok).toBe(true);
  });

  it('a shard reached by Unix socket: gh-ost and Spirit cannot connect (TCP only), pt-online-schema-change can (S=)', () => {
    const v = verdicts(facts(users(), SERVERS.mysql80, { socketOnly: true }));
    expect(v['gh-ost']).toEqual(['the shard is reached by Unix socket, and gh-ost connects only by TCP (--host/--port)']);
    expect(v.spirit).toEqual(['the shard is reached by Unix socket, and Spirit connects by --host host:port']);
    expect(v['pt-online-schema-change']).toEqual([]);
  });

  it("pt-online-schema-change: not for a table name with a single quote (its SHOW TABLES … LIKE breaks, tried on 3.2.1)", () => {
    expect(verdicts(facts(table("o'dd", { id: 'int auto' }, { rows: 1n })))['pt-online-schema-change']).toEqual([
      'the table name contains a single quote, which breaks pt-online-schema-change 3.2.1 (its own SHOW TABLES … LIKE)',
    ]);
  });

  it('Vitess Online DDL only for a database that is a keyspace of the vitess: block', () => {
    const { keyspace: _, ...noKeyspace } = facts(users());
    expect(checkTool('vitess', noKeyspace, DEFAULT_POLICY).reasons).toEqual([
      'the database is not the database of a Vitess keyspace in the vitess: block (vtctldclient ApplySchema takes a keyspace)',
    ]);
  });
});

describe('server facts unknown (a snapshot without server info)', () => {
  it('the choice rests on the table alone: binlog and version checks are skipped, table checks still apply', () => {
    expect(verdicts(facts(users(), null))).toEqual({ 'gh-ost': [], 'pt-online-schema-change': [], spirit: [], vitess: [] });
    expect(verdicts(facts(withTable(users(), { triggers: 1 }), null))['gh-ost']).toEqual(['1 trigger(s) on the table']);
  });

  it('a plan from such a snapshot still names a tool and its commands', () => {
    const s = withServer(shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }))), null);
    const p = planOf(snapshot(s)).plans[0]!;
    const step = p.steps.find((x) => x.table === 'users')!;
    expect(step.tool).toBe('gh-ost');
    expect(step.commands.length).toBeGreaterThan(0);
  });

  it('facts the server did not report (null) are not held against a tool', () => {
    const partial: ServerInfo = { flavor: 'mysql', version: '8.0.36', binlogFormat: null, binlogRowImage: null, logBin: null };
    expect(verdicts(facts(users(), partial))['gh-ost']).toEqual([]);
  });
});

describe('configured and inferred children are checked like declared ones', () => {
  it('a configured child with triggers blocks only its own step', () => {
    const s = shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }),
      table('audits', { id: 'bigint auto', actor: 'int' }, { rows: 10n, triggers: 1 }),
    ));
    const p = planOf(snapshot(s), config({ relationships: [configured('audits.actor', 'users.id')] })).plans[0]!;
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]).toMatch(/^app\.audits:/);
    expect(p.steps.find((x) => x.table === 'users')!.tool).toBe('gh-ost');
  });
});
