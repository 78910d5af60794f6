/**
 * Runbooks rendered from the demo snapshot (real servers' catalog): every section
 * present and non-empty in every runbook, and golden files for representative cases.
 * Regenerate goldens with UPDATE_GOLDEN=1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadInventory, loadSnapshot, runChecks } from '../../src/index.js';
import { planWidenings } from '../../src/plan/plan.js';
import { attachRunbookLinks, renderIndex, renderRunbooks, runbookFileName, findingsAbout } from '../../src/runbook/runbook.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECTIONS = ['1. Summary', '2. Dependencies', '3. Pre-checks', '4. Steps', '5. Verify', '6. Application', '7. Abort and roll back', '8. If you are out of time'];

async function demo(policy: Record<string, unknown> = {}) {
  // Relative to the project root (vitest's cwd): the path appears in evidence, and goldens must not depend on the checkout's location.
  const inv = await loadInventory('fixtures/demo.yaml', {});
  Object.assign(inv.policy, policy);
  const snapshot = await loadSnapshot(`${root}fixtures/demo-fleet.json`);
  const report = runChecks(snapshot, inv);
  const connections = new Map(inv.shards.map((s) => [s.name, { host: `${s.name}.db.internal`, port: 3306, user: 'headroom' }]));
  const plan = planWidenings(report.findings, snapshot, inv, { policy: inv.policy, connections });
  const files = renderRunbooks(plan, { findings: report.findings, policy: inv.policy, scanCommand: 'headroom scan --config headroom.yaml', connections });
  return { report, plan, files };
}

function sections(md: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = md.split(/^## /m).slice(1);
  for (const p of parts) {
    const nl = p.indexOf('\n');
    out.set(p.slice(0, nl).replace(/ —.*$/, '').trim(), p.slice(nl + 1).trim());
  }
  return out;
}

function golden(name: string, text: string): void {
  const path = `${root}test/unit/golden/${name}`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
  expect(existsSync(path), `${path} missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('runbooks', () => {
  it('every runbook has every section, each non-empty', async () => {
    const { files } = await demo();
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const s = sections(f.content);
      for (const name of SECTIONS) {
        expect(s.get(name), `${f.path}: section ${name}`).toBeTruthy();
      }
    }
  });

  it('file names are stable and derived from shard/database/table.column', () => {
    expect(runbookFileName('shard-a/ws_a041/message_threads.id')).toBe('shard-a__ws_a041__message_threads.id.md');
  });

  it('scan findings link to their group runbook, or to runbookBaseUrl', async () => {
    const { report } = await demo();
    const linked = attachRunbookLinks(report);
    const f = linked.findings.find((x) => x.id === 'fk-capacity:shard-a/ws_a041/conversation_parts.message_thread_id')!;
    expect(f.runbook).toBe('runbooks/shard-a__ws_a041__message_threads.id.md');
    expect(attachRunbookLinks(report, 'https://wiki/runbooks/').findings[0]!.runbook).toMatch(/^https:\/\/wiki\/runbooks\/[^/]+\.md$/);
  });

  it('--only keeps findings about the column or the key it references', async () => {
    const { report } = await demo();
    const only = findingsAbout(report, 'ws_a041.message_threads.id');
    expect(only.findings.length).toBeGreaterThan(0);
    expect(only.findings.every((f) => f.references?.table === 'message_threads')).toBe(true);
  });

  it('golden: pt-online-schema-change with a declared FK (categories.id)', async () => {
    const { files } = await demo();
    golden('runbook-ptosc-declared.md', files.find((f) => f.groupId === 'shard-a/ws_a041/categories.id')!.content);
  });

  it('golden: inferred and configured references to a BIGINT key (message_threads.id)', async () => {
    const { files } = await demo();
    golden('runbook-inferred.md', files.find((f) => f.groupId === 'shard-a/ws_a041/message_threads.id')!.content);
  });

  it('golden: direct ALTER under policy.directAlter (people.id)', async () => {
    const { files } = await demo({ directAlter: { maxRows: 100000n, maxBytes: 0n, maxConcurrentPerShard: 1 } });
    const f = files.find((x) => x.groupId === 'shard-a/ws_a041/people.id')!;
    expect(f.content).toContain('ALGORITHM=COPY, LOCK=SHARED');
    golden('runbook-direct.md', f.content);
  });

  it('index lists every runbook, worst first', async () => {
    const { plan, report, files } = await demo();
    const index = renderIndex(plan, report.findings);
    for (const f of files) expect(index).toContain(f.path);
    const firstRow = index.split('\n').find((l) => l.startsWith('| critical') || l.startsWith('| warning'));
    expect(firstRow).toMatch(/^\| critical/);
  });
});
