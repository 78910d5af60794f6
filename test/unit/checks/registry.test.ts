/**
 * One check = one file + one doc + one test, registered in an explicit list; ids are public API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/checks/registry.js';

const root = new URL('../../../', import.meta.url);
const exists = (p: string) => existsSync(new URL(p, root));

describe('check registry', () => {
  it('ids are unique kebab-case', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it.each(CHECKS.map((c) => c.id))('%s has its source file, its doc page and its own unit test', (id) => {
    expect(exists(`src/checks/${id}.ts`), `src/checks/${id}.ts`).toBe(true);
    expect(exists(`docs/checks/${id}.md`), `docs/checks/${id}.md`).toBe(true);
    expect(exists(`test/unit/checks/${id}.test.ts`), `test/unit/checks/${id}.test.ts`).toBe(true);
    expect(readFileSync(new URL(`docs/checks/${id}.md`, root), 'utf8').startsWith(`# ${id}\n`)).toBe(true);
  });
});
