/**
 * passwordCommand: stdout is the password (trailing newlines dropped); every failure is one line
 * naming the field, never what the command printed; a timeout ends the whole process group.
 */
import { describe, expect, it } from 'vitest';
import { Credentials, CredentialError, runPasswordCommand } from '../../src/connect/credentials.js';
import type { ShardConfig } from '../../src/config/types.js';
import { Secret } from '../../src/config/types.js';

const SECRET = 'Zq9-cmd-secret';
const sh = (text: string) => ({ argv: ['/bin/sh', '-c', text], from: 'shards[0].passwordCommand' });

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CredentialError);
    return (e as Error).message;
  }
  throw new Error('expected a CredentialError');
}

describe('runPasswordCommand', () => {
  it('uses stdout, without trailing newlines; spaces inside are kept', async () => {
    expect((await runPasswordCommand(sh(`printf '%s\\r\\n\\n' '${SECRET} x'`), 5)).reveal()).toBe(`${SECRET} x`);
    expect((await runPasswordCommand({ argv: ['printf', '%s', SECRET], from: 'f' }, 5)).reveal()).toBe(SECRET);
  });

  it('never puts what the command printed in the error', async () => {
    const m = await failure(runPasswordCommand(sh(`echo ${SECRET}; echo ${SECRET}-err >&2; exit 4`), 5));
    expect(m).toBe('shards[0].passwordCommand: exited with code 4 (its output is not shown)');
  });

  it('nothing printed, not found, killed', async () => {
    expect(await failure(runPasswordCommand(sh('true'), 5))).toBe('shards[0].passwordCommand: printed nothing on stdout; expected the password (its output is not shown)');
    expect(await failure(runPasswordCommand({ argv: ['/nonexistent/vault'], from: 'defaults.passwordCommand' }, 5))).toBe(
      'defaults.passwordCommand: cannot run "/nonexistent/vault": not found (its output is not shown)',
    );
    expect(await failure(runPasswordCommand(sh('kill -TERM $$'), 5))).toMatch(/was killed by SIGTERM/);
  });

  it('a timeout ends the command and what it started, promptly', async () => {
    const started = Date.now();
    // The background sleep keeps stdout open: only killing the process group ends it.
    const m = await failure(runPasswordCommand(sh('sleep 30 & sleep 30; echo late'), 1));
    expect(m).toBe('shards[0].passwordCommand: did not finish within 1s (timeoutSeconds) (its output is not shown)');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('refuses a flood (a file, not a password)', async () => {
    expect(await failure(runPasswordCommand(sh('head -c 200000 /dev/zero'), 5))).toMatch(/printed more than 64 KiB/);
  });
});

describe('Credentials', () => {
  const shard = (argv: string[]): ShardConfig => ({
    name: 's',
    host: 'h',
    port: 3306,
    user: 'u',
    password: new Secret(''),
    databases: [],
    exclude: [],
    concurrency: 1,
    timeoutSeconds: 5,
    passwordCommand: { argv, from: 'defaults.passwordCommand' },
  });

  it('runs a command once for all shards that share it, within a few minutes', async () => {
    let t = 0;
    const c = new Credentials(() => t);
    const cmd = ['/bin/sh', '-c', 'printf pw'];
    const a = await c.password(shard(cmd));
    const b = await c.password(shard(cmd));
    expect(a.reveal()).toBe('pw');
    expect(b).toBe(a);
    t += 6 * 60_000;
    expect(await c.password(shard(cmd))).not.toBe(a);
  });

  it('a literal password needs no command', async () => {
    const c = new Credentials();
    const s = { ...shard(['x']), passwordCommand: undefined, password: new Secret(SECRET) } as ShardConfig;
    delete (s as { passwordCommand?: unknown }).passwordCommand;
    expect((await c.password(s)).reveal()).toBe(SECRET);
  });

  it('a failure is not cached', async () => {
    const c = new Credentials();
    await expect(c.password(shard(['/bin/sh', '-c', 'exit 1']))).rejects.toThrow(CredentialError);
    await expect(c.password(shard(['/bin/sh', '-c', 'exit 1']))).rejects.toThrow(/exited with code 1/);
  });
});
