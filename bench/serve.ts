/**
 * Start the bench fleet and keep it running, for profiling by hand:
 *
 *   npx tsx bench/serve.ts [servers] [databases] [tables]    # default 4 250 30
 *
 * Writes `fleet.yaml` into a temp dir (printed), then waits; Ctrl-C stops the servers.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFleet } from '../test/support/mariadb.js';
import { buildFleet, SERVER_ARGS } from './fleet.js';

const [servers = 4, databases = 250, tables = 30] = process.argv.slice(2).map(Number);
const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'headroom-serve-'));
const fleet = await startFleet(servers, { namePrefix: 'shard', extraArgs: SERVER_ARGS });
const stop = async () => {
  await Promise.all(fleet.map((s) => s.stop()));
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const built = await buildFleet(fleet, { servers, databases, tables });
const yaml = path.join(dir, 'fleet.yaml');
await fsp.writeFile(
  yaml,
  ['shards:', ...fleet.map((s) => `  - { name: ${s.name}, host: ${s.host}, port: ${s.port} }`), 'defaults:', '  user: root', '  concurrency: 4', '  timeoutSeconds: 120', `  shardConcurrency: ${Math.max(8, servers)}`, ''].join('\n'),
);
console.log(`${servers} × ${databases} × ${tables} built in ${built.seconds.toFixed(1)} s; config: ${yaml}`);
setInterval(() => {}, 1 << 30);
