/**
 * The paths a plan promises for the awkward tables, executed where the tool exists here, through
 * the command as a user runs it (bin/headroom.js):
 *
 * - a shard reached by Unix socket only: pt-online-schema-change gets `S=<socket>` (gh-ost and
 *   Spirit cannot connect by socket), the runbook's SQL client line is `mysql -S …`;
 * - a table name with a comma: pt-online-schema-change's DSN gets `t=odd\,name`, and it runs;
 * - a table name with a single quote (pt-online-schema-change 3.2.1 breaks on it) and a join table
 *   without a key: blocked with the options under the default policy, a direct ALTER under
 *   policy.directAlter;
 * - `headroom precheck` on a generated runbook: passes on the servers it was made for, fails (exit
 *   1, the failing check named) once a column no longer has the planned type;
 * - `headroom runbook` refuses to write placeholders unless --placeholders.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/mariadb.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/headroom.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], cwd = ROOT, timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: dir }, timeout, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const headroom = (args: string[]) => exec(process.execPath, [BIN, ...args]);

let server: TestServer;
let dir: string;

const SCHEMA = `
CREATE TABLE listings (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, title VARCHAR(40)) AUTO_INCREMENT=1900000000;
CREATE TABLE \`odd,name\` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, listing_id INT NOT NULL, KEY (listing_id));
CREATE TABLE listing_images (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, listing_id INT NOT NULL, KEY (listing_id));
INSERT INTO listings (id, title) VALUES (1899999990, 'a'), (1899999991, 'b');
INSERT INTO \`odd,name\` (listing_id) VALUES (1899999990), (1899999991);
INSERT INTO listing_images (listing_id) VALUES (1899999990);
`;

const AWKWARD = `
CREATE TABLE listings (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1900000000;
CREATE TABLE \`editors'_picks\` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, listing_id INT NOT NULL);
CREATE TABLE listing_followers (person_id INT NOT NULL, listing_id INT NOT NULL, KEY index_listing_followers (listing_id, person_id));
INSERT INTO listings VALUES (1899999999);
INSERT INTO \`editors'_picks\` (listing_id) VALUES (1899999999);
INSERT INTO listing_followers VALUES (1, 1899999999), (2, 1899999999);
`;

beforeAll(async () => {
  server = await startServer({ name: 'paths-shard' });
  dir = mkdtempSync(join(tmpdir(), 'headroom-paths-'));
  await server.sql(`CREATE DATABASE mk_sock; USE mk_sock; ${SCHEMA} CREATE DATABASE mk_odd; USE mk_odd; ${AWKWARD}`);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

function inventory(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

/** Run a runbook's section 4 as a person would: SQL blocks in the runbook's own client line, shell lines one by one. */
async function follow(markdown: string): Promise<{ log: string; sqlBlocks: number; shellLines: number }> {
  const section = markdown.slice(markdown.indexOf('\n## 4. Steps'), markdown.indexOf('\n## 5. '));
  // "SQL blocks run in `mysql -S /path -u root -p`": the client line, minus the password prompt (root has none here).
  const client = /SQL blocks run in `(mysql [^`]+)`/.exec(section)![1]!;
  const args = client.split(' ').slice(1).filter((a) => a !== '-p');
  let log = '';
  let sqlBlocks = 0;
  let shellLines = 0;
  for (const m of section.matchAll(/```(sql|sh)\n([\s\S]*?)```/g)) {
    if (m[1] === 'sql') {
      sqlBlocks++;
      const r = await exec('mariadb', ['--no-defaults', ...args, '--batch', '-e', m[2]!]);
      expect(r.code, `SQL block failed: ${m[2]}\n${r.stderr}`).toBe(0);
      log += r.stdout;
    } else {
      for (const line of m[2]!.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
        shellLines++;
        const r = await exec('sh', ['-c', line]);
        expect(r.code, `shell line failed: ${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
        expect(r.stdout + r.stderr).not.toMatch(/^Error/m);
        log += r.stdout;
      }
    }
  }
  return { log, sqlBlocks, shellLines };
}

async function columnTypes(db: string): Promise<Record<string, string>> {
  const rows = (await server.sql(`SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS ty FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND DATA_TYPE LIKE '%int'`)) as { t: string; c: string; ty: string }[];
  return Object.fromEntries(rows.map((r) => [`${r.t}.${r.c}`, r.ty]));
}

