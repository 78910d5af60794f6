/**
 * The Rails reader on real servers: fixtures/rails-app's schema (db/structure.sql) loaded into
 * tenant databases on two throwaway MariaDB servers, counters planted so that what is near its
 * limit is only seen through the models — INT columns that only a `belongs_to` links to a BIGINT
 * `people.id` past 2^31, a SMALLINT self-reference (`belongs_to :parent, class_name: "Category"`),
 * a polymorphic `comments.commentable_id` whose fullest candidate is past its max — plus an INT
 * key (`communities.id`) that is itself a candidate of the polymorphic pair.
 *
 * Asserted: the findings with their model evidence; that naming alone finds none of the
 * references; the plan's groups (the polymorphic id in every candidate key's group); the relation
 * warnings per shard; live and snapshot runs give the same bytes; and schema.rb describes the
 * same integer columns as the server read from structure.sql.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { loadInventory } from '../../src/config/inventory.js';
import { collectSnapshot } from '../../src/introspect/collect.js';
import type { Snapshot } from '../../src/model/types.js';
import { groupMembers, shardContext } from '../../src/plan/groups.js';
import { DEFAULT_POLICY } from '../../src/plan/policy.js';
import { loadRubyParser } from '../../src/rails/prism.js';
import { readSchemaRb } from '../../src/rails/schema-rb.js';
import { startFleet, type TestServer } from '../support/mariadb.js';

const APP = fileURLToPath(new URL('../../fixtures/rails-app/', import.meta.url));
const SHARDS = { 'shard-a': ['app_001', 'app_002'], 'shard-b': ['app_003'] } as const;
/** Where the counters are planted. */
const HOT = ['shard-a/app_002', 'shard-b/app_003'];
const PLANT = [
  'ALTER TABLE people AUTO_INCREMENT = 3000000001;',
  'ALTER TABLE listings AUTO_INCREMENT = 2000000001;',
  'ALTER TABLE categories AUTO_INCREMENT = 40001;',
  'ALTER TABLE communities AUTO_INCREMENT = 2000000001;',
].join('\n');

let servers: TestServer[];
let work: string;
let withRails: string;
let namingOnly: string;
let snapshotFile: string;

