/**
 * The inventory's `rails:` block and `--rails PATH`: which Rails apps to read, and which databases
 * each app's models apply to.
 *
 *   rails: { root: ../app, databases: ["mk_*"] }
 *   rails:                                   # several apps sharing a fleet
 *     - { root: ../marketplace, databases: ["mk_*"] }
 *     - { root: ../billing, databases: [billing] }
 *   rails: ../app                            # root only: every database
 *
 * Reading the apps (loadRails) is I/O; parsing the block is pure.
 */
import { resolve } from 'node:path';
import type { CheckConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { readRailsApp } from './app.js';
import type { RailsConfig } from './types.js';

interface Helpers {
  fail: (field: string, why: string) => Error;
  string: (value: unknown, field: string) => string;
  /** A path, resolved against the config file's directory. */
  path: (value: unknown, field: string) => string;
}

export function parseRailsConfig(value: unknown, file: string, h: Helpers): RailsConfig[] {
  const list = Array.isArray(value) ? value : [value];
  const field = (i: number) => (Array.isArray(value) ? `rails[${i}]` : 'rails');
  if (list.length === 0) throw h.fail('rails', 'is an empty list; give { root: path/to/app } or leave it out');
  return list.map((item, i) => {
    const f = field(i);
    if (typeof item === 'string') return { root: h.path(item, f), label: item, databases: [], from: `${file} ${f}` };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw h.fail(f, 'expected a mapping { root: path/to/app, databases: [globs] } or the app\'s path');
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'root' && k !== 'databases') throw h.fail(`${f}.${k}`, `unknown key${k === 'path' || k === 'dir' ? ' (did you mean "root"?)' : ''}; allowed: root, databases`);
    if (o.root === undefined) throw h.fail(`${f}.root`, "missing: the Rails app's root (the directory holding app/models)");
    const label = h.string(o.root, `${f}.root`);
    let databases: string[] = [];
    if (o.databases !== undefined) {
      if (!Array.isArray(o.databases)) throw h.fail(`${f}.databases`, 'expected a list of database globs');
      databases = o.databases.map((d, j) => h.string(d, `${f}.databases[${j}]`));
    }
    return { root: h.path(o.root, `${f}.root`), label, databases, from: `${file} ${f}` };
  });
}

/** `--rails PATH…` (every database), relative to the current directory. */
export function railsFromOption(paths: readonly string[], cwd = process.cwd()): RailsConfig[] {
  return paths.map((p) => ({ root: resolve(cwd, p), label: p, databases: [], from: '--rails' }));
}

/** Read every app not read yet (each once, in parallel). */
export async function loadRails(configs: RailsConfig[]): Promise<RailsConfig[]> {
  const byRoot = new Map<string, ReturnType<typeof readRailsApp>>();
  return Promise.all(
    configs.map(async (c) => {
      if (c.models) return c;
      let read = byRoot.get(c.root);
      if (!read) byRoot.set(c.root, (read = readRailsApp(c.root, c.label)));
      try {
        return { ...c, models: await read };
      } catch (e) {
        // From the config: name the file and the field (`headroom.yaml: rails[0].root: …`).
        const at = /^(.*) (rails(?:\[\d+\])?)$/.exec(c.from);
        if (e instanceof UsageError && at) throw new UsageError(`${at[1]}: ${at[2]}.root: ${e.message}`);
        throw e;
      }
    }),
  );
}

/**
 * `config` with the apps of `--rails` (they replace the config's `rails:` block), read. The same
 * object back when there is nothing to add, so resolved relationships stay cached by it.
 */
export async function withRails<T extends CheckConfig>(config: T, paths: readonly string[] | undefined): Promise<T> {
  if (!paths || paths.length === 0) return config;
  return { ...config, rails: await loadRails(railsFromOption(paths)) };
}
