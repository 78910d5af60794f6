/**
 * Creating output directories without `mkdir -p`'s failure modes. Node's recursive mkdir loops
 * forever under /proc (ENOENT retried: `runbook --out /proc/runbooks` spun at 80% CPU), and says
 * EEXIST for a path that is a file. Here each missing part is made on its own, so every failure is
 * one errno with a plain meaning.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      const s = await stat(at);
      if (!s.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: missing.length ? 'ENOTDIR' : 'EEXIST' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const up = dirname(at);
      if (up === at) throw e;
      missing.unshift(at);
      at = up;
    }
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
