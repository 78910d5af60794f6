/**
 * Generated command lines checked against the tools' REAL flag definitions (test/support/tool-flags.ts,
 * read from gh-ost v1.1.10, Spirit v0.16.0 and main, pt-online-schema-change 3.2.1, vtctldclient).
 * First the checker itself, then every line src/plan/commands.ts emits today.
 */
import { describe, expect, it } from 'vitest';
import { ghostCommands, ptOscCommands, spiritCommands, vitessCommands, type Connection } from '../../src/plan/commands.js';
import { DEFAULT_POLICY } from '../../src/plan/policy.js';
import { checkCommandLine, checkPtDsn, shellWords, TOOL_FLAGS } from '../support/tool-flags.js';

describe('shellWords: POSIX quoting', () => {
  it('single quotes, double quotes, backslashes and a trailing comment', () => {
    expect(shellWords(`a 'b c' "d \\"e\\" \\x" f\\ g 'it'\\''s' --x="$V"  # note`).words).toEqual([
      'a', 'b c', 'd "e" \\x', 'f g', "it's", '--x=$V',
    ]);
  });

  it('reports unquoted operators and unterminated quotes', () => {
    expect(shellWords('x <uuid here>')).toEqual({
      words: ['x', 'here'],
      problems: [
        'unquoted shell operator "<" at column 3: the shell does not pass it as an argument',
        'unquoted shell operator ">" at column 13: the shell does not pass it as an argument',
        'a redirection at the end of the line has no target: a shell syntax error',
      ],
    });
    expect(shellWords("x 'open").problems).toEqual(['unterminated single quote']);
    expect(shellWords('x "a|b;c<d>"').problems).toEqual([]);
  });
});

describe('checkCommandLine catches what the tool would reject', () => {
  it('every registry entry names its source', () => {
    for (const t of TOOL_FLAGS) {
      expect(t.version && t.commit && t.repo && t.source).toBeTruthy();
      expect(Object.keys(t.flags).length).toBeGreaterThan(2);
    }
  });

  it('gh-ost: unknown flag, missing value, bad bool, stray word, valid line', () => {
    expect(checkCommandLine('gh-ost', 'gh-ost --alter=x --socket=/tmp/m.sock')).toEqual(['unknown flag --socket']);
    expect(checkCommandLine('gh-ost', 'gh-ost --execute --alter')).toEqual(['--alter needs a value']);
    expect(checkCommandLine('gh-ost', 'gh-ost --alter=x --verbose=yes')).toEqual(['--verbose is a boolean; "yes" is not a boolean value']);
    expect(checkCommandLine('gh-ost', 'gh-ost --alter=x --verbose true --execute')[0]).toMatch(/stops here/);
    expect(checkCommandLine('gh-ost', `gh-ost -host db --port 3306 --alter 'ADD COLUMN c INT' --assume-rbr --execute=true`)).toEqual([]);
  });

  it('Spirit: --table/--alter are fine on v0.16.0 and unknown on main', () => {
    const old = `spirit migrate --database=d --table=t --alter='MODIFY id BIGINT' --defer-cutover --target-chunk-time=500ms`;
    expect(checkCommandLine('spirit', old, 'v0.16.0')).toEqual([]);
    expect(checkCommandLine('spirit', old, 'main')).toEqual([
      'unknown flag --table', 'unknown flag --alter', 'unknown flag --target-chunk-time', 'missing required --statement',
    ]);
    expect(checkCommandLine('spirit', `spirit migrate --database d --statement 'ALTER TABLE t MODIFY id BIGINT' --defer-cutover`, 'main')).toEqual([]);
    expect(checkCommandLine('spirit', 'spirit migrate --statement=x --defer-cutover=maybe --threads', 'main')).toEqual([
      '--defer-cutover is a boolean; "maybe" is not a boolean value', '--threads needs a value',
    ]);
    expect(checkCommandLine('spirit', 'spirit migrate --statement=x --defer-cutover true', 'main')).toEqual(['unexpected argument(s) ["true"]']);
  });

  it('pt-osc: unknown option, bool with a value, negation, short options, DSN', () => {
    const ok = `pt-online-schema-change --alter 'MODIFY id BIGINT' --nocheck-alter --no-swap-tables -u root --dry-run h=db,P=3306,D=d,t=t`;
    expect(checkCommandLine('pt-online-schema-change', ok)).toEqual([]);
    expect(checkCommandLine('pt-online-schema-change', 'pt-online-schema-change --alter x --max-lagg=1 --execute D=d,t=t')).toEqual(['unknown flag --max-lagg']);
    expect(checkCommandLine('pt-online-schema-change', 'pt-online-schema-change --execute=1 D=d,t=t')).toEqual(['--execute takes no value (got "1")']);
    expect(checkCommandLine('pt-online-schema-change', 'pt-online-schema-change --alter')).toEqual(['--alter needs a value', 'expects exactly one DSN, got 0']);
    expect(checkCommandLine('pt-online-schema-change', 'pt-online-schema-change --dry-run --execute --database d t=t')).toEqual([
      '--dry-run and --execute are mutually exclusive',
    ]);
  });

  it('pt-osc DSN: unknown keys, an unescaped comma, a \\, escape', () => {
    expect(checkPtDsn('h=db,D=d,t=t')).toEqual([]);
    expect(checkPtDsn('h=db,x=1,D=d,t=t')).toEqual(['unknown DSN key "x" in "x=1"']);
    expect(checkPtDsn('h=db,p=a,b,D=d,t=t')[0]).toMatch(/"b" is not key=value.*unescaped comma/);
    expect(checkPtDsn('h=db,p=a\\,b,D=d,t=t')).toEqual([]);
    expect(checkPtDsn('h=db')).toEqual(['the DSN must specify a table (t)', 'the DSN must specify a database (D) or use --database']);
  });

  it('vtctldclient: --server, subcommands and their positionals', () => {
    const apply = `vtctldclient --server vtctld:15999 ApplySchema --ddl-strategy "vitess --postpone-completion" --sql 'ALTER TABLE t MODIFY id BIGINT' ks`;
    expect(checkCommandLine('vtctldclient', apply)).toEqual([]);
    expect(checkCommandLine('vtctldclient', apply.replace('--server vtctld:15999 ', ''))).toEqual(['missing required --server']);
    expect(checkCommandLine('vtctldclient', 'vtctldclient --server s ApplySchema --sql x --skip-preflight ks')).toEqual(['unknown flag --skip-preflight']);
    expect(checkCommandLine('vtctldclient', 'vtctldclient --server s OnlineDDL complete ks 82fa54ac_e83e_11ea_96b7_f875a4d24e90')).toEqual([]);
    expect(checkCommandLine('vtctldclient', 'vtctldclient --server s OnlineDDL complete ks')[0]).toMatch(/expects 2 positional/);
    expect(checkCommandLine('vtctldclient', 'vtctldclient --server s OnlineDDL show --limit 5 ks all')).toEqual([]);
    expect(checkCommandLine('vtctldclient', 'vtctldclient --server s Nope ks')[0]).toMatch(/unknown subcommand/);
  });
});

