/**
 * --out: written beside its name and renamed at the end (never half a file), and a path that
 * cannot be written is one line and exit 2. On the demo snapshot: no server needed.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';

const fixture = (f: string) => new URL(`../../fixtures/${f}`, import.meta.url).pathname;
const source = ['--snapshot', fixture('demo-fleet.json'), '--config', fixture('demo.yaml')];

function io(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false, out: () => out.join(''), err: () => err.join('') };
}

describe('scan --format json --out', () => {
  it('writes the same text as stdout, in pieces, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-out-'));
    const toStdout = io();
    expect(await main(['scan', ...source, '--format', 'json'], toStdout)).toBe(1);
    const toFile = io();
    expect(await main(['scan', ...source, '--format', 'json', '--out', join(dir, 'report.json')], toFile)).toBe(1);
    expect(toFile.out()).toBe('');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(toStdout.out());
    expect(JSON.parse(toStdout.out()).findings.length).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('a path that cannot be written: one line naming it, exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-out-'));
    const target = join(dir, 'no', 'such', 'dir', 'report.json');
    const r = io();
    expect(await main(['scan', ...source, '--format', 'json', '--out', target], r)).toBe(2);
    expect(r.err()).toBe(`headroom: ${target}: cannot write: no such file\n`);
    expect(r.out()).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });
});
