/**
 * SHOW GRANTS → what the session can read → the GRANT that fixes the rest. The grant lines are
 * as MariaDB 10.11 prints them (copied from a real server), plus MySQL 8 forms.
 */
import { describe, expect, it } from 'vitest';
import { assessCoverage, coverageMessage, mysqlActiveRoles } from '../../src/connect/coverage.js';
import { Access, accountOf, exactPattern, fixStatements, globToLike, likeMatches, parseGrants, redactGrant } from '../../src/connect/grants.js';

const access = (...rows: string[]) => new Access(parseGrants(rows));

describe('parseGrants', () => {
  it('reads privileges, scope and grantee, and hides password hashes', () => {
    const g = parseGrants([
      "GRANT USAGE ON *.* TO `u1`@`127.0.0.1` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      'GRANT SELECT, SHOW VIEW ON `db1`.* TO `u1`@`127.0.0.1`',
      'GRANT SELECT (`id`, `x`), INSERT (`y`) ON `db2`.`t2` TO `u1`@`127.0.0.1`',
      'GRANT ALL PRIVILEGES ON `ws\\_%`.* TO `u1`@`%` WITH GRANT OPTION',
      'GRANT EXECUTE ON PROCEDURE `db1`.`p` TO `u1`@`127.0.0.1`',
      'GRANT PROXY ON \'\'@\'%\' TO \'u1\'@\'%\' WITH GRANT OPTION',
      'GRANT `r1` TO `u5`@`127.0.0.1`',
      'SET DEFAULT ROLE `r1` FOR `u5`@`127.0.0.1`',
    ]);
    expect(g.lines.map((l) => [l.privileges, l.scope, l.grantee])).toEqual([
      [['USAGE'], { kind: 'global' }, 'u1@127.0.0.1'],
      [['SELECT', 'SHOW VIEW'], { kind: 'database', pattern: 'db1' }, 'u1@127.0.0.1'],
      [['SELECT', 'INSERT'], { kind: 'table', database: 'db2', table: 't2' }, 'u1@127.0.0.1'],
      [['ALL'], { kind: 'database', pattern: 'ws\\_%' }, 'u1@%'],
      [['EXECUTE'], { kind: 'routine' }, 'u1@127.0.0.1'],
    ]);
    expect(g.lines[2]!.columns).toEqual({ SELECT: ['id', 'x'], INSERT: ['y'] });
    expect(g.roles).toEqual(['r1']);
    expect(g.unparsed).toEqual([]);
    expect(g.lines[0]!.text).toBe("GRANT USAGE ON *.* TO `u1`@`127.0.0.1` IDENTIFIED BY PASSWORD '<secret>'");
  });

  it('MySQL forms: quoted grantees, dynamic privileges, partial revokes', () => {
    const g = parseGrants([
      "GRANT SELECT, PROCESS ON *.* TO 'headroom'@'%'",
      'GRANT BACKUP_ADMIN,REPLICATION_SLAVE_ADMIN ON *.* TO `headroom`@`%`',
      'REVOKE SELECT ON `mysql`.* FROM `headroom`@`%`',
    ]);
    expect(g.lines.map((l) => [l.revoke, l.privileges, l.scope])).toEqual([
      [false, ['SELECT', 'PROCESS'], { kind: 'global' }],
      [false, ['BACKUP_ADMIN', 'REPLICATION_SLAVE_ADMIN'], { kind: 'global' }],
      [true, ['SELECT'], { kind: 'database', pattern: 'mysql' }],
    ]);
    const a = new Access(g);
    expect(a.selectsAll('ws_1')).toBe(true);
    expect(a.selectsAll('mysql')).toBe(false);
  });

  it('keeps what it cannot read aside, and redacts authentication strings', () => {
    const g = parseGrants(['GRANT SELECT ON `unterminated TO x', "CREATE USER x IDENTIFIED VIA ed25519 USING 'abcdef'"]);
    expect(g.unparsed).toEqual(['GRANT SELECT ON `unterminated TO x']);
    expect(redactGrant("GRANT USAGE ON *.* TO `x`@`%` IDENTIFIED VIA ed25519 USING 'PU4BkQcq'")).toBe("GRANT USAGE ON *.* TO `x`@`%` IDENTIFIED VIA ed25519 USING '<secret>'");
  });
});