function capture(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

/** ISO-8601 instants (a report's takenAt: a live run's clock vs the snapshot's), as the differential test normalises them. */
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;
const normal = (text: string) => text.replace(ISO, '<time>');

async function run(args: string[]) {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function inventory(rails: boolean): string {
  const names = Object.keys(SHARDS);
  return [
    'shards:',
    ...servers.flatMap((s, i) => [`  - name: ${names[i]}`, '    host: 127.0.0.1', `    port: ${s.port}`]),
    'defaults:',
    '  user: root',
    '  databases: ["app_*"]',
    'policy:',
    '  migrationUser: migrator',
    ...(rails ? ['rails:', `  root: ${APP}`, '  databases: ["app_*"]'] : []),
    '',
  ].join('\n');
}

beforeAll(async () => {
  servers = await startFleet(2, { namePrefix: 'rails' });
  const ddl = readFileSync(join(APP, 'db/structure.sql'), 'utf8');
  await Promise.all(
    Object.entries(SHARDS).map(async ([name, dbs], i) => {
      const server = servers[i]!;
      await server.sql(dbs.map((db) => `CREATE DATABASE \`${db}\`;\nUSE \`${db}\`;\n${ddl}\n${HOT.includes(`${name}/${db}`) ? PLANT : ''}`).join('\n'));
    }),
  );
  work = mkdtempSync(join(tmpdir(), 'headroom-rails-'));
  withRails = join(work, 'headroom.yaml');
  namingOnly = join(work, 'naming.yaml');
  writeFileSync(withRails, inventory(true));
  writeFileSync(namingOnly, inventory(false));
  snapshotFile = join(work, 'fleet.json');
  const snap = await run(['snapshot', '--config', withRails, '--no-defaults', '--out', snapshotFile]);
  expect(snap.err).toBe('');
  expect(snap.code).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all((servers ?? []).map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

const HOT_FINDINGS = (where: string) => [
  `fk-capacity critical ${where}/categories.parent_id`,
  `fk-capacity critical ${where}/invitations.inviter_id`,
  `fk-capacity critical ${where}/listings.author_id`,
  `fk-capacity critical ${where}/listings.reviewer_id`,
  `fk-type-mismatch critical ${where}/categories.parent_id`,
  `fk-type-mismatch critical ${where}/invitations.inviter_id`,
  `fk-type-mismatch critical ${where}/listings.author_id`,
  `fk-type-mismatch critical ${where}/listings.reviewer_id`,
  `pk-capacity critical ${where}/communities.id`,
  `polymorphic-capacity critical ${where}/comments.commentable_id`,
];

describe('scan with the models (rails: in the inventory)', () => {
  it('finds every reference only the models declare, with the model line as evidence', async () => {
    const r = await run(['scan', '--config', withRails, '--no-defaults', '--format', 'json', '--fail-on', 'never']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const list = report.findings.map((f: { check: string; severity: string; shard: string; database: string; table: string; column: string }) => `${f.check} ${f.severity} ${f.shard}/${f.database}/${f.table}.${f.column}`).sort();
    expect(list).toEqual(
      [
        ...HOT_FINDINGS('shard-a/app_002'),
        ...HOT_FINDINGS('shard-b/app_003'),
        // The cold tenant: the type mismatches only the models reveal, and the polymorphic type part.
        'fk-type-mismatch warning shard-a/app_001/categories.parent_id',
        'fk-type-mismatch warning shard-a/app_001/invitations.inviter_id',
        'fk-type-mismatch warning shard-a/app_001/listings.author_id',
        'fk-type-mismatch warning shard-a/app_001/listings.reviewer_id',
        'polymorphic-capacity warning shard-a/app_001/comments.commentable_id',
      ].sort(),
    );
    const f = (id: string) => report.findings.find((x: { id: string }) => x.id === id);
    expect(f('fk-capacity:shard-a/app_002/categories.parent_id')).toMatchObject({
      current: 40000,
      max: 32767,
      references: { table: 'categories', column: 'id' },
      relationSource: 'model',
      evidence: 'app/models/category.rb:6 belongs_to :parent, class_name: "Category", optional: true',
    });
    expect(f('fk-capacity:shard-b/app_003/invitations.inviter_id')).toMatchObject({ current: 3000000000, relationSource: 'model', evidence: 'app/models/invitation.rb:3 belongs_to :inviter, class_name: "Person"' });
    expect(f('fk-capacity:shard-a/app_002/listings.reviewer_id').evidence).toBe('app/models/listing.rb:10 belongs_to :reviewer (with_options class_name: "Person", optional: true)');
    const poly = f('polymorphic-capacity:shard-a/app_002/comments.commentable_id');
    expect(poly).toMatchObject({ current: 3000000000, max: 2147483647, references: { table: 'people', column: 'id' }, relationSource: 'model', evidence: 'app/models/comment.rb:2 belongs_to :commentable, polymorphic: true' });
    expect(poly.candidates.map((c: { table: string; current: number }) => [c.table, c.current])).toEqual([
      ['people', 3000000000],
      ['communities', 2000000000],
      ['listings', 2000000000],
    ]);
    // What the models say that could not be measured, per shard where it is about the catalog.
    const warnings = report.relationWarnings.map((w: { file: string; line: number; shard?: string; message: string }) => `${w.file}:${w.line}${w.shard ? ` [${w.shard}]` : ''}`);
    expect(warnings).toEqual(['app/models/broken.rb:3', 'app/models/subscription.rb:4', 'app/models/subscription.rb:7', 'app/models/subscription.rb:10', 'app/models/ghost.rb:2 [shard-a]', 'app/models/ghost.rb:2 [shard-b]']);
    expect(report.relationWarnings[4].message).toBe('Ghost: table ghosts does not exist on shard shard-a (missing in all 2 databases); its references there are not measured');
  });

  it('naming inference alone misses all of them (the same fleet, no rails:)', async () => {
    const r = await run(['scan', '--config', namingOnly, '--no-defaults', '--format', 'json']);
    const report = JSON.parse(r.out);
    expect(report.findings.map((f: { id: string }) => f.id).sort()).toEqual(['pk-capacity:shard-a/app_002/communities.id', 'pk-capacity:shard-b/app_003/communities.id']);
    expect(report.relationWarnings).toBeUndefined();
    // --rails on the command line gives the same as rails: in the config (every database).
    const cli = await run(['scan', '--config', namingOnly, '--no-defaults', '--rails', APP, '--format', 'json', '--fail-on', 'never']);
    const withConfig = await run(['scan', '--config', withRails, '--no-defaults', '--format', 'json', '--fail-on', 'never']);
    expect(normal(cli.out)).toBe(normal(withConfig.out));
  });
});

describe('plan: the polymorphic id is a member of every candidate key\'s group', () => {
  it('each candidate key (people.id, listings.id, communities.id) has comments.commentable_id in its group; naming alone leaves it out', async () => {
    const config = await loadInventory(withRails, {}, { defaultsFile: false });
    const snap: Snapshot = await collectSnapshot(config, {});
    const shard = snap.shards.find((s) => s.name === 'shard-a')!;
    const ctx = shardContext(shard, config);
    for (const key of ['people', 'listings', 'communities']) {
      const members = groupMembers({ shard: 'shard-a', database: 'app_002', table: key, column: 'id' }, ctx, DEFAULT_POLICY)!;
      expect(members.find((m) => m.ref.table === 'comments' && m.ref.column === 'commentable_id'), key).toMatchObject({ source: 'model', needsChange: true, target: { dataType: 'bigint' } });
    }
    const naming = await loadInventory(namingOnly, {}, { defaultsFile: false });
    const plain = groupMembers({ shard: 'shard-a', database: 'app_002', table: 'communities', column: 'id' }, shardContext(shard, naming), DEFAULT_POLICY)!;
    expect(plain.some((m) => m.ref.column === 'commentable_id')).toBe(false);
  });

  it('the plan widens the model references and the polymorphic id with their keys', async () => {
    const r = await run(['plan', '--config', withRails, '--no-defaults', '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    const p = plan.plans.find((x: { shard: string; groups: string[] }) => x.shard === 'shard-a' && x.groups.includes('shard-a/app_002/people.id'));
    expect(p.groups.sort()).toEqual(['shard-a/app_002/categories.id', 'shard-a/app_002/communities.id', 'shard-a/app_002/people.id']);
    const changed = p.members.filter((m: { needsChange: boolean }) => m.needsChange).map((m: { ref: { table: string; column: string }; source?: string }) => `${m.ref.table}.${m.ref.column} ${m.source ?? 'key'}`).sort();
    expect(changed).toEqual(
      [
        'categories.id key',
        'categories.parent_id model',
        'comments.commentable_id model',
        'communities.id key',
        'criteria.category_id model',
        'invitations.inviter_id model',
        'listings.author_id model',
        'listings.category_id model',
        'listings.reviewer_id model',
      ].sort(),
    );
  });
});

describe('live and snapshot give the same bytes (with the models)', () => {
  for (const args of [
    ['scan', '--format', 'json', '--fail-on', 'never'],
    ['plan', '--format', 'json'],
    ['relations', '--format', 'json'],
    ['relations', '--diff'],
  ]) {
    it(args.join(' '), async () => {
      const live = await run([...args, '--config', withRails, '--no-defaults']);
      const snap = await run([...args, '--snapshot', snapshotFile, '--config', withRails]);
      expect(live.err).toBe('');
      expect(snap.err).toBe('');
      expect(live.code).toBe(snap.code);
      expect(live.out.length).toBeGreaterThan(0);
      expect(normal(snap.out)).toBe(normal(live.out));
    });
  }

  it('relations --diff on the fleet: what the models add, per tenant database', async () => {
    const r = await run(['relations', '--config', withRails, '--no-defaults', '--diff', '--format', 'json']);
    const added = JSON.parse(r.out).diff.filter((d: { change: string }) => d.change === 'added');
    expect(added.find((d: { table: string; column: string }) => d.table === 'invitations' && d.column === 'inviter_id')).toMatchObject({
      after: { references: { table: 'people', column: 'id' }, source: 'model' },
      where: ['shard-a/app_001', 'shard-a/app_002', 'shard-b/app_003'],
    });
  });
});

describe('schema.rb and the server agree', () => {
  it('db/schema.rb describes the integer columns, keys and constraints the server read from db/structure.sql', async () => {
    const parsed = readSchemaRb(readFileSync(join(APP, 'db/schema.rb'), 'utf8'), 'db/schema.rb', await loadRubyParser());
    const live = await collectSnapshot(await loadInventory(withRails, {}, { defaultsFile: false }), {});
    const server = live.shards[0]!.databases.find((d) => d.name === 'app_001')!;
    const shape = (tables: { name: string; primaryKey: string[]; columns: { name: string; dataType: string; unsigned: boolean; autoIncrement: boolean }[]; foreignKeys: { columns: string[]; referencedTable: string }[] }[]) =>
      tables
        .map((t) => `${t.name} [${t.primaryKey}] ${t.columns.map((c) => `${c.name}:${c.dataType}${c.unsigned ? '+' : ''}${c.autoIncrement ? '*' : ''}`).join(' ')} ${t.foreignKeys.map((f) => `${f.columns}>${f.referencedTable}`).join(' ')}`)
        .sort();
    expect(shape(parsed.shard.databases[0]!.tables)).toEqual(shape(server.tables));
  });
});
