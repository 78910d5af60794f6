// Bundles the CLI into one file (dist/cli/headroom.mjs) for `bin/headroom.js`.
// Why: loading ~600 ES modules (kysely alone is hundreds) cost each run 0.27 s of CPU and 75 MB
// of RSS before any work; one bundled file loads in 0.09 s and 60 MB (measured: docs/scan-cost.md).
// The library (`dist/index.js`) stays tsc's output. The bundle lives in dist/cli/ like the module it
// replaces, so paths resolved from import.meta.url (docs/checks/) stay the same.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/bin.js'],
  outfile: 'dist/cli/headroom.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some dependencies are CommonJS and call require(): give the ES module one.
  banner: { js: "import { createRequire as __headroomRequire } from 'node:module'; const require = __headroomRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
