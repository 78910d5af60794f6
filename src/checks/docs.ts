/**
 * Edge I/O: the check doc pages (`docs/checks/<id>.md`) shipped with the package, for reporters
 * that embed them (SARIF rule help). Reporters stay pure: the CLI reads, then passes the texts in.
 */
import { readFile } from 'node:fs/promises';
import { CHECKS } from './registry.js';
import type { Check } from './types.js';

/**
 * I/O, for the CLI: the text of `docs/checks/<id>.md` for each check, from the docs shipped
 * with the package. A missing page is left out (the rule's help falls back to the summary).
 */
export async function readCheckDocs(
  checks: readonly Pick<Check, 'id'>[] = CHECKS,
  dir: URL | string = new URL('../../docs/checks/', import.meta.url),
): Promise<Record<string, string>> {
  const docs: Record<string, string> = {};
  for (const c of checks) {
    const file = typeof dir === 'string' ? `${dir.replace(/\/?$/, '/')}${c.id}.md` : new URL(`${c.id}.md`, dir);
    try {
      docs[c.id] = await readFile(file, 'utf8');
    } catch {
      // No page for this check: its summary is the help.
    }
  }
  return docs;
}
