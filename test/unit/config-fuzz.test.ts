/**
 * Fuzz-style: a few hundred generated malformed inventories (YAML), MySQL option files and DSNs,
 * from a seeded PRNG (the same inputs every run). Each goes through the CLI's own `main()` with a
 * captured Io, and each must end the same way: exit 2, nothing on stdout, exactly one line on
 * stderr starting with "headroom: ", no stack trace, and never the password it carried.
 *
 * Every generator makes input that is invalid by construction (a syntax breaker, a wrong type,
 * an unknown key, a missing file, ...), so no case ever reaches a server. To reproduce a
 * failure, the case's label names its generator and the seed index; FUZZ_DUMP=1 prints every
 * case's message, to check each generator fails for the reason it is meant to.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';

const SECRET = 'Zq9-fuzz-secret';
const SEED = 0x5eed_2026;

/** mulberry32: small, fast, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const noise = (r: Rand, n: number, alphabet = 'abcXYZ019 _-.:/@#;=[]{}"\'\\\t%$!*&?|>~`,é€\u0001') =>
  Array.from({ length: n }, () => alphabet[int(r, alphabet.length)]).join('');

let dir: string;
let n = 0;
const file = (ext: string, text: string | Buffer, mode = 0o600) => {
  const p = join(dir, `case-${++n}.${ext}`);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-fuzz-'));
  mkdirSync(join(dir, 'a-directory'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// YAML inventories.

/** A valid inventory, as lines, that every YAML case breaks in one place. Port 9 on loopback: nothing is ever reached. */
function baseYaml(): string[] {
  return [
    'defaults:',
    '  user: headroom',
    `  password: ${SECRET}`,
    '  port: 9',
    '  timeoutSeconds: 5',
    'shards:',
    '  - name: shard-a',
    '    host: 127.0.0.1',
    '    databases: ["ws_*"]',
    '  - name: shard-b',
    '    host: 127.0.0.1',
    '    exclude: [ws_archive_*]',
    'thresholds: { warning: 0.7, critical: 0.85 }',
    'relationships:',
    '  - column: revision.rev_page',
    '    references: page.page_id',
    'ignore: ["*.stripe_customer_id"]',
  ];
}

/** Lines whose value a mutation may replace (never the password line). */
const VALUE_LINES = [1, 3, 4, 6, 7, 8, 9, 10, 11, 14, 15];

