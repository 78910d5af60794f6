#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const cli = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('headroom: not built yet: run `npm install` (or `npm run build`) in the headroom checkout\n');
  process.exit(2);
}
// `scan` and `snapshot` stream hundreds of thousands of catalog rows: short-lived garbage on top of a
// small live set (the servers being read). V8's default lets the heap grow to 2-4x the live set
// between full collections; 1.2x keeps their peak RSS near what they hold (measured:
// docs/scan-cost.md, "What headroom holds"). Commands that load a whole snapshot (plan, report)
// keep V8's default: for them the extra collections cost more time than the memory is worth.
// A --heap-growing-percent given in NODE_OPTIONS or on the command line wins.
const streaming = ['scan', 'snapshot'].includes(process.argv[2] ?? '');
if (streaming && ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'))) {
  v8.setFlagsFromString('--heap-growing-percent=20');
}
await import(cli.href);
