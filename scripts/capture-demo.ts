/**
 * Captures fixtures/demo-fleet.json from real servers (never typed by hand):
 * starts three throwaway MariaDB servers, loads fixtures/sql/*.sql into many
 * tenant databases, snapshots them with headroom's own collector, stops them.
 *
 *   npm run capture-demo
 */
import { writeFile } from 'node:fs/promises';
import { collectSnapshot, loadInventory, serializeSnapshot } from '../src/index.js';
import { loadPlacements, names, type Placement } from '../test/support/fixtures.js';
import { startFleet } from '../test/support/mariadb.js';

const LAYOUT: Record<string, Placement[]> = {
  'shard-a': [
    { file: 'tenant.sql', databases: names('ws_a', 40) },
    { file: 'hot-tenant.sql', databases: ['ws_a041', 'ws_a042'] },
    { file: 'archive.sql', databases: ['ws_archive_2019'] },
  ],
  'shard-b': [
    { file: 'tenant.sql', databases: names('ws_b', 40) },
    { file: 'hot-tenant.sql', databases: ['ws_b041'] },
    { file: 'cross-db.sql', databases: ['ws_billing'] },
  ],
  'shard-c': [{ file: 'tenant.sql', databases: names('ws_c', 40) }],
};

const out = new URL('../fixtures/demo-fleet.json', import.meta.url);
const template = await loadInventory(new URL('../fixtures/demo.yaml', import.meta.url).pathname, {});
const servers = await startFleet(3, { namePrefix: 'demo' });
try {
  const shardNames = Object.keys(LAYOUT);
  await Promise.all(servers.map((s, i) => loadPlacements(s, LAYOUT[shardNames[i]!]!)));
  const inventory = {
    ...template,
    shards: template.shards.map((shard, i) => ({ ...shard, host: '127.0.0.1', user: 'root', port: servers[i]!.port })),
  };
  const snapshot = await collectSnapshot(inventory);
  if (snapshot.errors.length) throw new Error(`capture failed: ${JSON.stringify(snapshot.errors)}`);
  await writeFile(out, serializeSnapshot(snapshot));
  const tables = snapshot.shards.reduce((n, s) => n + s.databases.reduce((m, d) => m + d.tables.length, 0), 0);
  process.stdout.write(`wrote ${out.pathname}: ${snapshot.shards.length} shards, ${tables} tables\n`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
