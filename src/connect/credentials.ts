/**
 * Passwords that are not in the config: `passwordCommand` runs at connect time (a secrets
 * manager, a cloud IAM token generator); its stdout is the password. Nothing it prints is ever
 * logged or put in an error, stdout or stderr.
 */
import { spawn } from 'node:child_process';
import type { PasswordCommand, ShardConfig } from '../config/types.js';
import { Secret } from '../config/types.js';
import { fileErrorText } from '../errors.js';

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

/** At most this much stdout is accepted (a password or token, not a file). */
const MAX_OUTPUT = 64 * 1024;
/**
 * A command's answer is reused for this long by shards that share the same command (usually
 * `defaults.passwordCommand`). Cloud IAM tokens live 15 minutes: reuse stays well inside that.
 */
const REUSE_MS = 5 * 60_000;

export class Credentials {
  readonly #cache = new Map<string, { at: number; value: Promise<Secret> }>();
  constructor(private readonly now: () => number = Date.now) {}

  /** The password to use for this shard (runs its command if it has one). */
  async password(shard: ShardConfig): Promise<Secret> {
    if (!shard.passwordCommand) return shard.password;
    const cmd = shard.passwordCommand;
    const key = JSON.stringify(cmd.argv);
    const hit = this.#cache.get(key);
    if (hit && this.now() - hit.at < REUSE_MS) return hit.value;
    const value = runPasswordCommand(cmd, shard.timeoutSeconds);
    this.#cache.set(key, { at: this.now(), value });
    value.catch(() => this.#cache.delete(key));
    return value;
  }
}

/**
 * Run the command, return its stdout without the trailing newline. Errors say what failed, never
 * what it printed. The command runs in its own process group, so a timeout also ends whatever it
 * started (a `sh -c` pipeline must not keep the answer pipe open).
 */
export function runPasswordCommand(cmd: PasswordCommand, timeoutSeconds: number): Promise<Secret> {
  const [file, ...args] = cmd.argv;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new CredentialError(`${cmd.from}: ${why} (its output is not shown)`));
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true, windowsHide: true });
    } catch (e) {
      fail(`cannot run "${file}": ${fileErrorText(e)}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let why: string | undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      why ??= `did not finish within ${timeoutSeconds}s (timeoutSeconds)`;
      killGroup();
    }, timeoutSeconds * 1000);
    child.stdout!.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_OUTPUT) {
        why ??= `printed more than ${MAX_OUTPUT / 1024} KiB; expected just the password`;
        killGroup();
      } else {
        chunks.push(b);
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code === 'ENOENT' ? `cannot run "${file}": not found` : e.code === 'EACCES' ? `cannot run "${file}": permission denied` : `cannot run "${file}": ${e.code ?? e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (why) return fail(why);
      if (signal) return fail(`was killed by ${signal}`);
      if (code !== 0) return fail(`exited with code ${code}`);
      const password = Buffer.concat(chunks).toString('utf8').replace(/(\r?\n)+$/, '');
      if (password === '') return fail('printed nothing on stdout; expected the password');
      resolve(new Secret(password));
    });
  });
}
