/**
 * A file's path relative to the root of the repository it is in (the nearest directory upward
 * holding `.git`, a directory or a worktree's file), `/`-separated: what SARIF's
 * `artifactLocation.uri` and GitHub's `::error file=` need to land on the pull request's diff.
 * Outside a repository: relative to the working directory.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

export function repoRelativePath(file: string, cwd: string = process.cwd()): string {
  const abs = resolve(cwd, file);
  let dir = dirname(abs);
  for (;;) {
    if (existsSync(resolve(dir, '.git'))) return toSlashes(relative(dir, abs));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return toSlashes(relative(cwd, abs));
}

function toSlashes(p: string): string {
  return p.split(sep).join('/');
}
