/**
 * The option-file reader against the reference: MariaDB's own `my_print_defaults` (installed
 * with the server the integration tests need) prints what the stock client reads from a file.
 * Every case here must read the same with headroom's reader, byte for byte.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptions, readOptionFile } from '../../src/connect/option-file.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-optfile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

/** What my_print_defaults prints for one group, or null when it refuses the file. */
function reference(path: string, group: string): string | null {
  const r = spawnSync('my_print_defaults', [`--defaults-file=${path}`, group], { encoding: 'utf8', cwd: dir });
  if (r.error) throw new Error(`my_print_defaults is needed for this test (it comes with MariaDB): ${r.error.message}`);
  return r.status === 0 ? r.stdout : null;
}

/** The same from headroom's reader. */
function ours(path: string, group: string): string | null {
  try {
    const f = readOptionFile(path);
    return (f.groups.get(group) ?? []).map((e) => `--${e.key}${e.value === null ? '' : `=${e.value}`}\n`).join('');
  } catch (e) {
    if (e instanceof UsageError) return null;
    throw e;
  }
}

const CASES: [string, string][] = [
  ['plain', '[client]\nuser=headroom\npassword=secret\nport=3307\n'],
  ['spaces around = and at the ends', '[client]\n  user   =   a b  \n\thost\t=\tdb1\t\n'],
  ['a ; inside a value is not a comment', '[client]\npassword=ab;cd\npassword2 = value ; still value\n'],
  ['# ends an unquoted value', '[client]\npassword=ab#cd\nuser = x # comment\n'],
  ['# inside quotes is kept', '[client]\npassword="a#b" # comment\np2=\'c#d\'\np3="x" # c "y"\n'],
  ['quotes are removed only when they match', '[client]\np1="abc"\np2=\'abc\'\np3="abc\np4="abc" trailing\np5="\np6=""\np7="a\'\n'],
  ['escapes', '[client]\np1=a\\nb\np2=a\\tb\np3=a\\sb\np4=a\\\\b\np5="a\\"b"\np6=\'a\\\'b\'\np7=a\\x\np8=trailing\\\np9=\\r\\b\n'],
  ['escapes inside quotes', '[client]\np1="a\\sb"\np2=\'a\\\\sb\'\n'],
  ['values that look like other types', "[client]\np1='123'\np2=null\np3=true\np4=1e3\n"],
  ['bare keys and empty values', '[client]\nskip-ssl\nssl\npassword=\n'],
  ['comment lines', '# top\n; also top\n[client]\n  # indented\n\t; indented\nuser=a\n'],
  ['group names: case-insensitive, a leading space is part of the name', '[CLIENT]\nuser=upper\n[ client ]\nuser=spaced\n[client] # c\nport=1\n[client ]\nhost=h\n'],
  ['other groups are ignored', '[mysqld]\nport=1\n[client]\nuser=a\n[mysqldump]\nuser=b\n[client]\nhost=c\n'],
  ['an option before any group', 'user=a\n[client]\n'],
  ['a group line without ]', '[client\nuser=a\n'],
  ['!include without a path', '[client]\n!include\n'],
  ['unknown directives are skipped', '[client]\n!something else\nuser=a\n'],
  ['CRLF line ends', '[client]\r\nuser=a\r\npassword="b c"\r\n'],
  ['a key with spaces', '[client]\nmy key = v\n'],
  ['an empty file', ''],
];

