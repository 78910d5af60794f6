#!/usr/bin/env node
// Launcher: runs the bundled CLI (built by `npm install` through the `prepare` script; scripts/bundle.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/headroom.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('headroom: not built yet: run `npm install` (or `npm run build`) in the headroom checkout\n');
  process.exit(2);
}
await import(cli.href);
