/**
 * The exact SQL and command lines (src/plan/commands.ts). Shell quoting is proven by
 * running the produced lines through `sh -c` with the tool replaced by printf.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  addForeignKeySql,
  columnDefinition,
  directAlterSql,
  dropForeignKeySql,
  ghostCommands,
  ghostFlagFile,
  integerDefault,
  modifyClauses,
  orphanCheckSql,
  ptOscCommands,
  q,
  sh,
  spiritCommands,
  vitessCommands,
  onlineDdlUuid,
  type Connection,
} from '../../../src/plan/commands.js';
import { DEFAULT_POLICY, parsePolicy } from '../../../src/plan/policy.js';
import type { ForeignKey } from '../../../src/model/types.js';
import { column, config, db, planOf, shard, snapshot, table, withColumn, withTable } from '../builders.js';
import { checkCommandLine } from '../../support/tool-flags.js';

const policy = (raw: Record<string, unknown>) => parsePolicy(raw, (field, why) => new Error(`${field}: ${why}`));
const BIGINT = { dataType: 'bigint', unsigned: false, zerofill: false } as const;
const UBIGINT = { dataType: 'bigint', unsigned: true, zerofill: false } as const;
const col = (spec: string, more: Parameters<typeof withColumn>[2] = {}) => ({ ...column('c', spec), ...more });

/** Run `line` with its program replaced by printf: the argv the program would get. */
function argv(line: string, program: string): string[] {
  expect(line.startsWith(`${program} `)).toBe(true);
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line.slice(program.length + 1)}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/hr', SPIRIT_PASSWORD: 's3cret' },
  });
  return out.split('\0').slice(0, -1);
}

describe('columnDefinition: the whole column, not just its type', () => {
  it('NOT NULL and NULL are kept', () => {
    expect(columnDefinition(col('int'), BIGINT)).toBe('BIGINT NOT NULL');
    expect(columnDefinition(col('int null'), BIGINT)).toBe('BIGINT NULL');
  });

  it('AUTO_INCREMENT is kept', () => {
    expect(columnDefinition(col('int auto'), BIGINT)).toBe('BIGINT NOT NULL AUTO_INCREMENT');
    expect(columnDefinition(col('int unsigned auto'), UBIGINT)).toBe('BIGINT UNSIGNED NOT NULL AUTO_INCREMENT');
  });

  it.each([
    ["'0'", 'MariaDB quotes literals', 'DEFAULT 0'],
    ['0', 'MySQL prints them bare', 'DEFAULT 0'],
    ["'-1'", 'negative, quoted', 'DEFAULT -1'],
    ['-1', 'negative, bare', 'DEFAULT -1'],
    ['NULL', 'MariaDB prints DEFAULT NULL as NULL', 'DEFAULT NULL'],
    ["'NULL'", 'quoted NULL', 'DEFAULT NULL'],
  ])('integer DEFAULT %s (%s) → %s', (raw, _why, out) => {
    expect(columnDefinition(col('int null', { default: raw }), BIGINT)).toBe(`BIGINT NULL ${out}`);
  });

  it('no default (SQL NULL from the catalog, or absent): no DEFAULT clause', () => {
    expect(columnDefinition(col('int', { default: null }), BIGINT)).toBe('BIGINT NOT NULL');
    expect(integerDefault(undefined)).toBeUndefined();
    expect(integerDefault(null)).toBeUndefined();
  });

  it('COMMENT is kept, with quotes and backslashes escaped', () => {
    expect(columnDefinition(col('int', { comment: 'owner\'s id, see "users" \\ docs' }), BIGINT)).toBe(
      "BIGINT NOT NULL COMMENT 'owner''s id, see \"users\" \\\\ docs'",
    );
    expect(columnDefinition(col('int', { comment: '' }), BIGINT)).toBe('BIGINT NOT NULL');
  });

  it('ZEROFILL only when the target is unsigned (a signed key makes its zerofill child signed)', () => {
    expect(columnDefinition(col('int(10) unsigned zerofill'), UBIGINT)).toBe('BIGINT UNSIGNED ZEROFILL NOT NULL');
    expect(columnDefinition(col('int(10) unsigned zerofill'), BIGINT)).toBe('BIGINT NOT NULL');
  });

  it('all together, in MySQL\'s column-definition order', () => {
    expect(columnDefinition(col('int unsigned null', { default: "'7'", comment: 'x' }), UBIGINT)).toBe("BIGINT UNSIGNED NULL DEFAULT 7 COMMENT 'x'");
  });

  it('a MODIFY per column, identifiers quoted with backticks doubled', () => {
    expect(modifyClauses([{ column: { ...col('int'), name: 'a`b' }, target: BIGINT }, { column: { ...col('int auto'), name: 'id' }, target: BIGINT }])).toBe(
      'MODIFY `a``b` BIGINT NOT NULL, MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT',
    );
    expect(q('we`ird')).toBe('`we``ird`');
  });

  it('in a plan: the MODIFY keeps the column\'s comment and default', () => {
    const users = withColumn(table('users', { id: 'int auto', referrer_id: 'int null' }, { autoIncrement: 2_000_000_000n, rows: 10n }), 'referrer_id', {
      default: 'NULL',
      comment: "who's referred",
    });
    const p = planOf(snapshot(shard('s1', db('app', users))), config({ relationships: [{ column: 'users.referrer_id', references: 'users.id', origin: 't' }] }), {
      policy: policy({ directAlter: { maxRows: 100 } }),
    }).plans[0]!;
    expect(p.steps[0]!.commands[1]).toBe(
      "ALTER TABLE `app`.`users` MODIFY `referrer_id` BIGINT NULL DEFAULT NULL COMMENT 'who''s referred', MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT, ALGORITHM=COPY, LOCK=SHARED;",
    );
  });
});