describe('option files read as MariaDB reads them (my_print_defaults)', () => {
  it.each(CASES)('%s', (name, text) => {
    const path = write(`${name.replace(/\W+/g, '-')}.cnf`, text);
    expect(ours(path, 'client')).toBe(reference(path, 'client'));
  });

  it('follows !include and !includedir (.cnf files, in name order)', () => {
    mkdirSync(join(dir, 'conf.d'), { recursive: true });
    write('conf.d/b.cnf', '[client]\nuser=from-b\n');
    write('conf.d/a.cnf', '[client]\nuser=from-a\nhost=a\n');
    write('conf.d/ignored.txt', '[client]\nuser=never\n');
    write('inc.cnf', '[client]\nport=9\n');
    const top = write('top.cnf', `[client]\nuser=top\n!include ${join(dir, 'inc.cnf')}\n!includedir ${join(dir, 'conf.d')}\npassword=last\n`);
    expect(ours(top, 'client')).toBe(reference(top, 'client'));
    // Relative to the current directory, as MariaDB does.
    const rel = write('rel.cnf', '[client]\n!include inc.cnf\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(ours(rel, 'client')).toBe(reference(rel, 'client'));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('stricter than MariaDB, so a credential is never dropped silently', () => {
  const err = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it('an !include of a missing file is an error naming file and line', () => {
    const p = write('missing-inc.cnf', '[client]\nuser=a\n!include /nonexistent/x.cnf\n');
    expect(err(() => readOptionFile(p))).toBe(`${p}:3: !include /nonexistent/x.cnf: no such file`);
  });

  it('an include loop stops at 10 levels', () => {
    const p = join(dir, 'loop.cnf');
    write('loop.cnf', `[client]\n!include ${p}\n`);
    expect(err(() => readOptionFile(p))).toMatch(/loop\.cnf:2: !include nested more than 10 deep \(an include loop\?\)$/);
  });

  it('a world-writable file is refused, as the stock clients ignore it', () => {
    const p = write('ww.cnf', '[client]\npassword=x\n', 0o666);
    expect(err(() => readOptionFile(p))).toMatch(/world-writable/);
  });

  it('a missing file, a directory', () => {
    expect(err(() => readOptionFile(join(dir, 'nope.cnf')))).toMatch(/nope\.cnf: cannot read option file: no such file$/);
    expect(err(() => readOptionFile(dir))).toMatch(/cannot read option file: is a directory$/);
  });

  it('option and group errors name the line', () => {
    expect(err(() => readOptionFile(write('og.cnf', '\n\nuser=a\n')))).toMatch(/og\.cnf:3: an option before any \[group\] line/);
    expect(err(() => readOptionFile(write('gl.cnf', '[client]\n[client\n')))).toMatch(/gl\.cnf:2: a group line without "\]"/);
  });
});

describe('clientOptions: what headroom takes from [client] and [headroom]', () => {
  const opts = (text: string) => clientOptions(readOptionFile(write('c.cnf', text)));

  it('user, password, host, port, socket; [headroom] after [client]; later lines win', () => {
    const c = opts('[client]\nuser=a\npassword="p w#1"\nhost=h\nport=3307\nsocket=/s\n[headroom]\nuser=b\n[client]\nport=3308\n');
    expect(c).toMatchObject({ user: 'b', host: 'h', port: 3308, socket: '/s' });
    expect(c.password!.reveal()).toBe('p w#1');
    expect(inspect(c)).not.toContain('p w#1');
    expect(JSON.stringify(c)).not.toContain('p w#1');
  });

  it('accepts _ for - and a loose- prefix', () => {
    expect(opts('[client]\nloose-ssl_ca=/ca.pem\n').ssl).toMatchObject({ mode: 'verify-identity', ca: '/ca.pem' });
  });

  it.each([
    ['ssl-mode=REQUIRED', 'required'],
    ['ssl-mode=verify_ca\nssl-ca=/ca', 'verify-ca'],
    ['ssl-mode=VERIFY_IDENTITY', 'verify-identity'],
    ['ssl-mode=DISABLED\nssl-ca=/ca', 'disabled'],
    ['ssl', 'required'],
    ['ssl=1\nssl-verify-server-cert', 'verify-identity'],
    ['ssl-ca=/ca', 'verify-identity'],
    ['ssl-cert=/c\nssl-key=/k', 'required'],
    ['skip-ssl\nssl-ca=/ca', 'disabled'],
    ['ssl=0', 'disabled'],
  ])('TLS from %j → %s', (lines, mode) => {
    expect(opts(`[client]\n${lines}\n`).ssl?.mode).toBe(mode);
  });

  it('no TLS line: no TLS', () => {
    expect(opts('[client]\nuser=a\n').ssl).toBeUndefined();
  });

  it.each([
    ['password', /c\.cnf:2: password without a value asks for a prompt/],
    ['port=abc', /c\.cnf:2: port: expected a whole number from 1 to 65535, got "abc"/],
    ['port=70000', /port: expected a whole number/],
    ['user', /c\.cnf:2: user needs a value/],
    ['ssl-mode=PREFERRED', /ssl-mode=PREFERRED .* is not supported/],
    ['ssl-mode=sometimes', /ssl-mode: expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, got "SOMETIMES"/],
    ['ssl=maybe', /ssl: expected 0 or 1/],
    ['ssl-ca=', /ssl-ca is empty/],
  ])('refuses %j', (line, message) => {
    let caught: unknown;
    try {
      opts(`[client]\n${line}\n`);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
  });

  it('my_print_defaults is there (the reference for the cases above)', () => {
    expect(execFileSync('my_print_defaults', ['--help'], { encoding: 'utf8' })).toMatch(/my_print_defaults/);
  });
});