const YAML_MUTATIONS: Record<string, (r: Rand, lines: string[]) => string> = {
  'unclosed flow or quote': (r, lines) => {
    const i = pick(r, VALUE_LINES);
    const [k] = lines[i]!.split(':');
    lines[i] = `${k}: ${pick(r, ['[', '{', '"', "'", '[a, {b: '])}${noise(r, int(r, 6), 'abc123 ')}`;
    return lines.join('\n');
  },
  'tab indentation': (r, lines) => {
    const i = pick(r, [7, 8, 10, 11, 15]);
    lines[i] = `\t${lines[i]!.trimStart()}`;
    return lines.join('\n');
  },
  'duplicate key': (r, lines) => {
    const i = pick(r, [1, 3, 7, 8, 10]);
    lines.splice(i + 1, 0, lines[i]!);
    return lines.join('\n');
  },
  'unresolved alias': (r, lines) => {
    const i = pick(r, VALUE_LINES);
    const [k] = lines[i]!.split(':');
    lines[i] = `${k}: *${pick(r, ['nope', 'x', 'anchor1'])}`;
    return lines.join('\n');
  },
  'unknown tag': (r, lines) => {
    const i = pick(r, VALUE_LINES);
    const [k, v] = lines[i]!.split(/:(.*)/);
    lines[i] = `${k}: ${pick(r, ['!vault', '!!python/object', '!ref', '!!int'])} ${v!.trim() || 'x'}`;
    return lines.join('\n');
  },
  'complex key': (r, lines) => {
    lines.splice(int(r, 2) === 0 ? 0 : 13, 0, `? [${noise(r, 3, 'abc')}]`, ': value');
    return lines.join('\n');
  },
  'bad indentation': (r, lines) => {
    const i = pick(r, [7, 8, 10, 11]);
    lines[i] = ` ${lines[i]}`;
    lines.splice(i + 1, 0, `  ${lines[i + 1] ?? ''}`);
    return lines.join('\n');
  },
  'unknown key': (r, lines) => {
    const key = pick(r, ['hots', 'pasword', 'usr', 'sll', 'timeout', 'databse', 'colour', `x${noise(r, 4, 'abcdef')}`]);
    const at = pick(r, [2, 7, 10, 12, 16]);
    const indent = at === 12 || at === 16 ? '' : at === 2 ? '  ' : '    ';
    lines.splice(at, 0, `${indent}${key}: 1`);
    return lines.join('\n');
  },
  'wrong type': (r, lines) => {
    // A number is a fine string (host: 0 is a host name), so text fields get collections, booleans and null.
    const numeric = r() < 0.5;
    const i = numeric ? pick(r, [3, 4]) : pick(r, [1, 6, 7, 9, 10]);
    const [k] = lines[i]!.split(':');
    const text = ['[a, b]', '{ a: 1 }', 'null', '~', 'true', '[]', '{}'];
    lines[i] = `${k}: ${pick(r, numeric ? [...text, '-3', '1.5', '0', '99999999', '"70%"', '.nan', '.inf', 'abc'] : text)}`;
    return lines.join('\n');
  },
  'bad threshold': (r, lines) => {
    lines[12] = `thresholds: { ${pick(r, ['warning', 'critical'])}: ${pick(r, ['0', '1.5', '-1', 'high', '[1]', '".5"', '0x1', '1e-1'])}, ${pick(r, ['warning: 0.95, critical: 0.9', 'critcal: 0.9', 'critical: 0.9'])} }`;
    if (!/warning: 0\.95|critcal|0x1|\.5|high|\[1\]|1\.5|-1|: 0,|1e-1/.test(lines[12]!)) lines[12] += '\nthresholds2: {}';
    return lines.join('\n');
  },
  'missing environment variable': (r, lines) => {
    const i = pick(r, [1, 7, 9]);
    const [k] = lines[i]!.split(':');
    lines[i] = `${k}: "\${HEADROOM_FUZZ_${noise(r, 5, 'ABCDEFGH')}}"`;
    return lines.join('\n');
  },
  'missing shards': (_r, lines) => lines.filter((_l, i) => i < 5 || i > 11).join('\n'),
  'empty shards': (_r, lines) => [...lines.slice(0, 5), 'shards: []', ...lines.slice(12)].join('\n'),
  'shard without host': (_r, lines) => lines.filter((_l, i) => i !== 7).join('\n'),
  'duplicate shard name': (_r, lines) => {
    lines[9] = '  - name: shard-a';
    return lines.join('\n');
  },
  'bad relationship': (r, lines) => {
    lines[14] = `  - column: ${pick(r, ['rev_page', 'a.b.c.d', 'a..b', '""'])}`;
    return lines.join('\n');
  },
  'bad ssl': (r, lines) => {
    lines.splice(8, 0, `    ssl: ${pick(r, ['sometimes', '{ ca: /nonexistent/ca.pem }', '{ cert: /nonexistent/c.pem }', '{ mode: verify-ca, rejectUnauthorized: false }', '[x]', '{ ca: "" }', '{ mode: nope }', `{ ca: ${join(dir, 'a-directory')} }`])}`);
    return lines.join('\n');
  },
  'bad password source': (r, lines) => {
    lines.splice(8, 0, `    ${pick(r, ['passwordFile: /nonexistent/pw', 'passwordCommand: []', 'passwordCommand: { a: 1 }', 'passwordFile: ""', `passwordFile: ${join(dir, 'a-directory')}`])}`);
    if (r() < 0.5) lines.splice(8, 0, '    password: other');
    return lines.join('\n');
  },
  'bad url in a shard': (r, lines) => {
    lines[7] = `    url: "${pick(r, ['postgres://u@h', 'mysql://u@h:99999', 'mysql://u@bad host', `mysql://u:${SECRET}%zz@h`, 'mysql://u@h?ssl-mode=PREFERRED', 'mysql://u@h?sslmode=on', 'mysql://u@h#frag', 'nonsense', 'mysql://u@h?ssl-ca=/nonexistent/ca.pem'])}"`;
    return lines.join('\n');
  },
  truncated: (r, lines) => {
    // Cut inside a flow collection or a quoted string, so what is left cannot be complete.
    const text = lines.join('\n');
    const opens = [...text.matchAll(/[[{]/g)].map((m) => m.index!);
    return text.slice(0, pick(r, opens) + 1 + int(r, 3));
  },
  'random bytes': (r) => noise(r, 1 + int(r, 60)),
  'not a mapping': (r) => pick(r, ['- a\n- b', '"just a string"', '42', 'null', '[]', '~', '--- |\n  text']),
  empty: (r) => pick(r, ['', '\n\n', '# only a comment\n', '---\n', '...\n']),
};

// ---------------------------------------------------------------------------------------------
// MySQL option files (given with --defaults-file to a valid inventory that leaves user, password
// and TLS to the option file).

const OPTION_BREAKERS: Record<string, (r: Rand) => string> = {
  'option before any group': (r) => `${pick(r, ['user', 'password', 'host', noise(r, 4, 'abc')])}=${noise(r, 5, 'abc')}\n[client]\n`,
  'group without ]': (r) => `[client${pick(r, ['', ' ', '  # c', noise(r, 3, 'abc')])}\nuser=a\n`,
  '!include without a path': () => '[client]\n!include\n',
  '!include of a missing file': (r) => `[client]\n!include /nonexistent/${noise(r, 6, 'abcdef')}.cnf\n`,
  '!includedir of a missing directory': () => '[client]\n!includedir /nonexistent/conf.d\n',
  'password that asks for a prompt': () => '[client]\nuser=headroom\npassword\n',
  'bad port': (r) => `[client]\nport=${pick(r, ['abc', '0', '70000', '-1', '1.5', '', '3306x'])}\n`,
  'bad ssl-mode': (r) => `[client]\nssl-mode=${pick(r, ['PREFERRED', 'sometimes', 'yes', '', 'VERIFY'])}\n`,
  'bad ssl flag': (r) => `[client]\nssl=${pick(r, ['maybe', 'enable', '2'])}\n`,
  'empty or missing certificate': (r) => `[client]\n${pick(r, ['ssl-ca=', 'ssl-ca=/nonexistent/ca.pem', 'ssl-cert=/nonexistent/c.pem\nssl-key=/nonexistent/k.pem', 'ssl-key=', `ssl-ca=${join(dir, 'a-directory')}`])}\n`,
  'value needed': (r) => `[client]\n${pick(r, ['user', 'host', 'socket', 'ssl-mode'])}\n`,
  'a NUL byte': (r) => `[client]\nuser=a\u0000${noise(r, 3, 'abc')}\n`,
};

// ---------------------------------------------------------------------------------------------
// DSNs, given on the command line.

const DSN_BREAKERS: Record<string, (r: Rand) => string> = {
  'unsupported scheme': (r) => `${pick(r, ['postgres', 'http', 'mysqlx', 'jdbc:mysql', 'MYSQL '])}://u:${SECRET}@h:3306`,
  'bad port': (r) => `mysql://u:${SECRET}@h:${pick(r, ['99999', '-1', 'abc', '3306:1', '1e3'])}`,
  'bad host': (r) => `mysql://u:${SECRET}@${pick(r, ['bad host', 'a b', '[::1', 'h%zz', '[]', 'ex ample.com'])}:3306`,
  'bad escape': (r) => `mysql://u:${SECRET}${pick(r, ['%', '%z', '%G1', '%%'])}@h`,
  'no user': (r) => `mysql://${pick(r, ['h', 'h:3306', 'h/ws_*', '127.0.0.1:9'])}`,
  'unknown query parameter': (r) => `mysql://u:${SECRET}@h/db?${pick(r, ['ssl=true', 'sslmode=require', 'useSSL=true', `${noise(r, 5, 'abcdef')}=1`, 'password=x', 'ssl-caa=/x'])}`,
  'bad ssl-mode': (r) => `mysql://u:${SECRET}@h?ssl-mode=${pick(r, ['PREFERRED', 'on', 'yes', 'verify', 'none'])}`,
  'duplicate or empty parameter': (r) => `mysql://u:${SECRET}@h?${pick(r, ['ssl-mode=REQUIRED&ssl-mode=REQUIRED', 'ssl-ca=', 'socket=', 'ssl-mode=DISABLED&ssl-ca=/x'])}`,
  'missing certificate': () => `mysql://u:${SECRET}@h?ssl-ca=/nonexistent/ca.pem`,
  fragment: (r) => `mysql://u:${SECRET}@h/db#${noise(r, 4, 'abc')}`,
  'not a url': (r) => pick(r, ['', ' ', 'localhost', 'db1:3306', '://', `u:${SECRET}@h`, noise(r, 1 + int(r, 30))]),
};

// ---------------------------------------------------------------------------------------------

interface Case {
  label: string;
  argv: string[];
  env?: Record<string, string>;
}

function cases(): Case[] {
  const r = prng(SEED);
  const out: Case[] = [];
  const yamlNames = Object.keys(YAML_MUTATIONS);
  for (let i = 0; i < 200; i++) {
    const name = yamlNames[i % yamlNames.length]!;
    const text = YAML_MUTATIONS[name]!(r, baseYaml());
    // Some cases add a random comment or blank line elsewhere: it must not make them valid.
    const extra = r() < 0.3 ? `\n# ${noise(r, 8, 'abc #:')}\n` : '';
    out.push({ label: `yaml #${i} ${name}`, argv: [pick(r, ['scan', 'snapshot', 'plan', 'doctor']), '--config', file('yaml', text + extra)] });
  }
  const valid = file('yaml', 'shards:\n  - { name: s, host: 127.0.0.1, port: 9, user: headroom }\n');
  const optNames = Object.keys(OPTION_BREAKERS);
  for (let i = 0; i < 110; i++) {
    const name = optNames[i % optNames.length]!;
    // Another program's group first, sometimes (but then an option "before any group" would be in it).
    const prefix = r() < 0.5 && name !== 'option before any group' ? `# ${noise(r, 10, 'abc ')}\n[mysqld]\nport = 3307\n` : '';
    const body = OPTION_BREAKERS[name]!(r);
    const suffix = r() < 0.5 ? `[client]\npassword=${SECRET}\n` : '';
    out.push({ label: `option file #${i} ${name}`, argv: ['scan', '--config', valid, '--defaults-file', file('cnf', prefix + body + suffix)] });
  }
  out.push({ label: 'option file: world-writable', argv: ['scan', '--config', valid, '--defaults-file', file('cnf', `[client]\npassword=${SECRET}\n`, 0o666)] });
  out.push({ label: 'option file: missing', argv: ['doctor', '--config', valid, '--defaults-file', join(dir, 'nope.cnf')] });
  out.push({ label: 'option file: a directory', argv: ['scan', '--config', valid, '--defaults-file', join(dir, 'a-directory')] });
  out.push({ label: 'option file: broken ~/.my.cnf', argv: ['scan', '--config', valid], env: { HOME: join(dir, 'home') } });
  const dsnNames = Object.keys(DSN_BREAKERS);
  for (let i = 0; i < 110; i++) {
    const name = dsnNames[i % dsnNames.length]!;
    out.push({ label: `dsn #${i} ${name}`, argv: [pick(r, ['scan', 'snapshot', 'doctor', 'plan']), DSN_BREAKERS[name]!(r)] });
  }
  return out;
}

async function run(c: Case): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { NO_COLOR: '1', ...c.env }, stdoutIsTTY: false, stderrIsTTY: false };
  let code: number;
  try {
    code = await main(c.argv, io);
  } catch (e) {
    // main() rethrows what it does not expect: that is the stack trace this test forbids.
    throw new Error(`${c.label}: main() threw instead of a one-line error: ${(e as Error)?.stack ?? String(e)}`);
  }
  return { code, stdout, stderr };
}

