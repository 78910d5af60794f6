/**
 * One plan per set of groups that touch a common table: each table copied once per shard, the
 * constraint names pt-online-schema-change changes given back, tables no tool can copy blocked
 * with their options (never an empty step), and the runbook built from such plans.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/plan/policy.js';
import { ptOscCopiedName, ptOscRebuiltName } from '../../../src/plan/plan.js';
import type { Policy } from '../../../src/plan/types.js';
import { renderRunbooks, runbookAliases, embeddedPreChecks, placeholdersIn } from '../../../src/runbook/runbook.js';
import { judge } from '../../../src/runbook/precheck.js';
import { scanSnapshot } from '../../../src/scan.js';
import { config, db, planOf, shard, snapshot, table } from '../builders.js';

const policy = (raw: Record<string, unknown> = {}): Policy => parsePolicy({ tools: ['pt-online-schema-change'], migrationUser: 'migrator', ...raw }, (f, w) => new Error(`${f}: ${w}`));
const HOT = 1_900_000_000n; // 88.5% of INT

/** listings.id and categories.id are both hot; featured_listings stores both ids, listings stores a category id. */
function marketplace(extra: { featuredFk?: boolean } = {}) {
  return snapshot(
    shard(
      's1',
      db(
        'mk_001',
        table('categories', { id: 'int auto' }, { autoIncrement: HOT, rows: 10n }),
        table('listings', { id: 'int auto', category_id: 'int' }, { autoIncrement: HOT, rows: 10n }),
        table('listing_images', { id: 'bigint auto', listing_id: 'int' }, { autoIncrement: 5n, rows: 10n, fks: { listing_id: 'listings.id' } }),
        table('featured_listings', { id: 'int auto', listing_id: 'int', category_id: 'int' }, { autoIncrement: 5n, rows: 10n, ...(extra.featuredFk ? { fks: { category_id: 'categories.id' } } : {}) }),
        table('reviews', { id: 'int auto', author_id: 'int' }, { autoIncrement: 3n, rows: 10n }),
      ),
      db('mk_002', table('categories', { id: 'int auto' }, { autoIncrement: 7n, rows: 1n }), table('listings', { id: 'int auto', category_id: 'int' }, { autoIncrement: 9n, rows: 1n })),
    ),
  );
}

describe('groups that share a table are one plan', () => {
  const snap = marketplace();
  const plan = planOf(snap, config(), { policy: policy() });

  it('listings.id and categories.id (both change featured_listings and listings) make one plan, worst first', () => {
    expect(plan.plans).toHaveLength(1);
    const p = plan.plans[0]!;
    expect(p.groups).toEqual(['s1/mk_001/categories.id', 's1/mk_001/listings.id']);
    expect(p.keys.map((k) => `${k.table}.${k.column}`)).toEqual(['categories.id', 'listings.id']);
    // Nothing from mk_002, nothing unrelated.
    expect(p.members.every((m) => m.ref.database === 'mk_001')).toBe(true);
    expect(p.members.map((m) => `${m.ref.table}.${m.ref.column}`).sort()).toEqual(
      ['categories.id', 'featured_listings.category_id', 'featured_listings.listing_id', 'listing_images.listing_id', 'listings.category_id', 'listings.id'].sort(),
    );
  });

  it('each table is copied once, with every change to it in one --alter; children before the keys', () => {
    const copies = plan.plans[0]!.steps.filter((s) => s.kind === 'copy');
    expect(copies.map((s) => s.table)).toEqual(['featured_listings', 'listing_images', 'listings', 'categories']);
    const featured = copies[0]!.commands[1]!;
    // In the order of the groups (worst first, then id): categories.id's columns, then listings.id's.
    expect(featured).toContain("--alter 'MODIFY `category_id` BIGINT NOT NULL, MODIFY `listing_id` BIGINT NOT NULL'");
    expect(copies[2]!.commands[1]).toContain("--alter 'MODIFY `category_id` BIGINT NOT NULL, MODIFY `id` BIGINT NOT NULL AUTO_INCREMENT'");
    expect(new Set(copies.map((s) => s.table)).size).toBe(copies.length);
  });

  it('the runbook of the plan names both keys; the second key gets a file that points at it', () => {
    const report = scanSnapshot(snap, config());
    const [file] = renderRunbooks(plan, { findings: report.findings, policy: policy(), scanCommand: 'headroom scan --config h.yaml' });
    expect(file!.content.split('\n')[0]).toBe('# Runbook: widen `categories.id` and `listings.id`, and everything that references them');
    expect(file!.content).toContain('headroom scan --config h.yaml --only mk_001.categories.id\nheadroom scan --config h.yaml --only mk_001.listings.id');
    const aliases = runbookAliases(plan);
    expect(aliases.map((a) => a.path)).toEqual(['s1__mk_001__listings.id.md']);
    expect(aliases[0]!.content).toContain('[s1__mk_001__categories.id.md](s1__mk_001__categories.id.md)');
  });

  it('--only picks the whole plan the column is in', () => {
    const only = planOf(snap, config(), { policy: policy(), only: 'mk_001.listing_images.listing_id' });
    expect(only.plans.map((p) => p.groups)).toEqual([['s1/mk_001/categories.id', 's1/mk_001/listings.id']]);
  });
});

