import { beforeAll, describe, expect, it } from 'vitest';
import { polymorphicCapacity } from '../../../src/checks/polymorphic-capacity.js';
import type { RailsConfig } from '../../../src/rails/types.js';
import { config, db, planOf, runCheck, shard, snapshot, table } from '../builders.js';
import { railsApp } from '../../support/rails.js';
import { groupMembers, shardContext } from '../../../src/plan/groups.js';
import { DEFAULT_POLICY } from '../../../src/plan/policy.js';

/** comments.commentable_id: polymorphic, with three candidates (posts, people, communities). */
let app: RailsConfig;
beforeAll(async () => {
  app = await railsApp({
    'app/models/comment.rb': 'class Comment < ApplicationRecord\n  belongs_to :commentable, polymorphic: true\nend\n',
    'app/models/post.rb': 'class Post < ApplicationRecord\n  has_many :comments, as: :commentable\nend\n',
    'app/models/person.rb': 'class Person < ApplicationRecord\n  has_many :comments, as: :commentable\nend\n',
    'app/models/community.rb': 'class Community < ApplicationRecord\n  has_one :pinned_comment, class_name: "Comment", as: :commentable\nend\n',
  });
});

function fleet(idType: string, counters: { posts?: bigint; people?: bigint; communities?: bigint } = {}) {
  return shard('s1', db('app',
    table('comments', { id: 'bigint auto', commentable_id: idType }, { indexes: [{ name: 'ix', unique: false, columns: ['commentable_id'] }] }),
    table('posts', { id: 'bigint auto' }, { autoIncrement: counters.posts ?? 10n }),
    table('people', { id: 'bigint auto' }, { autoIncrement: counters.people ?? 10n }),
    table('communities', { id: 'int auto' }, { autoIncrement: counters.communities ?? 10n }),
  ));
}

describe('polymorphic-capacity', () => {
  it('measures the HIGHEST candidate against the id column, and lists every candidate with its value', () => {
    const [f, ...rest] = runCheck(polymorphicCapacity, fleet('int', { posts: 1_000_000_001n, people: 2_000_000_001n, communities: 5n }), config({ rails: [app] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      id: 'polymorphic-capacity:s1/app/comments.commentable_id',
      check: 'polymorphic-capacity',
      severity: 'critical',
      table: 'comments',
      column: 'commentable_id',
      dataType: 'int',
      max: 2147483647n,
      current: 2_000_000_000n,
      references: { database: 'app', table: 'people', column: 'id', dataType: 'bigint', unsigned: false },
      relationSource: 'model',
      evidence: 'app/models/comment.rb:2 belongs_to :commentable, polymorphic: true',
    });
    expect(f!.candidates!.map((c) => [c.table, c.current])).toEqual([
      ['people', 2_000_000_000n],
      ['posts', 1_000_000_000n],
      ['communities', 4n],
    ]);
    expect(f!.candidates![2]).toMatchObject({ model: 'Community', evidence: 'app/models/community.rb:2 has_one :pinned_comment, class_name: "Comment", as: :commentable' });
    expect(f!.message).toContain('people.id (bigint, at 2,000,000,000), posts.id (bigint, at 1,000,000,000), communities.id (int, at 4)');
    expect(f!.message).toContain('the highest, people.id at 2,000,000,000, is 93.1% of this column');
  });

  it('is critical once any candidate is past the column max, naming it', () => {
    const [f] = runCheck(polymorphicCapacity, fleet('int', { posts: 3_000_000_001n }), config({ rails: [app] }));
    expect(f).toMatchObject({ severity: 'critical', current: 3_000_000_000n, references: { table: 'posts' } });
    expect(f!.message).toMatch(/posts\.id is already at 3,000,000,000, above this column's max 2,147,483,647: writes of new posts ids into comments fail now\.$/);
  });

  it('the type part: a narrower id column is a warning even with low counters (what lint sees)', () => {
    const [f] = runCheck(polymorphicCapacity, fleet('int'), config({ rails: [app] }));
    expect(f).toMatchObject({ severity: 'warning', current: 9n });
    expect(f!.message).toMatch(/people\.id, posts\.id are wider than this column/);
  });

  it('says nothing when the id column holds every candidate (bigint), or without a Rails app', () => {
    expect(runCheck(polymorphicCapacity, fleet('bigint', { posts: 3_000_000_001n }), config({ rails: [app] }))).toEqual([]);
    expect(runCheck(polymorphicCapacity, fleet('int', { posts: 3_000_000_001n }))).toEqual([]);
  });

  it('a candidate whose table is missing in the database is left out (the shard warning says so)', () => {
    const s = shard('s1', db('app', table('comments', { id: 'bigint auto', commentable_id: 'int' }), table('posts', { id: 'bigint auto' }, { autoIncrement: 2_000_000_001n })));
    const [f] = runCheck(polymorphicCapacity, s, config({ rails: [app] }));
    expect(f!.candidates!.map((c) => c.table)).toEqual(['posts']);
  });

  it('the planner puts the id column in EVERY candidate key\'s widening group', () => {
    const s = fleet('int', { posts: 2_100_000_001n, people: 1_900_000_001n, communities: 2_000_000_001n });
    const cfg = config({ rails: [app] });
    const ctx = shardContext(s, cfg);
    for (const key of ['posts', 'people', 'communities']) {
      const members = groupMembers({ shard: 's1', database: 'app', table: key, column: 'id' }, ctx, DEFAULT_POLICY)!;
      expect(members.find((m) => m.ref.table === 'comments' && m.ref.column === 'commentable_id'), key).toMatchObject({ role: 'reference', source: 'model', needsChange: true, target: { dataType: 'bigint' } });
    }
    // The plan widens it once, with the keys it shares a table with (posts: the polymorphic finding; communities: its own pk-capacity).
    const plan = planOf(snapshot(s), cfg);
    expect(plan.plans).toHaveLength(1);
    expect(plan.plans[0]!.groups.sort()).toEqual(['s1/app/communities.id', 's1/app/posts.id']);
    expect(plan.plans[0]!.members.filter((m) => m.ref.column === 'commentable_id')).toHaveLength(1);
  });
});