describe('malformed input never gets past a one-line error', () => {
  it('a few hundred generated YAML documents, option files and DSNs', async () => {
    mkdirSync(join(dir, 'home'), { recursive: true });
    writeFileSync(join(dir, 'home', '.my.cnf'), 'user=before-any-group\n', { mode: 0o600 });
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(400);
    const failures: string[] = [];
    for (const c of all) {
      const r = await run(c);
      const lines = r.stderr.split('\n');
      const ok =
        r.code === 2 &&
        r.stdout === '' &&
        lines.length === 2 &&
        lines[1] === '' &&
        /^headroom: \S/.test(lines[0]!) &&
        !/\n\s+at /.test(r.stderr) &&
        !r.stderr.includes(SECRET);
      if (process.env.FUZZ_DUMP) console.log(c.label.replace(/#\d+ /, ''), '::', r.stderr.trim().replace(dir, '<dir>'));
      if (!ok) failures.push(`${c.label} → exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('is deterministic: the same seed makes the same inputs', () => {
    const labels = (seed: number) => {
      const r = prng(seed);
      return Array.from({ length: 5 }, () => YAML_MUTATIONS['random bytes']!(r, []));
    };
    expect(labels(SEED)).toEqual(labels(SEED));
    expect(labels(SEED)).not.toEqual(labels(SEED + 1));
  });
});