describe('a shard reached by Unix socket, a table name with a comma', () => {
  let config: string;
  beforeAll(() => {
    config = inventory(
      'socket.yaml',
      [
        'shards:',
        `  - { name: sock-shard, socket: ${JSON.stringify(server.socket)}, user: root, databases: [mk_sock] }`,
        'policy:',
        '  migrationUser: root',
        '',
      ].join('\n'),
    );
  });

  it('plans pt-online-schema-change by socket (gh-ost cannot), with the comma escaped in the DSN', async () => {
    const r = await headroom(['plan', '--config', config, '--format', 'json']);
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout) as { plans: { steps: { tool?: string; table?: string; toolReason?: string; commands: string[] }[] }[] };
    const copies = plan.plans[0]!.steps.filter((s) => s.tool);
    expect(copies.map((s) => s.table)).toEqual(['listing_images', 'odd,name', 'listings']);
    for (const s of copies) {
      expect(s.tool).toBe('pt-online-schema-change');
      expect(s.toolReason).toContain('gh-ost connects only by TCP');
    }
    expect(copies[1]!.commands[1]).toContain(`'S=${server.socket},u=root,D=mk_sock,t=odd\\,name'`);
  });

  it('the runbook, followed literally, widens every column (pt-online-schema-change through the socket)', async () => {
    const out = join(dir, 'rb-sock');
    const w = await headroom(['runbook', '--config', config, '--out', out]);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    const file = readdirSync(out).find((f) => f !== 'index.md')!;
    const md = readFileSync(join(out, file), 'utf8');
    expect(md).toContain(`SQL blocks run in \`mysql -S ${server.socket} -u root\``);
    const ran = await follow(md);
    expect(ran.shellLines).toBe(6); // three tables: dry run + execute each
    expect(await columnTypes('mk_sock')).toEqual({
      'listings.id': 'bigint(20)',
      'odd,name.id': 'int(11)',
      'odd,name.listing_id': 'bigint(20)',
      'listing_images.id': 'bigint(20)',
      'listing_images.listing_id': 'bigint(20)',
    });
    const rows = (await server.sql('SELECT COUNT(*) AS n FROM mk_sock.`odd,name`')) as { n: number }[];
    expect(Number(rows[0]!.n)).toBe(2);
    const rescan = await headroom(['scan', '--config', config, '--format', 'json']);
    expect(JSON.parse(rescan.stdout).findings).toEqual([]);
  });
});