describe('every DDL states ALGORITHM= and LOCK=, after a lock_wait_timeout', () => {
  const fk: ForeignKey = { name: 'fk_posts_user', columns: ['user_id'], referencedDatabase: 'app', referencedTable: 'users', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'RESTRICT' };

  it('direct ALTER: ALGORITHM=COPY, LOCK=SHARED (a type change can do nothing lighter: fail fast if assumed wrong)', () => {
    expect(directAlterSql('app', 'users', 'MODIFY `id` BIGINT NOT NULL', DEFAULT_POLICY)).toEqual([
      'SET SESSION lock_wait_timeout = 5;',
      'ALTER TABLE `app`.`users` MODIFY `id` BIGINT NOT NULL, ALGORITHM=COPY, LOCK=SHARED;',
    ]);
  });

  it('drop constraint: INPLACE, LOCK=NONE', () => {
    expect(dropForeignKeySql('app', 'posts', fk, policy({ lockWaitTimeoutSeconds: 30 }))).toEqual([
      'SET SESSION lock_wait_timeout = 30;',
      'ALTER TABLE `app`.`posts` DROP FOREIGN KEY `fk_posts_user`, ALGORITHM=INPLACE, LOCK=NONE;',
    ]);
  });

  it('re-add constraint: foreign_key_checks off around it (INPLACE, no row check), rules kept except the RESTRICT default', () => {
    expect(addForeignKeySql('app', 'posts', fk, DEFAULT_POLICY)).toEqual([
      'SET SESSION foreign_key_checks = 0;',
      'SET SESSION lock_wait_timeout = 5;',
      'ALTER TABLE `app`.`posts` ADD CONSTRAINT `fk_posts_user` FOREIGN KEY (`user_id`) REFERENCES `app`.`users` (`id`) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE;',
      'SET SESSION foreign_key_checks = 1;',
    ]);
    expect(addForeignKeySql('app', 'posts', { ...fk, onDelete: 'SET NULL', onUpdate: 'NO ACTION' }, DEFAULT_POLICY)[2]).toContain('ON DELETE SET NULL ON UPDATE NO ACTION, ALGORITHM');
  });

  it('orphan check of a composite constraint: every column joined, rows with a NULL part skipped (MATCH SIMPLE)', () => {
    const composite: ForeignKey = { name: 'fk', columns: ['tenant_id', 'parent_id'], referencedDatabase: 'app', referencedTable: 'nodes', referencedColumns: ['tenant_id', 'id'] };
    expect(orphanCheckSql('app', 'edges', composite)).toBe(
      'SELECT COUNT(*) AS orphans FROM `app`.`edges` c LEFT JOIN `app`.`nodes` p ON p.`tenant_id` = c.`tenant_id` AND p.`id` = c.`parent_id` ' +
        'WHERE c.`tenant_id` IS NOT NULL AND c.`parent_id` IS NOT NULL AND p.`tenant_id` IS NULL;',
    );
  });

  it('in a whole plan (direct policy, declared child): every ALTER TABLE has both, each after SET lock_wait_timeout', () => {
    const s = shard('s1', db('app',
      table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }),
      table('posts', { id: 'bigint auto', user_id: 'int' }, { fks: { user_id: 'users.id' }, rows: 10n }),
    ));
    const p = planOf(snapshot(s), config(), { policy: policy({ directAlter: { maxRows: 100 }, lockWaitTimeoutSeconds: 7 }) }).plans[0]!;
    const alters = p.steps.flatMap((st) => st.commands.map((c, i) => ({ c, before: st.commands.slice(0, i) }))).filter((x) => x.c.startsWith('ALTER TABLE'));
    expect(alters).toHaveLength(4); // drop, child, key, re-add
    for (const { c, before } of alters) {
      expect(c).toMatch(/, ALGORITHM=(COPY|INPLACE), LOCK=(SHARED|NONE);$/);
      expect(before).toContain('SET SESSION lock_wait_timeout = 7;');
    }
  });
});

