/**
 * The Rails reader through the CLI, with no server: `headroom relations --rails` (golden JSON,
 * table, --diff) and `headroom lint --rails` / `--schema` on fixtures/rails-app's db/schema.rb
 * (exact findings with file:line), plus `rails:` in the inventory and its errors.
 * Regenerate the golden with UPDATE_GOLDEN=1.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { parseInventory } from '../../src/config/inventory.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = 'fixtures/rails-app';
const GOLDEN = join(ROOT, 'test/unit/golden/rails-relations.json');

function capture(): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, stdoutIsTTY: false, stderrIsTTY: false };
}

async function run(args: string[]) {
  const io = capture();
  const cwd = process.cwd();
  process.chdir(ROOT); // evidence and SARIF paths are relative: the same wherever the checkout is
  try {
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  } finally {
    process.chdir(cwd);
  }
}

describe('headroom relations --rails (catalog from the app\'s db/schema.rb: no server)', () => {
  it('golden --format json: every relationship with source and evidence, polymorphic pairs, warnings', async () => {
    const r = await run(['relations', '--rails', APP, '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, r.out);
    expect(existsSync(GOLDEN), 'golden missing: run with UPDATE_GOLDEN=1').toBe(true);
    expect(r.out).toBe(readFileSync(GOLDEN, 'utf8'));
    const listing = JSON.parse(r.out);
    const by = (t: string, c: string) => listing.relationships.find((x: { table: string; column: string }) => x.table === t && x.column === c);
    // What naming misses, with the model line as evidence.
    expect(by('categories', 'parent_id')).toMatchObject({ references: { table: 'categories', column: 'id' }, source: 'model', evidence: 'app/models/category.rb:6 belongs_to :parent, class_name: "Category", optional: true' });
    expect(by('custom_field_values', 'custom_field_id')).toMatchObject({ source: 'model', evidence: 'app/models/custom_field_value.rb:2 belongs_to :question, class_name: "CustomField", foreign_key: "custom_field_id"' });
    expect(by('bookings', 'transaction_id')).toMatchObject({ source: 'model', evidence: 'app/models/booking.rb:2 belongs_to :tx, class_name: "Transaction", foreign_key: "transaction_id"' });
    expect(by('invitations', 'inviter_id')).toMatchObject({ references: { table: 'people', column: 'id' }, source: 'model' });
    // Declared beats model.
    expect(by('listing_revisions', 'listing_id')).toMatchObject({ source: 'declared' });
    // The models say owner_id is polymorphic: naming's owners.id is not used.
    expect(by('attachments', 'owner_id')).toBeUndefined();
    expect(listing.polymorphic.map((p: { table: string; column: string; candidates: { table: string }[] }) => `${p.table}.${p.column}: ${p.candidates.map((c) => c.table).join(' ')}`)).toEqual([
      'attachments.owner_id: listings',
      'comments.commentable_id: communities listings people',
    ]);
    expect(listing.warnings.map((w: { file: string; line: number }) => `${w.file}:${w.line}`)).toEqual([
      'app/models/broken.rb:3',
      'app/models/subscription.rb:4',
      'app/models/subscription.rb:7',
      'app/models/subscription.rb:10',
      'app/models/ghost.rb:2',
    ]);
  });

  it('--diff: what the models add, remove (a naming guess they contradict) and confirm', async () => {
    const r = await run(['relations', '--rails', APP, '--diff']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^What the models change compared with naming alone: 13 added, 0 changed, 1 removed, 17 confirmed\.$/m);
    expect(r.out).toContain('+ categories.parent_id → categories.id  (model: app/models/category.rb:6 belongs_to :parent, class_name: "Category", optional: true)  [lint/schema]');
    expect(r.out).toContain('- attachments.owner_id → owners.id  (was inferred: naming: owner_id → owners.id; the models say otherwise)  [lint/schema]');
    expect(r.out).toContain('= bookings.transaction_id → transactions.id  (model: app/models/booking.rb:2 belongs_to :tx, class_name: "Transaction", foreign_key: "transaction_id"; was inferred)');
    const json = JSON.parse((await run(['relations', '--rails', APP, '--diff', '--format', 'json'])).out);
    expect(json.diff.filter((d: { change: string }) => d.change === 'removed')).toEqual([
      { change: 'removed', table: 'attachments', column: 'owner_id', before: { references: { table: 'owners', column: 'id' }, source: 'inferred', evidence: 'naming: owner_id → owners.id' }, where: ['lint/schema'] },
    ]);
  });

  it('bad input is one line, exit 2', async () => {
    for (const [args, msg] of [
      [['relations'], /^headroom: relations: give --rails PATH/],
      [['relations', '--rails', 'no/such/app'], /^headroom: no\/such\/app: cannot read the Rails app: /],
      [['relations', '--rails', 'fixtures'], /^headroom: fixtures: no app\/models\/\*\*\/\*\.rb under it/],
      [['relations', '--schema', 'fixtures/rails-app/db/schema.rb', '--diff'], /^headroom: relations --diff compares the models with naming/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('headroom lint --rails: schema.rb with the models, no server', () => {
  it('exact findings on the schema.rb lines: narrow keys, INT references only a belongs_to links, the polymorphic id', async () => {
    const r = await run(['lint', '--rails', APP, '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.findings.map((f: { id: string; source: { file: string; line: number; column: number }; relationSource?: string }) => `${f.id} ${f.source.file}:${f.source.line}:${f.source.column}${f.relationSource ? ` ${f.relationSource}` : ''}`)).toEqual([
      'fk-type-mismatch:lint/schema/categories.parent_id fixtures/rails-app/db/schema.rb:28:5 model',
      'fk-type-mismatch:lint/schema/invitations.inviter_id fixtures/rails-app/db/schema.rb:79:5 model',
      'fk-type-mismatch:lint/schema/listings.author_id fixtures/rails-app/db/schema.rb:100:5 model',
      'fk-type-mismatch:lint/schema/listings.reviewer_id fixtures/rails-app/db/schema.rb:104:5 model',
      'pk-narrow-type:lint/schema/categories.id fixtures/rails-app/db/schema.rb:27:3',
      'pk-narrow-type:lint/schema/communities.id fixtures/rails-app/db/schema.rb:44:3',
      'pk-narrow-type:lint/schema/custom_fields.id fixtures/rails-app/db/schema.rb:67:3',
      'pk-narrow-type:lint/schema/orders_legacy.order_no fixtures/rails-app/db/schema.rb:116:3',
      'polymorphic-capacity:lint/schema/comments.commentable_id fixtures/rails-app/db/schema.rb:37:5 model',
    ]);
    expect(report.findings.find((f: { id: string }) => f.id.includes('listings.author_id')).evidence).toBe('app/models/listing.rb:4 belongs_to :author, class_name: "Person", inverse_of: :authored_listings');
    expect(report.relationWarnings.length).toBe(5);
    // The line in schema.rb is the column's.
    const lines = readFileSync(join(ROOT, APP, 'db/schema.rb'), 'utf8').split('\n');
    expect(lines[99]).toBe('    t.integer "author_id", null: false');
    expect(lines[36]).toBe('    t.integer "commentable_id", null: false');
  });

  it('SARIF and GitHub annotations land on the line', async () => {
    const gh = await run(['lint', '--rails', APP, '--format', 'github']);
    expect(gh.out).toContain('::warning file=fixtures/rails-app/db/schema.rb,line=100,col=5,title=fk-type-mismatch::');
    const sarif = JSON.parse((await run(['lint', '--rails', APP, '--format', 'sarif'])).out);
    const result = sarif.runs[0].results.find((x: { ruleId: string; message: { text: string } }) => x.ruleId === 'polymorphic-capacity');
    expect(result.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'fixtures/rails-app/db/schema.rb' }, region: { startLine: 37, startColumn: 5 } });
  });

  it('--schema alone: schema.rb without models (naming only), and the errors are one line', async () => {
    const r = await run(['lint', '--schema', `${APP}/db/schema.rb`, '--format', 'json']);
    const ids = JSON.parse(r.out).findings.map((f: { id: string }) => f.id);
    expect(ids).not.toContain('fk-type-mismatch:lint/schema/listings.author_id'); // only a belongs_to links it
    expect(ids).toContain('pk-narrow-type:lint/schema/categories.id');
    const dir = mkdtempSync(join(tmpdir(), 'headroom-rails-'));
    writeFileSync(join(dir, 'schema.rb'), 'ActiveRecord::Schema.define do\n  create_table "x" do |t|\n    t.integer "a",\n  end\n');
    for (const [args, msg] of [
      [['lint', '--schema', join(dir, 'schema.rb')], /schema\.rb:\d+: Ruby syntax error: /],
      [['lint', '--schema', join(dir, 'nope.rb')], /nope\.rb: cannot read schema: /],
      [['lint'], /^headroom: lint: give --ddl \(with --workspace\), --schema db\/schema\.rb, or --rails PATH/],
      [['lint', '--ddl', 'x.sql'], /^headroom: lint: --ddl needs --workspace/],
    ] as const) {
      const e = await run([...args]);
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.err.trim().split('\n')).toHaveLength(1);
      expect(e.err).toMatch(msg);
    }
  });
});

describe('rails: in the inventory', () => {
  const parse = (yaml: string) => parseInventory(`shards: [{ name: a, host: h, user: u }]\n${yaml}`, 'headroom.yaml', {}, { baseDir: '/conf' });
  it('a mapping, a list (each app for its databases), or a path; relative to the config file', () => {
    expect(parse('rails: { root: app, databases: ["mk_*"] }').rails).toEqual([{ root: '/conf/app', label: 'app', databases: ['mk_*'], from: 'headroom.yaml rails' }]);
    expect(parse('rails:\n  - { root: /srv/a }\n  - ../b\n').rails).toEqual([
      { root: '/srv/a', label: '/srv/a', databases: [], from: 'headroom.yaml rails[0]' },
      { root: '/b', label: '../b', databases: [], from: 'headroom.yaml rails[1]' },
    ]);
  });
  it('an app that cannot be read: one line naming the file and the field, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-rails-config-'));
    writeFileSync(join(dir, 'h.yaml'), 'shards: [{ name: a, host: h, user: u }]\nrails: { root: nowhere }\n');
    const r = await run(['scan', '--snapshot', 'fixtures/demo-fleet.json', '--config', join(dir, 'h.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`headroom: ${join(dir, 'h.yaml')}: rails.root: nowhere: cannot read the Rails app: no such file\n`);
  });
  it('strict: one line naming the field', () => {
    expect(() => parse('rails: { path: app }')).toThrow('headroom.yaml: rails.path: unknown key (did you mean "root"?); allowed: root, databases');
    expect(() => parse('rails: { databases: [a] }')).toThrow("headroom.yaml: rails.root: missing: the Rails app's root (the directory holding app/models)");
    expect(() => parse('rails: []')).toThrow('headroom.yaml: rails: is an empty list');
    expect(() => parse('rails: { root: app, databases: x }')).toThrow('headroom.yaml: rails.databases: expected a list of database globs');
  });
});