describe('tables no tool can copy: a quote in the name, a join table without a key', () => {
  const yaml = (extra: string) =>
    ['shards:', `  - { name: odd-shard, host: 127.0.0.1, port: ${server.port}, user: root, databases: [mk_odd] }`, 'policy:', '  migrationUser: root', '  tools: [gh-ost, pt-online-schema-change]', extra, ''].join('\n');

  it('default policy: blocked, with the options and "Do not start" (no empty step)', async () => {
    const config = inventory('odd.yaml', yaml(''));
    const r = await headroom(['runbook', '--config', config, '--stdout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('> **Do not start: this plan is blocked.**');
    expect(r.stdout).toContain("### editors'_picks");
    expect(r.stdout).toContain('### listing_followers');
    expect(r.stdout).toContain('the table name contains a single quote, which breaks pt-online-schema-change 3.2.1');
    expect(r.stdout).toContain('**Option B: first add a UNIQUE key on (listing_id, person_id), online, so a copy tool can run.**');
    const plan = JSON.parse((await headroom(['plan', '--config', config, '--format', 'json'])).stdout) as { plans: { steps: { kind: string; commands: string[]; options?: unknown[] }[] }[] };
    for (const s of plan.plans[0]!.steps) {
      if (s.kind === 'blocked') expect(s.options!.length).toBeGreaterThan(0);
      else if (s.kind !== 'application') expect(s.commands.length).toBeGreaterThan(0);
    }
  });

  it('option B executed as written (duplicate check, then the UNIQUE key online): the next plan copies the join table with pt-online-schema-change', async () => {
    const config = inventory('odd.yaml', yaml(''));
    const plan = JSON.parse((await headroom(['plan', '--config', config, '--format', 'json'])).stdout) as { plans: { steps: { kind: string; table?: string; options?: { commands: string[] }[] }[] }[] };
    const option = plan.plans[0]!.steps.find((s) => s.table === 'listing_followers')!.options![1]!;
    const dup = await exec('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', 'root', '--batch', '-e', option.commands[0]!]);
    expect(dup.stdout).toBe(''); // no duplicate pair
    const add = await exec('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', 'root', '--batch', '-e', option.commands.slice(1).join('\n')]);
    expect(add.code, add.stderr).toBe(0);
    const again = JSON.parse((await headroom(['plan', '--config', config, '--format', 'json'])).stdout) as { plans: { steps: { kind: string; table?: string; tool?: string }[] }[] };
    expect(again.plans[0]!.steps.find((s) => s.table === 'listing_followers')!.tool).toBe('pt-online-schema-change');
  });

  it('under policy.directAlter: direct ALTERs, followed literally, widen every column', async () => {
    const config = inventory('odd-direct.yaml', yaml('  directAlter: { maxRows: 1000 }'));
    const r = await headroom(['runbook', '--config', config, '--stdout']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Do not start');
    expect(r.stdout).toMatch(/Direct ALTER: \*\*writes to .* wait for the whole copy\*\*/);
    await follow(r.stdout);
    expect(await columnTypes('mk_odd')).toMatchObject({ 'listings.id': 'bigint(20)', "editors'_picks.listing_id": 'bigint(20)', 'listing_followers.listing_id': 'bigint(20)' });
  });
});

describe('headroom precheck', () => {
  it('passes on the servers the runbook was made for; fails, naming the check, once a column changed under it', async () => {
    await server.sql('CREATE DATABASE mk_pre; USE mk_pre; CREATE TABLE listings (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1900000000; CREATE TABLE bookings (id BIGINT AUTO_INCREMENT PRIMARY KEY, listing_id INT NOT NULL);');
    const config = inventory('pre.yaml', ['shards:', `  - { name: pre-shard, host: 127.0.0.1, port: ${server.port}, user: root, databases: [mk_pre] }`, 'policy:', '  migrationUser: root', ''].join('\n'));
    const out = join(dir, 'rb-pre');
    expect((await headroom(['runbook', '--config', config, '--out', out])).code).toBe(0);
    const file = join(out, 'pre-shard__mk_pre__listings.id.md');
    const ok = await headroom(['precheck', file, '--config', config]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^PASS {2}1\. This session can see other sessions \(PROCESS\)$/m);
    expect(ok.stdout).toContain('All ');
    expect(ok.code).toBe(0);
    // The same by group id (planned live).
    expect((await headroom(['precheck', 'pre-shard/mk_pre/listings.id', '--config', config])).code).toBe(0);
    await server.sql('ALTER TABLE mk_pre.bookings MODIFY listing_id BIGINT NOT NULL');
    const bad = await headroom(['precheck', file, '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}\d+\. The columns still have the types this plan was made from \(mk_pre\)$/m);
    expect(bad.stdout).toContain('actual:   bookings | listing_id | bigint(20); listings | id | int(11)');
    expect(bad.stdout).toMatch(/pre-checks FAILED: do not start\.$/m);
  });

  it('bad input is one line and exit 2', async () => {
    const config = inventory('pre2.yaml', ['shards:', `  - { name: pre-shard, host: 127.0.0.1, port: ${server.port}, user: root }`, ''].join('\n'));
    const notRunbook = join(dir, 'notes.md');
    writeFileSync(notRunbook, '# just notes\n');
    for (const args of [['precheck', notRunbook, '--config', config], ['precheck', join(dir, 'missing.md'), '--config', config], ['precheck', notRunbook]]) {
      const r = await headroom(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^headroom: /);
    }
  });
});

describe('headroom runbook without what its commands need', () => {
  it('refuses, in one line naming the setting, unless --placeholders (then a banner says to replace them)', async () => {
    await server.sql('CREATE DATABASE mk_nouser; USE mk_nouser; CREATE TABLE listings (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1900000000;');
    const config = inventory('nouser.yaml', ['shards:', `  - { name: nu-shard, host: 127.0.0.1, port: ${server.port}, user: root, databases: [mk_nouser] }`, ''].join('\n'));
    const r = await headroom(['runbook', '--config', config, '--stdout']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'headroom: runbook: policy.migrationUser is not set (the account that runs the migration): the steps could not be run as written. Set it, or pass --placeholders to write <…> placeholders to replace by hand\n',
    );
    const p = await headroom(['runbook', '--config', config, '--stdout', '--placeholders']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('> **This runbook has placeholders: `<migration user>`.**');
  });
});

describe('a scan account that cannot see triggers (SELECT only)', () => {
  it('the plan says so, live and from a snapshot alike; the pre-check, as the migration account, finds the trigger and says do not start', async () => {
    await server.sql(`CREATE DATABASE mk_trg; USE mk_trg;
      CREATE TABLE listings (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL DEFAULT 0) AUTO_INCREMENT=1900000000;
      CREATE TABLE listing_counts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, listing_id INT NOT NULL);
      CREATE TRIGGER listings_count AFTER INSERT ON listings FOR EACH ROW INSERT INTO listing_counts (listing_id) VALUES (NEW.id);
      CREATE USER 'scanonly'@'127.0.0.1'; GRANT SELECT ON *.* TO 'scanonly'@'127.0.0.1';`);
    const config = inventory(
      'trg.yaml',
      ['shards:', `  - { name: trg-shard, host: 127.0.0.1, port: ${server.port}, user: scanonly, databases: [mk_trg] }`, 'policy:', '  migrationUser: root', ''].join('\n'),
    );
    const live = await headroom(['plan', '--config', config, '--format', 'json']);
    const plan = JSON.parse(live.stdout) as { plans: { warnings: string[]; steps: { table?: string; tool?: string }[] }[] };
    // Blind to the trigger, the copy tool is pt-online-schema-change (which would refuse the table)…
    expect(plan.plans[0]!.steps.find((s) => s.table === 'listings')!.tool).toBe('pt-online-schema-change');
    // …and the plan says that its "no trigger" is blindness.
    expect(plan.plans[0]!.warnings.join(' ')).toContain('The scan account cannot see triggers in mk_trg');
    const snap = join(dir, 'trg.json');
    expect((await headroom(['snapshot', '--config', config, '--out', snap])).code).toBe(0);
    const fromSnap = await headroom(['plan', '--snapshot', snap, '--config', config, '--format', 'json']);
    expect(fromSnap.stdout).toBe(live.stdout);
    const out = join(dir, 'rb-trg');
    expect((await headroom(['runbook', '--config', config, '--out', out])).code).toBe(0);
    const pre = await headroom(['precheck', join(out, 'trg-shard__mk_trg__listings.id.md'), '--config', config]);
    expect(pre.code).toBe(1);
    expect(pre.stdout).toMatch(/^FAIL {2}\d+\. No triggers on the tables the copy tools copy \(mk_trg\): they refuse such tables$/m);
    expect(pre.stdout).toContain('actual:   listings | listings_count');
  });
});

describe('the mysql client\'s flags for one server', () => {
  it('-h -P -u (and -S) read the same as the URL form; -p without a value needs a terminal (one line)', async () => {
    const url = await headroom(['scan', `mysql://root@127.0.0.1:${server.port}/mk_pre`, '--format', 'json', '--fail-on', 'never', '--quiet']);
    const flags = await headroom(['scan', '-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '--format', 'json', '--fail-on', 'never', '--quiet']);
    expect(flags.stderr).toBe('');
    const findings = (t: string) => JSON.stringify(JSON.parse(t).findings.filter((f: { database: string }) => f.database === 'mk_pre'));
    expect(findings(flags.stdout)).toBe(findings(url.stdout));
    const sock = await headroom(['scan', '-S', server.socket, '-u', 'root', '--format', 'json', '--fail-on', 'never', '--quiet']);
    // By socket the shard is named by its socket path: compared by what was found.
    const what = (t: string) => JSON.parse(t).findings.filter((f: { database: string }) => f.database === 'mk_pre').map((f: { check: string; table: string; column: string; current: unknown }) => `${f.check} ${f.table}.${f.column} ${f.current}`);
    expect(what(sock.stdout)).toEqual(what(url.stdout));
    expect(what(sock.stdout).length).toBeGreaterThan(0);
    const prompt = await headroom(['scan', '-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '-p']);
    expect(prompt.code).toBe(2);
    expect(prompt.stderr).toMatch(/^headroom: -p without a value asks for the password, but there is no terminal to ask on: /);
    const both = await headroom(['scan', '-h', '127.0.0.1', '--config', 'x.yaml']);
    expect(both.stderr).toBe('headroom: give either -h/-S (one server) or a URL or --config, not both\n');
    const doctor = await headroom(['doctor', '-h', '127.0.0.1', '-P', String(server.port), '-u', 'root']);
    expect(doctor.stdout).toContain('127.0.0.1');
  });
});

describe('--verbose', () => {
  it('prints every statement sent, with the shard, on stderr; stdout is unchanged', async () => {
    const quiet = await headroom(['scan', '-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '--format', 'json', '--fail-on', 'never', '--quiet']);
    const loud = await headroom(['scan', '-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '--format', 'json', '--fail-on', 'never', '--quiet', '--verbose']);
    const lines = loud.stderr.trim().split('\n');
    expect(lines.every((l) => l.startsWith(`headroom: [127.0.0.1:${server.port}] `))).toBe(true);
    expect(lines.some((l) => /SET SESSION TRANSACTION READ ONLY/i.test(l))).toBe(true);
    expect(lines.some((l) => /from `information_schema`\.`TABLES`/i.test(l))).toBe(true);
    expect(JSON.parse(loud.stdout).findings).toEqual(JSON.parse(quiet.stdout).findings);
  });
});
