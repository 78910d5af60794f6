/**
 * Model references in the relationship resolver: precedence (declared > configured > model >
 * inferred), model evidence overruling naming, each app applied to the databases its globs match,
 * what a shard lacks said per shard, and the report's relationWarnings (JSON, merge).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeReports, parseReport } from '../../src/merge.js';
import { resolveRelationships } from '../../src/relations/relationships.js';
import type { RailsConfig } from '../../src/rails/types.js';
import { formatJson } from '../../src/report/json.js';
import { scanSnapshot } from '../../src/scan.js';
import { config, configured, db, shard, snapshot, table } from './builders.js';
import { railsApp } from '../support/rails.js';

let app: RailsConfig;
beforeAll(async () => {
  app = await railsApp({
    'app/models/category.rb': 'class Category < ApplicationRecord\n  belongs_to :parent, class_name: "Category"\n  belongs_to :owner, class_name: "Person"\nend\n',
    'app/models/person.rb': 'class Person < ApplicationRecord\nend\n',
    'app/models/attachment.rb': 'class Attachment < ApplicationRecord\n  belongs_to :owner, polymorphic: true\nend\n',
    'app/models/legacy.rb': 'class Legacy < ApplicationRecord\n  belongs_to :person\nend\n',
  });
});

const tenant = (name: string) =>
  db(name,
    table('categories', { id: 'int auto', parent_id: 'int', owner_id: 'int', person_id: 'int' }),
    table('people', { id: 'bigint auto' }, { autoIncrement: 3_000_000_001n }),
    table('parents', { id: 'int auto' }),
    table('owners', { id: 'bigint auto' }),
    table('attachments', { id: 'bigint auto', owner_id: 'int' }),
  );

const list = (s: ReturnType<typeof shard>, cfg = config({ rails: [app] })) =>
  resolveRelationships(s, cfg).map((r) => `${r.from.database}.${r.from.table}.${r.from.column} → ${r.to.table}.${r.to.column} ${r.source}`);

describe('model references among the other sources', () => {
  it('model beats inferred; a column the models map elsewhere or call polymorphic is never inferred by name', () => {
    expect(list(shard('s1', tenant('t1')))).toEqual([
      't1.categories.owner_id → people.id model',
      't1.categories.parent_id → categories.id model',
      't1.categories.person_id → people.id inferred',
    ]);
    // Naming alone: parents.id, owners.id (twice, one of them the polymorphic attachments.owner_id).
    expect(list(shard('s1', tenant('t1')), config())).toEqual([
      't1.categories.parent_id → parents.id inferred',
      't1.categories.owner_id → owners.id inferred',
      't1.categories.person_id → people.id inferred',
      't1.attachments.owner_id → owners.id inferred',
    ]);
  });

  it('declared and configured beat model', () => {
    const s = shard('s1', db('t1',
      table('categories', { id: 'int auto', parent_id: 'int', owner_id: 'int' }, { fks: { parent_id: 'parents.id' } }),
      table('people', { id: 'bigint auto' }),
      table('parents', { id: 'int auto' }),
      table('owners', { id: 'bigint auto' })));
    expect(list(s, config({ rails: [app], relationships: [configured('categories.owner_id', 'owners.id')] }))).toEqual([
      't1.categories.parent_id → parents.id declared',
      't1.categories.owner_id → owners.id configured',
    ]);
  });

  it("an app's models apply only to the databases its globs match", () => {
    const only = { ...app, databases: ['t2'] };
    expect(list(shard('s1', tenant('t1'), tenant('t2')), config({ rails: [only] })).filter((x) => x.endsWith('model'))).toEqual([
      't2.categories.owner_id → people.id model',
      't2.categories.parent_id → categories.id model',
    ]);
  });
});

describe('relationWarnings', () => {
  it("a model whose table a shard lacks is said once per shard, with counts; the JSON report carries them; merge keeps each once", () => {
    const snap = snapshot(shard('s1', tenant('t1'), tenant('t2')), shard('s2', tenant('t3')));
    const report = scanSnapshot(snap, config({ rails: [app] }));
    expect(report.relationWarnings).toEqual([
      { file: 'app/models/legacy.rb', line: 1, model: 'Legacy', shard: 's1', message: 'Legacy: table legacies does not exist on shard s1 (missing in all 2 databases); its references there are not measured' },
      { file: 'app/models/attachment.rb', line: 2, model: 'Attachment', message: 'attachments.owner_id is polymorphic, but no model declares has_many/has_one … as: :owner: its candidate tables are not known' },
      { file: 'app/models/legacy.rb', line: 1, model: 'Legacy', shard: 's2', message: 'Legacy: table legacies does not exist on shard s2 (missing in database t3); its references there are not measured' },
    ].sort((a, b) => (a.shard ? 1 : 0) - (b.shard ? 1 : 0) || (a.shard ?? '').localeCompare(b.shard ?? '')));
    const json = JSON.parse(formatJson(report));
    expect(json.relationWarnings).toHaveLength(3);
    expect(Object.keys(json).slice(-2)).toEqual(['errors', 'relationWarnings']);
    const back = parseReport(json, 'r.json');
    expect(mergeReports([back, back]).relationWarnings).toEqual(report.relationWarnings);
    // Without a Rails app the report has no such field (the contract is unchanged).
    expect('relationWarnings' in scanSnapshot(snap, config())).toBe(false);
  });

  it('the findings name the model line (fk-capacity on a reference only a belongs_to declares)', () => {
    const report = scanSnapshot(snapshot(shard('s1', tenant('t1'))), config({ rails: [app] }));
    const f = report.findings.find((x) => x.id === 'fk-capacity:s1/t1/categories.owner_id')!;
    expect(f).toMatchObject({ severity: 'critical', relationSource: 'model', evidence: 'app/models/category.rb:3 belongs_to :owner, class_name: "Person"' });
    expect(f.message).toContain('declared in the models: app/models/category.rb:3 belongs_to :owner, class_name: "Person"');
  });
});