// ---------------------------------------------------------------------------------------------
// The lines the project generates today.

const conn: Connection = { host: 'db1.internal', port: 3306, user: 'migrator' };
const socketConn: Connection = { ...conn, socketPath: '/var/run/mysqld/mysqld.sock' };
const CLAUSES = 'MODIFY `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT';

const replicaConn: Connection = { ...conn, replicas: [{ host: 'db1-replica.internal', port: 3306 }, { host: 'db1-replica2.internal', port: 3307 }] };
const SPIRIT_016 = { ...DEFAULT_POLICY, spirit: { version: '0.16.0' } };

/** Every line the planner generates, for every tool, form and kind of connection, with its problems (none expected). */
function generatedProblems(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (key: string, problems: string[]) => {
    if (problems.length) out[key] = problems;
  };
  for (const c of [conn, socketConn, replicaConn]) {
    const label = c.socketPath ? 'socket' : c.replicas ? 'replicas' : 'tcp';
    const [, dry, run] = ghostCommands(c, 'shop', 'orders', CLAUSES, DEFAULT_POLICY);
    add(`gh-ost ${label} noop`, checkCommandLine('gh-ost', dry!));
    add(`gh-ost ${label} execute`, checkCommandLine('gh-ost', run!));
    for (const fks of [false, true]) {
      for (const [i, line] of ptOscCommands(c, 'shop', 'orders', CLAUSES, DEFAULT_POLICY, fks).entries()) {
        add(`pt-osc ${label} fks=${fks} ${i ? 'execute' : 'dry-run'}`, checkCommandLine('pt-online-schema-change', line));
      }
    }
    add(`spirit main ${label}`, checkCommandLine('spirit', spiritCommands(c, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[0]!, 'main'));
    add(`spirit v0.16.0 ${label}`, checkCommandLine('spirit', spiritCommands(c, 'shop', 'orders', CLAUSES, SPIRIT_016)[0]!, 'v0.16.0'));
  }
  for (const [i, line] of vitessCommands('commerce', 'orders', CLAUSES, { server: 'vtctld.internal:15999', flags: [] }).entries()) add(`vitess ${i}`, checkCommandLine('vtctldclient', line));
  for (const name of ['a,b', 'we ird', 'x=y', 'back\\slash']) {
    for (const line of ptOscCommands(conn, 'shop', name, CLAUSES, DEFAULT_POLICY, false)) add(`pt-osc table ${name}`, checkCommandLine('pt-online-schema-change', line));
  }
  add('pt-osc database a,b', checkCommandLine('pt-online-schema-change', ptOscCommands(conn, 'a,b', 'orders', CLAUSES, DEFAULT_POLICY, false)[1]!));
  return out;
}

describe('generated lines against the real flags', () => {
  it('every gh-ost, pt-osc, Spirit (both forms) and vtctldclient line passes its tool\'s flag definitions', () => {
    expect(generatedProblems()).toEqual({});
  });

  it('the checker would have caught what the generators used to print', () => {
    // Spirit main has no --table/--alter (#1149); vtctldclient needs --server; `<uuid printed above>` is a redirection.
    expect(checkCommandLine('spirit', "spirit migrate --host=h:3306 --table=t --alter='MODIFY x BIGINT' --defer-cutover", 'main')).toContain('missing required --statement');
    expect(checkCommandLine('vtctldclient', `vtctldclient OnlineDDL complete commerce <uuid printed above>`)).toContain('missing required --server');
    expect(checkCommandLine('pt-online-schema-change', "pt-online-schema-change --alter x --execute 'h=db,P=3306,u=u,D=shop,t=a,b'")[0]).toMatch(/not key=value/);
  });

  it('the gh-ost line uses only flags gh-ost v1.1.10 defines (no MySQL socket flag exists, even for a socket shard)', () => {
    const run = ghostCommands(socketConn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[2]!;
    expect(checkCommandLine('gh-ost', run)).toEqual([]);
    expect(run).not.toMatch(/--socket\b/);
  });

  it('gh-ost throttles on the inventory\'s replicas and confirms a critical load before aborting', () => {
    const run = ghostCommands(replicaConn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[2]!;
    expect(run).toContain('--throttle-control-replicas=db1-replica.internal:3306,db1-replica2.internal:3307');
    expect(run).toContain('--critical-load-interval-millis=1000');
    expect(ghostCommands(conn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[2]).not.toContain('--throttle-control-replicas');
  });

  it('Spirit: --replica-max-lag only with --replica-dsn; the cut-over release names the shard and drops _spirit_sentinel', () => {
    const [run, release] = spiritCommands(conn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY);
    expect(run).not.toContain('--replica-max-lag');
    expect(spiritCommands(replicaConn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[0]).toMatch(/--replica-dsn=.*db1-replica\.internal:3306.* --replica-max-lag=10s/);
    expect(release).toMatch(/^mysql -h db1\.internal -P 3306 -u migrator -e /);
    expect(release).toContain('`shop`.`_spirit_sentinel`');
    expect(spiritCommands(socketConn, 'shop', 'orders', CLAUSES, DEFAULT_POLICY)[1]).toMatch(/^mysql -S \/var\/run\/mysqld\/mysqld\.sock -u migrator /);
  });
});

/**
 * The flags inside `--ddl-strategy "<strategy> <flags>"`: vitessio/vitess go/vt/schema/ddl_strategy.go
 * (file-index id 22292660451; its version has --analyze-table and --cut-over-threshold): the strategy
 * name must be an OnlineDDL_Strategy (vitess, online, direct, mysql; gh-ost/pt-osc legacy), and each
 * option one of the flags it knows.
 */
const DDL_STRATEGIES = ['vitess', 'online', 'direct', 'mysql', 'gh-ost', 'pt-osc'];
const DDL_STRATEGY_FLAGS = [
  'declarative', 'skip-topo', 'singleton', 'singleton-context', 'allow-zero-in-date', 'postpone-launch', 'postpone-completion',
  'in-order-completion', 'allow-concurrent', 'prefer-instant-ddl', 'fast-range-rotation', 'cut-over-threshold', 'vreplication-test-suite',
  'unsafe-allow-foreign-keys', 'analyze-table',
];

function ddlStrategyProblems(value: string): string[] {
  const [name, ...opts] = value.trim().split(/\s+/);
  const out: string[] = [];
  if (!DDL_STRATEGIES.includes(name!.toLowerCase())) out.push(`unknown online DDL strategy: '${name}'`);
  for (const o of opts) {
    const flag = /^--?([a-z-]+)(=.*)?$/.exec(o)?.[1];
    if (!flag || !DDL_STRATEGY_FLAGS.includes(flag)) out.push(`unknown ddl-strategy flag ${o}`);
  }
  return out;
}

describe('--ddl-strategy values against ddl_strategy.go', () => {
  it('every strategy the planner and the repair plans emit is one Vitess parses, with flags it knows', () => {
    const lines = [
      ...vitessCommands('commerce', 'orders', CLAUSES, { server: 'vtctld:15999', flags: [] }),
      // the repair plans' CREATE TABLE through vtctld
      "vtctldclient --server vtctld:15999 ApplySchema --ddl-strategy direct --sql 'CREATE TABLE `s` (id INT)' commerce",
    ];
    const values = lines.flatMap((l) => {
      const words = shellWords(l).words;
      const i = words.indexOf('--ddl-strategy');
      return i < 0 ? [] : [words[i + 1]!];
    });
    expect(values).toEqual(['vitess --postpone-completion', 'direct']);
    for (const v of values) expect(ddlStrategyProblems(v), v).toEqual([]);
    expect(ddlStrategyProblems('vitess --postpone-completed')).toEqual(['unknown ddl-strategy flag --postpone-completed']);
  });
});