describe('Access', () => {
  it('SHOW DATABASES lists all with the SHOW DATABASES privilege or a global database-level one, not with PROCESS alone', () => {
    expect(access('GRANT SHOW DATABASES ON *.* TO `u`@`%`').listsAllDatabases).toBe(true);
    expect(access('GRANT SELECT ON *.* TO `u`@`%`').listsAllDatabases).toBe(true);
    expect(access('GRANT INSERT ON *.* TO `u`@`%`').listsAllDatabases).toBe(true);
    expect(access('GRANT PROCESS, REPLICATION CLIENT ON *.* TO `u`@`%`').listsAllDatabases).toBe(false);
    expect(access('GRANT USAGE ON *.* TO `u`@`%`', 'GRANT SELECT ON `db1`.* TO `u`@`%`').listsAllDatabases).toBe(false);
  });

  it('database patterns: _ and % are wildcards, \\ escapes; an exact-name grant wins over patterns', () => {
    const a = access('GRANT SELECT ON `ws\\_%`.* TO `u`@`%`', 'GRANT INSERT ON `ws\\_007`.* TO `u`@`%`', 'GRANT SELECT ON `t_st`.* TO `u`@`%`');
    expect(a.selectsAll('ws_001')).toBe(true);
    expect(a.selectsAll('wsx001')).toBe(false);
    expect(a.selectsAll('ws_007')).toBe(false); // its own grant (INSERT) shadows the pattern
    expect(a.seesAllTables('ws_007')).toBe(true);
    expect(a.selectsAll('test')).toBe(true); // `t_st`: the _ matches any one character
  });

  it('EVENT or EXECUTE on a database show it, but none of its tables', () => {
    const a = access('GRANT EVENT, EXECUTE ON `db3`.* TO `u`@`%`');
    expect(a.seesAllTables('db3')).toBe(false);
    expect(a.tablesGrantedIn('db3')).toEqual([]);
  });

  it('table and column grants: visible tables, and MAX() only on granted columns', () => {
    const a = access('GRANT SELECT ON `db2`.`t1` TO `u`@`%`', 'GRANT SELECT (`id`) ON `db2`.`t2` TO `u`@`%`', 'GRANT INSERT ON `db2`.`t3` TO `u`@`%`');
    expect(a.seesAllTables('db2')).toBe(false);
    expect(a.tablesGrantedIn('db2')).toEqual(['t1', 't2', 't3']);
    expect(a.canSelect('db2', 't1', 'anything')).toBe(true);
    expect(a.canSelect('db2', 't2', 'id')).toBe(true);
    expect(a.canSelect('db2', 't2', 'other')).toBe(false);
    expect(a.canSelect('db2', 't3', 'id')).toBe(false);
  });

  it('role grants shown by MariaDB count (they are in SHOW GRANTS when the role is active)', () => {
    const a = access('GRANT `r1` TO `u5`@`127.0.0.1`', 'GRANT USAGE ON *.* TO `u5`@`127.0.0.1`', 'GRANT USAGE ON *.* TO `r1`', 'GRANT SELECT ON `db3`.* TO `r1`');
    expect(a.selectsAll('db3')).toBe(true);
  });

  it('likeMatches', () => {
    expect(likeMatches('ws\\_%', 'ws_1')).toBe(true);
    expect(likeMatches('ws\\_%', 'wsa1')).toBe(false);
    expect(likeMatches('a.b', 'a.b')).toBe(true);
    expect(likeMatches('a.b', 'axb')).toBe(false);
    expect(likeMatches('%', '')).toBe(true);
  });
});

