/**
 * Commands that connect to no shard never ask for shard secrets: `history import --config` with
 * `password: ${HEADROOM_PASSWORD}` unset works, while the history: block itself stays strict.
 * (lint --config and offsets --config are covered with a real server in test/integration.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { loadInventory } from '../../src/config/inventory.js';

const fixture = (f: string) => new URL(`../../fixtures/${f}`, import.meta.url).pathname;

function io(env: Record<string, string> = {}): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env, stdoutIsTTY: false, stderrIsTTY: false, out: () => out.join(''), err: () => err.join('') };
}

const SHARDS = 'shards:\n  - { name: shard-a, host: 10.0.0.1 }\ndefaults:\n  user: headroom\n  password: ${HEADROOM_PASSWORD}\n';

describe('no shard, no shard secrets', () => {
  it('history import --config: HEADROOM_PASSWORD unset is fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-secrets-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(cfg, `${SHARDS}history: { dir: ${join(dir, 'hist')} }\n`);
    const r = io();
    expect(await main(['history', 'import', fixture('demo-fleet.json'), '--config', cfg], r)).toBe(0);
    expect(r.err()).toBe('');
    expect(r.out()).toMatch(/demo-fleet\.json: snapshot taken at .*: \d+ counters/);
  });

  it('the history: block is still read strictly (its own secret must be set)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-secrets-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(cfg, `${SHARDS}history: { url: "mysql://h:\${HISTORY_PW}@127.0.0.1:1/ops" }\n`);
    const r = io();
    expect(await main(['history', 'import', fixture('demo-fleet.json'), '--config', cfg], r)).toBe(2);
    expect(r.err()).toBe(`headroom: ${cfg}: history.url: environment variable HISTORY_PW is not set\n`);
    await expect(loadInventory(cfg, { HISTORY_PW: 'x' }, { shardsOffline: true })).resolves.toBeDefined();
  });

  it('a command that connects to the shards still needs the secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-secrets-'));
    const cfg = join(dir, 'headroom.yaml');
    writeFileSync(cfg, SHARDS);
    const r = io();
    expect(await main(['scan', '--config', cfg, '--no-defaults'], r)).toBe(2);
    expect(r.err()).toBe(`headroom: ${cfg}: defaults.password: environment variable HEADROOM_PASSWORD is not set\n`);
  });
});