describe('pt-online-schema-change renames the constraints it rebuilds: the plan gives the names back', () => {
  it('pt-osc naming rules (percona-toolkit 3.2.1): x → _x → __x → x on the copy; __x → x, else _x on a rebuilt child', () => {
    expect(ptOscCopiedName('fk_a')).toBe('_fk_a');
    expect(ptOscCopiedName('_fk_a')).toBe('__fk_a');
    expect(ptOscCopiedName('__fk_a')).toBe('fk_a');
    expect(ptOscCopiedName('x'.repeat(64))).toBe(`_${'x'.repeat(63)}`);
    expect(ptOscRebuiltName('__fk')).toBe('fk');
    expect(ptOscRebuiltName('_fk')).toBe('__fk');
    expect(ptOscRebuiltName('fk')).toBe('_fk');
  });

  it('a constraint that stays on a copied table (reviews.author_id → authors, unrelated) is renamed back right after the copy', () => {
    const snap = snapshot(
      shard(
        's1',
        db(
          'app',
          table('authors', { id: 'bigint auto' }, { autoIncrement: 5n, rows: 1n }),
          table('posts', { id: 'int auto' }, { autoIncrement: HOT, rows: 1n }),
          table('reviews', { id: 'int auto', post_id: 'int', author_id: 'bigint' }, { autoIncrement: 5n, rows: 1n, fks: { author_id: 'authors.id' } }),
        ),
      ),
    );
    const p = planOf(snap, config(), { policy: policy() }).plans[0]!;
    const i = p.steps.findIndex((s) => s.kind === 'copy' && s.table === 'reviews');
    expect(p.steps[i]!.renames).toEqual([{ database: 'app', table: 'reviews', from: 'fk_reviews_author_id', to: '_fk_reviews_author_id' }]);
    const back = p.steps[i + 1]!;
    expect(back.kind).toBe('rename-fk');
    expect(back.commands).toEqual([
      'SET SESSION foreign_key_checks = 0;',
      'SET SESSION lock_wait_timeout = 5;',
      'ALTER TABLE `app`.`reviews` DROP FOREIGN KEY `_fk_reviews_author_id`, ADD CONSTRAINT `fk_reviews_author_id` FOREIGN KEY (`author_id`) REFERENCES `app`.`authors` (`id`), ALGORITHM=INPLACE, LOCK=NONE;',
      'SET SESSION foreign_key_checks = 1;',
    ]);
  });
});

/** A hot listings.id and a Rails join table storing its ids with no PRIMARY or UNIQUE key (`rows` of it). */
function joinTableFleet(rows: bigint) {
  return snapshot(
    shard(
      's1',
      db(
        'app',
        table('listings', { id: 'int auto' }, { autoIncrement: HOT, rows: 100n }),
        table('listing_followers', { person_id: 'int', listing_id: 'int' }, { rows, indexes: [{ name: 'index_listing_followers', unique: false, columns: ['listing_id', 'person_id'] }] }),
      ),
    ),
  );
}