describe('GRANT statements that fix it', () => {
  it('accounts and patterns are quoted and escaped', () => {
    expect(accountOf('headroom@%')).toBe("'headroom'@'%'");
    expect(accountOf("o'brien@10.0.0.%")).toBe("'o''brien'@'10.0.0.%'");
    expect(exactPattern('ws_1%')).toBe('ws\\_1\\%');
    expect(globToLike('ws_*')).toBe('ws\\_%');
    expect(globToLike('shard?_db')).toBe('shard_\\_db');
    expect(globToLike('ws_{a,b}')).toBeUndefined();
  });

  it('SHOW DATABASES, and SELECT on the globs (so databases created later are covered)', () => {
    const a = access('GRANT SELECT ON `ws_b`.* TO `u`@`%`');
    expect(fixStatements({ account: "'u'@'%'", access: a, matched: ['ws_b'], globs: ['ws_*'], needSelect: [] })).toEqual([
      "GRANT SHOW DATABASES ON *.* TO 'u'@'%';",
      "GRANT SELECT ON `ws\\_%`.* TO 'u'@'%';",
    ]);
  });

  it('database by database when the globs are not LIKE patterns, or there are none', () => {
    const a = access('GRANT SHOW DATABASES ON *.* TO `u`@`%`', 'GRANT SELECT ON `app_1`.* TO `u`@`%`');
    expect(fixStatements({ account: "'u'@'%'", access: a, matched: ['app_1', 'app_2', 'app_3'], globs: [], needSelect: [] })).toEqual([
      "GRANT SELECT ON `app\\_2`.* TO 'u'@'%';",
      "GRANT SELECT ON `app\\_3`.* TO 'u'@'%';",
    ]);
  });

  it('a database with a grant of its own gets its own statement (the pattern would not reach it)', () => {
    const a = access('GRANT SHOW DATABASES ON *.* TO `u`@`%`', 'GRANT INSERT ON `ws\\_007`.* TO `u`@`%`');
    expect(fixStatements({ account: "'u'@'%'", access: a, matched: ['ws_007', 'ws_008'], globs: ['ws_*'], needSelect: ['ws_007', 'ws_008'] })).toEqual([
      "GRANT SELECT ON `ws\\_%`.* TO 'u'@'%';",
      "GRANT SELECT ON `ws\\_007`.* TO 'u'@'%';",
    ]);
  });

  it('nothing to fix: nothing to run', () => {
    expect(fixStatements({ account: "'u'@'%'", access: access('GRANT SELECT ON *.* TO `u`@`%`'), matched: ['a'], globs: ['a*'], needSelect: [] })).toEqual([]);
  });
});

describe('assessCoverage', () => {
  const base = { account: "'u'@'%'", globs: ['ws_*'], deniedMax: [] as { database: string; table: string; column: string }[] };

  it('complete when the user lists and reads everything', () => {
    const c = assessCoverage({ ...base, access: access('GRANT SELECT ON *.* TO `u`@`%`'), matched: ['ws_1', 'ws_2'], tablesByDatabase: new Map([['ws_1', 3]]) });
    expect(c).toEqual({ databasesMatched: 2, databasesRead: 2, tablesRead: 3, complete: true, gaps: [], fix: [] });
  });

  it('names what it missed, in one line', () => {
    const c = assessCoverage({
      ...base,
      access: access('GRANT SHOW DATABASES ON *.* TO `u`@`%`', 'GRANT SELECT ON `ws\\_1`.* TO `u`@`%`', 'GRANT SELECT ON `ws_2`.`t` TO `u`@`%`'),
      matched: ['ws_1', 'ws_2', 'ws_3', 'ws_4', 'ws_5', 'ws_6'],
      tablesByDatabase: new Map([['ws_1', 5], ['ws_2', 1]]),
      deniedMax: [{ database: 'ws_2', table: 'u', column: 'id' }],
    });
    expect(c.complete).toBe(false);
    expect(c.databasesRead).toBe(1);
    expect(c.gaps).toEqual([
      'no privilege on 4 of 6 matched databases (ws_3, ws_4, ws_5 and 1 more): their tables are invisible',
      'only table-level privileges on 1 database (ws_2): tables without a grant are invisible',
      'MAX() denied on 1 column (ws_2.u.id): their current values are unknown',
    ]);
    expect(c.fix).toEqual(["GRANT SELECT ON `ws\\_%`.* TO 'u'@'%';"]);
    const message = coverageMessage(c);
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^incomplete coverage, read 1 of 6 matched databases in full: no privilege on 4/);
  });

  it('grants that cannot be read (a proxy refused SHOW GRANTS): unverified, never complete', () => {
    const c = assessCoverage({
      ...base,
      access: access('GRANT ALL PRIVILEGES ON *.* TO `unknown`@`%`'),
      matched: ['ws_1'],
      tablesByDatabase: new Map([['ws_1', 2]]),
      grantsError: 'SHOW GRANTS is not supported',
    });
    expect(c).toMatchObject({ complete: false, databasesRead: 1, fix: [] });
    expect(c.gaps).toEqual(["the session's grants could not be read (SHOW GRANTS is not supported), so whether it sees every database and table cannot be verified"]);
  });

  it('MySQL 8 CURRENT_ROLE()', () => {
    expect(mysqlActiveRoles('NONE')).toEqual([]);
    expect(mysqlActiveRoles(null)).toEqual([]);
    expect(mysqlActiveRoles('`r1`@`%`,`r2`@`localhost`')).toEqual(['`r1`@`%`', '`r2`@`localhost`']);
  });
});