describe('shell quoting', () => {
  it('plain words stay bare; anything else is single-quoted', () => {
    expect(sh('Threads_running=25')).toBe('Threads_running=25');
    expect(sh('/tmp/x.flag')).toBe('/tmp/x.flag');
    expect(sh('MODIFY `id` BIGINT')).toBe("'MODIFY `id` BIGINT'");
    expect(sh("it's")).toBe("'it'\\''s'");
    expect(sh('')).toBe("''");
  });

  it.each([
    'MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT',
    "COMMENT 'owner''s id'",
    'a "double" and a \\ backslash',
    '$HOME $(id) `id` ${x}',
    'semi; colon && and || pipe | redirect > < &',
    'glob * ? [a] ~ ! #hash',
    'tab\tnewline\nend',
    'ünïcødé ✓',
    "'",
    "''",
  ])('%j round-trips through sh -c unchanged', (text) => {
    expect(argv(`printf ${sh(text)}`, 'printf')).toEqual([text]);
  });
});

const HOST: Connection = { host: 'db1.example.com', port: 3307, user: 'admin' };
/** A clause with every character that needs care: backticks, quotes, backslash, $. */
const NASTY = modifyClauses([{ column: { ...column('we`ird', 'int unsigned'), comment: "it's $HOME \"x\" \\ `y`" }, target: UBIGINT }]);

describe('pt-online-schema-change', () => {
  it('a dry run, then the run that executes: same arguments otherwise', () => {
    const [dry, run] = ptOscCommands(HOST, 'app', 'users', 'MODIFY `id` BIGINT NOT NULL', DEFAULT_POLICY, false);
    expect(dry!.endsWith(' --dry-run')).toBe(true);
    expect(dry).not.toContain('--execute');
    expect(run!.endsWith(' --execute')).toBe(true);
    expect(run!.replace(/ --execute$/, '')).toBe(dry!.replace(/ --dry-run$/, ''));
  });

  it('argv as the tool receives it: --alter is one argument, exactly the clauses; DSN with host and port', () => {
    const [dry] = ptOscCommands(HOST, 'app', 'users', NASTY, policy({ lockWaitTimeoutSeconds: 9 }), false);
    expect(argv(dry!, 'pt-online-schema-change')).toEqual([
      '--alter', NASTY,
      '--max-load', 'Threads_running=25',
      '--critical-load', 'Threads_running=50',
      '--chunk-time', '0.5',
      '--set-vars', 'lock_wait_timeout=9',
      'h=db1.example.com,P=3307,u=admin,D=app,t=users',
      '--dry-run',
    ]);
  });

  it('DSN over a socket: S=, no h= or P=', () => {
    const [dry] = ptOscCommands({ ...HOST, socketPath: '/var/run/mysqld/mysqld.sock' }, 'app', 'users', 'MODIFY `id` BIGINT NOT NULL', DEFAULT_POLICY, false);
    expect(argv(dry!, 'pt-online-schema-change')).toContain('S=/var/run/mysqld/mysqld.sock,u=admin,D=app,t=users');
    expect(dry).not.toMatch(/h=|P=/);
  });

  it('parent-side constraints kept: --alter-foreign-keys-method rebuild_constraints, on both runs', () => {
    for (const c of ptOscCommands(HOST, 'app', 'users', 'MODIFY `id` BIGINT NOT NULL', DEFAULT_POLICY, true)) {
      const a = argv(c, 'pt-online-schema-change');
      expect(a[a.indexOf('--alter-foreign-keys-method') + 1]).toBe('rebuild_constraints');
    }
  });

  it('placeholders (no inventory) are quoted, not shell syntax', () => {
    const [dry] = ptOscCommands({ host: '<host of s1>', port: 3306, user: '<user>' }, 'app', 'users', 'MODIFY `id` BIGINT NOT NULL', DEFAULT_POLICY, false);
    expect(argv(dry!, 'pt-online-schema-change')).toContain('h=<host of s1>,P=3306,u=<user>,D=app,t=users');
  });
});