describe('a table no tool can copy', () => {
  const snap = joinTableFleet(40n);

  it('default policy: a blocked step with its options (a direct ALTER and its cost, a UNIQUE key first), never an empty step', () => {
    const p = planOf(snap, config(), { policy: policy() }).plans[0]!;
    const s = p.steps.find((x) => x.table === 'listing_followers')!;
    expect(s.kind).toBe('blocked');
    expect(s.tool).toBeUndefined();
    expect(s.options!.map((o) => o.title)).toEqual([
      'a direct ALTER (writes to the table wait for the whole copy)',
      'first add a UNIQUE key on (listing_id, person_id), online, so a copy tool can run',
    ]);
    expect(s.options![0]!.commands[1]).toBe('ALTER TABLE `app`.`listing_followers` MODIFY `listing_id` BIGINT NOT NULL, ALGORITHM=COPY, LOCK=SHARED;');
    expect(s.options![0]!.choose).toMatch(/^add app\.listing_followers to policy\.directAlter\.tables/);
    expect(s.options![1]!.commands[0]).toMatch(/^SELECT `listing_id`, `person_id`, COUNT\(\*\) AS copies FROM `app`\.`listing_followers` GROUP BY .* HAVING COUNT\(\*\) > 1/);
    expect(p.blocked[0]).toMatch(/^app\.listing_followers: no allowed tool can change it — .*Decide how to widen it before starting: \(a\) a direct ALTER/);
    for (const st of p.steps) if (st.kind !== 'application' && st.kind !== 'blocked') expect(st.commands.length).toBeGreaterThan(0);
  });

  it('the runbook says do not start, puts the options at the top outside the steps, and runs nothing for that step', () => {
    const plan = planOf(snap, config(), { policy: policy() });
    const [f] = renderRunbooks(plan, { findings: scanSnapshot(snap, config()).findings, policy: policy(), scanCommand: 'headroom scan --config h.yaml' });
    const md = f!.content;
    expect(md).toContain('> **Do not start: this plan is blocked.**');
    expect(md.indexOf('## Decision needed before anything runs')).toBeLessThan(md.indexOf('## 1. Summary'));
    const steps = md.slice(md.indexOf('\n## 4. Steps'), md.indexOf('\n## 5. '));
    const blockedStep = steps.slice(steps.indexOf('Decide how to widen listing_followers'));
    expect(blockedStep.slice(0, blockedStep.indexOf('\n### '))).not.toMatch(/```(sql|sh)/);
    expect(blockedStep).toContain('**Blocked: do not start the runbook.**');
  });

  it('under policy.directAlter it gets the direct ALTER, with what it blocks', () => {
    const p = planOf(snap, config(), { policy: policy({ directAlter: { maxRows: 1000 } }) }).plans[0]!;
    expect(p.blocked).toEqual([]);
    expect(p.steps.find((x) => x.table === 'listing_followers')!.kind).toBe('direct-alter');
    // listings has a key: still a direct ALTER (small enough), the policy's choice.
    const [f] = renderRunbooks(planOf(snap, config(), { policy: policy({ directAlter: { maxRows: 1000 } }) }), {
      findings: scanSnapshot(snap, config()).findings,
      policy: policy({ directAlter: { maxRows: 1000 } }),
      scanCommand: 'headroom scan',
    });
    expect(f!.content).toMatch(/Direct ALTER: \*\*writes to `listing_followers`, `listings` wait for the whole copy\*\*/);
  });
});

describe('runbooks are runnable as written', () => {
  it('placeholders are found (the CLI refuses them unless --placeholders), and the banner says to replace them', () => {
    const snap = marketplace();
    const plan = planOf(snap, config(), { policy: parsePolicy({ tools: ['pt-online-schema-change'] }, (f, w) => new Error(`${f}: ${w}`)) });
    const [f] = renderRunbooks(plan, { findings: [], policy: plan.policy, scanCommand: 'headroom scan' });
    expect(placeholdersIn(f!.content)).toEqual(['<host of s1>', '<migration user>']);
    expect(f!.content).toContain('> **This runbook has placeholders: `<host of s1>`, `<migration user>`.**');
  });

  it('the pre-checks are embedded for `headroom precheck`, and judged exactly', () => {
    const snap = marketplace({ featuredFk: true });
    const plan = planOf(snap, config(), { policy: policy() });
    const [f] = renderRunbooks(plan, { findings: [], policy: policy(), scanCommand: 'headroom scan --config h.yaml' });
    const pre = embeddedPreChecks(f!.content)!;
    expect(pre.shard).toBe('s1');
    expect(f!.content).toContain('headroom precheck s1__mk_001__categories.id.md --config h.yaml');
    const types = pre.checks.find((c) => c.title.startsWith('The columns still have the types'))!;
    expect(types.expect).toEqual({
      kind: 'rows',
      rows: [
        ['categories', 'id', 'int'],
        ['featured_listings', 'category_id', 'int'],
        ['featured_listings', 'listing_id', 'int'],
        ['listing_images', 'listing_id', 'int'],
        ['listings', 'category_id', 'int'],
        ['listings', 'id', 'int'],
      ],
    });
    expect(judge(types, (types.expect as { rows: string[][] }).rows).pass).toBe(true);
    expect(judge(types, [['categories', 'id', 'bigint']]).pass).toBe(false);
    const noRows = pre.checks.find((c) => c.expect.kind === 'no-rows')!;
    expect(judge(noRows, []).pass).toBe(true);
    expect(judge(noRows, [['42']]).pass).toBe(false);
    expect(judge(noRows, undefined, 'Access denied').pass).toBe(false);
    expect(pre.checks.find((c) => c.title.startsWith('The constraints the steps name'))!.expect).toEqual({
      kind: 'rows',
      rows: [
        ['featured_listings', 'fk_featured_listings_category_id'],
        ['listing_images', 'fk_listing_images_listing_id'],
      ],
    });
  });
});

describe('decisions for one table, and what the scan account could not see', () => {
  const snap = joinTableFleet(0n);

  it('option A names the table for policy.directAlter.tables (a decision for it alone, not a size limit for every table)', () => {
    const p = planOf(snap, config(), { policy: policy() }).plans[0]!;
    expect(p.steps.find((s) => s.kind === 'blocked')!.options![0]!.choose).toBe(
      'add app.listing_followers to policy.directAlter.tables in the config (this table only), then generate the plan again: this step becomes the ALTER.',
    );
    const chosen = planOf(snap, config(), { policy: policy({ directAlter: { tables: ['app.listing_followers'] } }) }).plans[0]!;
    const step = chosen.steps.find((s) => s.table === 'listing_followers')!;
    expect(step.kind).toBe('direct-alter');
    expect(step.toolReason).toBe('policy.directAlter.tables names it (app.listing_followers)');
    // listings is not named: it still goes through the copy tool.
    expect(chosen.steps.find((s) => s.table === 'listings')!.tool).toBe('pt-online-schema-change');
    expect(chosen.blocked).toEqual([]);
  });

  it('a scan account that cannot see triggers: the plan says its "no trigger" is blindness, and the pre-check (as the migration account) decides', () => {
    const blind = { ...snap, shards: [{ ...snap.shards[0]!, triggersHidden: ['app'] }] };
    const p = planOf(blind, config(), { policy: policy({ directAlter: { tables: ['listing_followers'] } }) }).plans[0]!;
    expect(p.warnings.some((w) => w.startsWith('The scan account cannot see triggers in app (information_schema.TRIGGERS lists only tables an account has the TRIGGER privilege on)'))).toBe(true);
    const seen = planOf(snap, config(), { policy: policy({ directAlter: { tables: ['listing_followers'] } }) }).plans[0]!;
    expect(seen.warnings.some((w) => w.includes('cannot see triggers'))).toBe(false);
  });
});