describe('gh-ost', () => {
  const cmds = ghostCommands(HOST, 'app', 'users', NASTY, DEFAULT_POLICY);

  it('create the flag file, a no-op run, the run with --execute, then remove the flag to cut over', () => {
    expect(cmds).toHaveLength(4);
    expect(cmds[0]).toBe(`touch ${ghostFlagFile('app', 'users', HOST)}`);
    expect(cmds[1]).not.toMatch(/--execute/);
    expect(cmds[2]).toBe(`${cmds[1]} --execute`);
    expect(cmds[3]!.startsWith(`rm ${ghostFlagFile('app', 'users', HOST)}`)).toBe(true);
  });

  it('every flag is a gh-ost flag (v1.1.10 main.go, test/support/tool-flags.ts), given once', () => {
    const flags = argv(cmds[2]!, 'gh-ost').map((a) => /^--([a-z-]+)/.exec(a)?.[1]);
    expect(flags.every((f) => f !== undefined)).toBe(true);
    expect(checkCommandLine('gh-ost', cmds[2]!)).toEqual([]);
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('argv: the alter is exactly the clauses; load, lag and cut-over settings are there', () => {
    const a = argv(cmds[2]!, 'gh-ost');
    expect(a).toContain(`--alter=${NASTY}`);
    expect(a).toEqual(expect.arrayContaining([
      '--host=db1.example.com', '--port=3307', '--user=admin', '--conf=/home/hr/.my.cnf', '--database=app', '--table=users',
      '--allow-on-master', '--max-load=Threads_running=25', '--critical-load=Threads_running=50', '--chunk-size=1000',
      '--max-lag-millis=1500', '--critical-load-interval-millis=1000', '--cut-over=atomic', `--postpone-cut-over-flag-file=${ghostFlagFile('app', 'users', HOST)}`, '--execute',
    ]));
  });

  it('cut-over lock timeout: policy.lockWaitTimeoutSeconds, at most 10 s', () => {
    expect(ghostCommands(HOST, 'app', 'users', 'x', policy({ lockWaitTimeoutSeconds: 3 }))[1]).toContain('--cut-over-lock-timeout-seconds=3 ');
    expect(ghostCommands(HOST, 'app', 'users', 'x', policy({ lockWaitTimeoutSeconds: 60 }))[1]).toContain('--cut-over-lock-timeout-seconds=10 ');
  });

  it('the flag file touched, waited on and removed is the same path', () => {
    expect(argv(cmds[0]!, 'touch')).toEqual([ghostFlagFile('app', 'users', HOST)]);
    expect(argv(cmds[3]!, 'rm')).toEqual([ghostFlagFile('app', 'users', HOST)]);
  });

  // `$` is legal in an unquoted MySQL identifier; spaces are legal in quoted ones. The flag path is not shell-quoted.
  it('the flag file of a table named `a$b c` survives the shell too', () => {
    const c = ghostCommands(HOST, 'app', 'a$b c', 'x', DEFAULT_POLICY);
    expect(argv(c[0]!, 'touch')).toEqual([ghostFlagFile('app', 'a$b c', HOST)]);
  });

  // doc/command-line-flags.md: "If you run multiple migrations then you must provide a different, unique --replica-server-id for each gh-ost process."
  it('copies allowed to run at once on one server get distinct --replica-server-id', () => {
    const s = shard('s1',
      db('ws_a', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n })),
      db('ws_b', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n })),
    );
    const p = planOf(snapshot(s), config(), { policy: policy({ maxConcurrentCopiesPerShard: 4 }) });
    const ids = p.plans.map((x) => /--replica-server-id=(\d+)/.exec(x.steps[0]!.commands.join(' '))?.[1]);
    expect(ids.every((i) => i !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('Spirit and Vitess', () => {
  it('Spirit: one argument per flag, password from the environment, deferred cut-over', () => {
    const [run, cut] = spiritCommands(HOST, 'app', 'users', NASTY, policy({ lockWaitTimeoutSeconds: 20 }));
    expect(argv(run!, 'spirit migrate')).toEqual([
      '--host=db1.example.com:3307', '--username=admin', '--password=s3cret', '--database=app', `--statement=ALTER TABLE \`users\` ${NASTY}`,
      '--threads=4', '--lock-wait-timeout=20s', '--defer-cutover',
    ]);
    expect(cut).toMatch(/^mysql -h db1\.example\.com -P 3307 -u admin -e 'DROP TABLE IF EXISTS `app`\.`_spirit_sentinel`'/);
    // Spirit v0.11.0–v0.16.0: --table and --alter (policy.spirit.version).
    const [old] = spiritCommands(HOST, 'app', 'users', NASTY, policy({ lockWaitTimeoutSeconds: 20, spirit: { version: '0.16.0' } }));
    expect(argv(old!, 'spirit migrate')).toEqual([
      '--host=db1.example.com:3307', '--username=admin', '--password=s3cret', '--database=app', '--table=users',
      `--alter=${NASTY}`, '--target-chunk-time=500ms', '--threads=4', '--lock-wait-timeout=20s', '--defer-cutover',
    ]);
  });

  it('Vitess: ApplySchema with a postponed completion, the ALTER as one --sql argument, then complete', () => {
    const [apply, show, complete] = vitessCommands('commerce', 'users', NASTY, { server: 'vtctld:15999', flags: [] });
    const uuid = onlineDdlUuid('commerce', 'users', NASTY);
    expect(uuid).toMatch(/^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/);
    expect(argv(apply!, 'vtctldclient')).toEqual(['--server', 'vtctld:15999', 'ApplySchema', '--ddl-strategy', 'vitess --postpone-completion', '--uuid', uuid, '--sql', `ALTER TABLE \`users\` ${NASTY}`, 'commerce']);
    expect(show).toMatch(new RegExp(`^vtctldclient --server vtctld:15999 OnlineDDL show commerce ${uuid} `));
    expect(complete).toMatch(new RegExp(`^vtctldclient --server vtctld:15999 OnlineDDL complete commerce ${uuid} `));
  });

  it('in a plan: the keyspace is the vitess: block\'s name for the database, and only a keyspace\'s database gets vtctldclient', () => {
    const s = shard('s1', db('vt_commerce', withTable(table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n }), {})));
    const vitess = { keyspaces: [{ name: 'commerce', database: 'vt_commerce', shards: ['s1'], vschema: {}, vschemaSource: 'test' }] };
    const p = planOf(snapshot(s), config({ vitess }), { policy: policy({ tools: ['vitess'] }) }).plans[0]!;
    expect(p.steps[0]!.tool).toBe('vitess');
    expect(p.steps[0]!.commands[0]).toMatch(/ commerce$/);
    // Without the block, vt_commerce is a plain MySQL database: no Vitess command, the step is blocked.
    const plain = planOf(snapshot(s), config(), { policy: policy({ tools: ['vitess'] }) }).plans[0]!;
    expect(plain.steps[0]!.kind).toBe('blocked');
  });
});

describe('connections from the inventory', () => {
  it('a plan uses the shard\'s host, port and user; placeholders when there is no inventory', () => {
    const s = shard('s1', db('app', table('users', { id: 'int auto' }, { autoIncrement: 2_000_000_000n, rows: 10n })));
    const withConn = planOf(snapshot(s), config(), { policy: policy({ tools: ['pt-online-schema-change'] }), connections: new Map([['s1', HOST]]) }).plans[0]!;
    expect(withConn.steps[0]!.commands[0]).toContain('h=db1.example.com,P=3307,u=admin,D=app,t=users');
    const without = planOf(snapshot(s), config(), { policy: policy({ tools: ['pt-online-schema-change'] }) }).plans[0]!;
    expect(without.steps[0]!.commands[0]).toContain("'h=<host of s1>,P=3306,u=<migration user>,D=app,t=users'");
  });
});
