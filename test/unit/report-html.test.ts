/**
 * `headroom report`: golden-structure tests of the generated page, parsed with parse5 (the
 * WHATWG HTML parser browsers implement), never matched with regular expressions: the sections,
 * one table row per group, one chart per key with history and one dot per observation, exact
 * integers, escaping of names that come from databases, the offline guarantee, accessibility hooks.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { loadInventory, loadSnapshot } from '../../src/index.js';
import type { Inventory } from '../../src/config/types.js';
import { applyForecasts } from '../../src/forecast/apply.js';
import { DAY_MS } from '../../src/forecast/forecast.js';
import { counterHistory, observationsFromSnapshot, type Observation } from '../../src/history/observations.js';
import { parseReport } from '../../src/merge.js';
import type { Report, Snapshot } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/plan/policy.js';
import { renderHtmlReport, type HtmlReportInput } from '../../src/report/html.js';
import { heatBands, bandOf, windowPoints } from '../../src/report/html-model.js';
import { formatJson } from '../../src/report/json.js';
import { groupFindings } from '../../src/report/table.js';
import { attachRunbookLinks } from '../../src/runbook/runbook.js';
import { scanSnapshot } from '../../src/scan.js';
import { config as testConfig, db, shard, snapshot as snap, table } from './builders.js';

type Element = DefaultTreeAdapterMap['element'];
type Node = DefaultTreeAdapterMap['node'];

const root = fileURLToPath(new URL('../../', import.meta.url));

// ── A tiny query layer over parse5's tree ────────────────────────────────────────────────────

function* walk(node: Node): Generator<Element> {
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const c of children) {
    if ('tagName' in c) {
      yield c;
      yield* walk(c);
      // <template> content is separate in parse5; the page has none.
    }
  }
}
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;
const classes = (e: Element) => (attr(e, 'class') ?? '').split(/\s+/).filter(Boolean);
const all = (n: Node, pred: (e: Element) => boolean) => [...walk(n)].filter(pred);
const byTag = (n: Node, tag: string) => all(n, (e) => e.tagName === tag);
const byClass = (n: Node, cls: string) => all(n, (e) => classes(e).includes(cls));
const byId = (n: Node, id: string) => all(n, (e) => attr(e, 'id') === id)[0];
function text(n: Node): string {
  if ('value' in n && n.nodeName === '#text') return n.value;
  return 'childNodes' in n ? n.childNodes.map((c) => text(c)).join('') : '';
}

// ── Inputs ──────────────────────────────────────────────────────────────────────────────────

const GENERATED = '2030-01-01T00:00:00.000Z';

/** Synthetic history: `days` before the scan, growing at `rate` ids/day up to the snapshot's value. */
function series(at: number, key: Omit<Observation, 'at' | 'value'>, current: bigint, rate: bigint, days: number[]): Observation[] {
  return days.map((d) => ({ ...key, at: at - d * DAY_MS, value: current - rate * BigInt(d) }));
}

interface Demo {
  snapshot: Snapshot;
  inventory: Inventory;
  input: HtmlReportInput;
  /** Observations written per counter (before the scan's own). */
  written: Map<string, number>;
}

async function demo(withHistory = true): Promise<Demo> {
  const inventory = await loadInventory('fixtures/demo.yaml', {});
  const snapshot = await loadSnapshot(`${root}fixtures/demo-fleet.json`);
  const at = Date.parse(snapshot.takenAt);
  const past = [
    ...series(at, { shard: 'shard-a', database: 'ws_a041', table: 'categories', column: 'id' }, 1_900_000_000n, 2_000_000n, [27, 24, 21, 18, 15, 12, 9, 6, 3, 1]),
    ...series(at, { shard: 'shard-b', database: 'ws_core_accounts', table: 'accounts', column: 'id' }, 3_500_000_000n, 5_000_000n, [28, 20, 12, 4]),
    ...series(at, { shard: 'shard-a', database: 'ws_a041', table: 'people', column: 'id' }, 50_000n, 100n, [25, 15, 5]),
    // Outside the 30-day window: never drawn.
    ...series(at, { shard: 'shard-a', database: 'ws_a041', table: 'people', column: 'id' }, 50_000n, 100n, [45]),
  ];
  const written = new Map([
    ['shard-a/ws_a041/categories.id', 10],
    ['shard-b/ws_core_accounts/accounts.id', 4],
    ['shard-a/ws_a041/people.id', 3],
  ]);
  let report = scanSnapshot(snapshot, inventory);
  let history: HtmlReportInput['history'];
  if (withHistory) {
    const observations = counterHistory([...past, ...observationsFromSnapshot(snapshot, inventory)]);
    report = applyForecasts(report, snapshot, inventory, observations, { policy: inventory.policy, windowDays: 30, asOf: at });
    history = { observations, windowDays: 30, description: '.headroom/history' };
  }
  report = attachRunbookLinks(report);
  const input: HtmlReportInput = {
    report,
    snapshot,
    config: inventory,
    policy: inventory.policy,
    ...(history ? { history } : {}),
    scannedAt: snapshot.takenAt,
    generatedAt: GENERATED,
    source: 'snapshot fixtures/demo-fleet.json',
  };
  return { snapshot, inventory, input, written };
}

function page(input: HtmlReportInput) {
  const html = renderHtmlReport(input);
  return { html, doc: parse(html, { onParseError: null }) };
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────────

describe('HTML report: structure', () => {
  it('has every section, in order, and a document outline', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const html = byTag(doc, 'html')[0]!;
    expect(attr(html, 'lang')).toBe('en');
    const sections = byTag(doc, 'section').map((s) => attr(s, 'id'));
    expect(sections).toEqual(['overview', 'keys', 'heat', 'details']);
    for (const id of sections) {
      const s = byId(doc, id!)!;
      const labelled = attr(s, 'aria-labelledby')!;
      expect(byId(doc, labelled)?.tagName).toBe('h2');
    }
    expect(byTag(doc, 'h1')).toHaveLength(1);
    expect(text(byTag(doc, 'title')[0]!)).toContain('headroom report');
  });

  it('fleet overview: shards, databases, tables, findings by severity, errors, scan time', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const stats = new Map(byClass(byId(doc, 'overview')!, 'stat').map((s) => [text(byTag(s, 'dt')[0]!).trim(), text(byTag(s, 'dd')[0]!).trim()]));
    const s = input.report.summary;
    expect(stats.get('Shards')).toBe(String(s.shards));
    expect(stats.get('Databases')).toBe(String(s.databases));
    expect(stats.get('Tables')).toBe(String(s.tables));
    // Severity is spelled out next to its icon: colour is not the only signal.
    expect(stats.get('▲ critical')).toBe(`${s.findings.critical} findings`);
    expect(stats.get('◆ warning')).toBe(`${s.findings.warning} findings`);
    expect(stats.get('Scan errors')).toBe('0');
    const time = byTag(byId(doc, 'overview')!, 'time')[0]!;
    expect(attr(time, 'datetime')).toBe(input.scannedAt);
  });

  it('one table row per group, as the CLI table groups them, with sortable headers and the columns asked for', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const table = byId(doc, 'keys-table')!;
    const rows = byTag(byTag(table, 'tbody')[0]!, 'tr');
    const groups = groupFindings(input.report.findings);
    expect(groups.length).toBeGreaterThan(5);
    expect(rows).toHaveLength(groups.length);
    const headers = byTag(byTag(table, 'thead')[0]!, 'th').map((th) => text(th).trim());
    expect(headers).toEqual(['Severity', 'Shard', 'Database', 'Table', 'Column', 'Type', 'Used', 'Days left', 'Migration', 'Start by']);
    // Sort controls are real buttons (keyboard: Tab + Enter/Space).
    expect(byTag(byTag(table, 'thead')[0]!, 'button')).toHaveLength(10);
    // The filter has a label.
    const filter = byId(doc, 'keys-filter')!;
    expect(all(doc, (e) => e.tagName === 'label' && attr(e, 'for') === 'keys-filter')).toHaveLength(1);
    expect(attr(filter, 'type')).toBe('search');
    // Every group shows up once, by its check/table/column.
    const seen = rows.map((r) => `${text(byClass(r, 'check')[0]!)}:${attr(r, 'data-table')}.${attr(r, 'data-column')}`).sort();
    expect(seen).toEqual(groups.map((g) => `${g.worst.check}:${g.worst.table}.${g.worst.column}`).sort());
    // Default order: worst severity first, then fewest days left.
    const sev = rows.map((r) => Number(attr(r, 'data-severity')));
    expect([...sev].sort((a, b) => b - a)).toEqual(sev);
  });

  it('a tenant group lists every database, each with its runbook link', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const groups = groupFindings(input.report.findings);
    const big = groups.find((g) => g.worst.check === 'pk-capacity' && g.worst.table === 'categories')!;
    const row = byTag(byTag(byId(doc, 'keys-table')!, 'tbody')[0]!, 'tr').find((r) => attr(r, 'data-table') === 'categories')!;
    const items = byTag(byTag(row, 'details')[0]!, 'li');
    expect(items).toHaveLength(big.findings.length);
    const hrefs = items.map((li) => attr(byTag(li, 'a')[0]!, 'href')).sort();
    expect(hrefs).toEqual(big.findings.map((f) => f.runbook).sort());
  });

  it('one chart per key with history, one dot per observation in the window (the scan\'s own included)', async () => {
    const { input, written } = await demo();
    const { doc } = page(input);
    const articles = byTag(byId(doc, 'details')!, 'article');
    const groups = groupFindings(input.report.findings);
    expect(articles).toHaveLength(groups.length);
    const charts = all(doc, (e) => e.tagName === 'svg' && classes(e).includes('chart'));
    // Every group's counter is observed at least by the scan itself (history given).
    expect(charts).toHaveLength(groups.length);
    const byCounter = new Map<string, Element[]>();
    for (const c of charts) byCounter.set(attr(c, 'data-counter')!, [...(byCounter.get(attr(c, 'data-counter')!) ?? []), c]);
    for (const [counter, n] of written) {
      const list = byCounter.get(counter);
      expect(list, counter).toBeDefined();
      for (const c of list!) {
        expect(byClass(c, 'obs'), counter).toHaveLength(n + 1);
        expect(attr(c, 'data-points')).toBe(String(n + 1));
      }
    }
    // Counters without synthetic history: only the scan's observation.
    for (const [counter, list] of byCounter) if (!written.has(counter)) for (const c of list) expect(byClass(c, 'obs'), counter).toHaveLength(1);
    // A growing key has a forecast line, a start-by marker and a runs-out marker.
    const cat = byCounter.get('shard-a/ws_a041/categories.id')![0]!;
    expect(byClass(cat, 'forecast')).toHaveLength(1);
    expect(byClass(cat, 'startby')).toHaveLength(1);
    expect(byClass(cat, 'runsout')).toHaveLength(1);
    expect(byClass(cat, 'history')).toHaveLength(1);
  });

  it('charts have text alternatives: role=img, <title> and <desc>, and a data table with every point', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    for (const fig of byClass(doc, 'chart-fig')) {
      const svg = byTag(fig, 'svg')[0]!;
      expect(attr(svg, 'role')).toBe('img');
      const ids = attr(svg, 'aria-labelledby')!.split(' ');
      expect(ids).toHaveLength(2);
      expect(byId(svg, ids[0]!)?.tagName).toBe('title');
      expect(byId(svg, ids[1]!)?.tagName).toBe('desc');
      expect(text(byId(svg, ids[1]!)!)).toMatch(/observation/);
      const table = byTag(fig, 'table').find((t) => classes(t).includes('visually-hidden'))!;
      expect(byTag(byTag(table, 'tbody')[0]!, 'tr')).toHaveLength(Number(attr(svg, 'data-points')));
    }
  });

  it('"start migrating by" = days left − migration estimate − leadDays', async () => {
    const { input } = await demo();
    const f = input.report.findings.find((x) => x.id === 'pk-capacity:shard-a/ws_a041/categories.id')!;
    const fc = f.forecast!;
    expect(fc.status).toBe('ok');
    const at = Date.parse(input.scannedAt!) + (fc.daysLeft! - fc.migrationDays!.high - input.policy.leadDays) * DAY_MS;
    const { doc } = page(input);
    const row = byTag(byTag(byId(doc, 'keys-table')!, 'tbody')[0]!, 'tr').find((r) => attr(r, 'data-table') === 'categories' && attr(r, 'data-column') === 'id')!;
    expect(Number(attr(row, 'data-startby'))).toBeCloseTo(fc.daysLeft! - fc.migrationDays!.high - input.policy.leadDays, 6);
    expect(text(byTag(row, 'td')[9]!)).toContain(new Date(at).toISOString().slice(0, 10));
    const chart = all(doc, (e) => e.tagName === 'svg' && attr(e, 'data-counter') === 'shard-a/ws_a041/categories.id')[0]!;
    expect(text(byClass(chart, 'startby-label')[0]!)).toBe(`start by ${new Date(at).toISOString().slice(0, 10)}`);
  });

  it('the widening group and the runbook link of each key', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const art = byTag(byId(doc, 'details')!, 'article').find((a) => text(byTag(a, 'h3')[0]!).includes('articles.category_id') && text(a).includes('fk-capacity'))!;
    const members = byTag(byTag(byClass(art, 'members')[0]!, 'tbody')[0]!, 'tr').map((r) => text(byTag(r, 'td')[0]!));
    expect(members).toEqual(expect.arrayContaining(['ws_a041.articles.category_id', 'ws_a041.categories.id']));
    const link = byClass(art, 'runbook')[0]!;
    expect(attr(link, 'href')).toBe('runbooks/shard-a__ws_a041__categories.id.md');
  });

  it('heat strip: one row per shard; every database counted once, in the band of its worst key', async () => {
    const { input, snapshot } = await demo();
    const { doc } = page(input);
    const heat = byTag(byId(doc, 'heat')!, 'table')[0]!;
    const rows = byTag(byTag(heat, 'tbody')[0]!, 'tr');
    expect(rows.map((r) => text(byTag(r, 'th')[0]!).trim())).toEqual(snapshot.shards.map((s) => s.name).sort());
    const bands = heatBands(input.config.thresholds);
    expect(bands.map((b) => b.label)).toEqual(['< 50%', '50–70%', '70–85%', '85–100%', '≥ 100%']);
    for (const r of rows) {
      const counts = byTag(r, 'td').slice(1).map((td) => Number(text(td)));
      expect(counts).toHaveLength(bands.length + 1);
      const s = snapshot.shards.find((x) => x.name === text(byTag(r, 'th')[0]!).trim())!;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(s.databases.length);
    }
    // ws_a041 holds the INT columns that store message_threads ids past 2^31: ≥ 100%.
    const a = rows.find((r) => text(byTag(r, 'th')[0]!).trim() === 'shard-a')!;
    expect(Number(text(byTag(a, 'td')[5]!))).toBeGreaterThan(0);
  });

  it('bands compare exactly: 0.69999999995 is below 70%', () => {
    const t = testConfig().thresholds;
    expect(bandOf(69_999_999_995n, 100_000_000_000n, t)).toBe(1);
    expect(bandOf(70n, 100n, t)).toBe(2);
    expect(bandOf(100n, 100n, t)).toBe(4);
    expect(bandOf(49n, 100n, t)).toBe(0);
  });

  it('the window: observations outside it are not drawn, one dot per time', () => {
    const pts = [
      { at: 10 * DAY_MS, value: 5n },
      { at: 10 * DAY_MS, value: 6n },
      { at: 2 * DAY_MS, value: 1n },
      { at: 31 * DAY_MS, value: 9n },
    ];
    expect(windowPoints(pts, 30 * DAY_MS, 25)).toEqual([{ at: 10 * DAY_MS, value: 6n }]);
  });

  it('without history: no charts, and the page says why', async () => {
    const { input } = await demo(false);
    const { doc } = page(input);
    expect(all(doc, (e) => e.tagName === 'svg' && classes(e).includes('chart'))).toHaveLength(0);
    expect(byClass(doc, 'nochart')).toHaveLength(byTag(byId(doc, 'details')!, 'article').length);
    expect(text(byId(doc, 'overview')!)).toContain('No history store was given');
  });
});

describe('HTML report: offline and self-contained', () => {
  it('loads nothing: no external script, stylesheet, image, font or frame; a CSP that forbids it; the one script allowed by its hash', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    for (const e of walk(doc)) {
      for (const a of ['src', 'srcset', 'data', 'poster', 'background']) expect(attr(e, a), `${e.tagName}[${a}]`).toBeUndefined();
      if (e.tagName === 'link') throw new Error(`<link ${JSON.stringify(e.attrs)}>`);
      expect(['iframe', 'img', 'object', 'embed', 'video', 'audio', 'image', 'use', 'base']).not.toContain(e.tagName);
      const href = attr(e, 'href') ?? attr(e, 'xlink:href');
      // Links are navigation only (runbooks, anchors), never loaded by the page itself.
      if (href !== undefined) expect(e.tagName, href).toBe('a');
    }
    const css = byTag(doc, 'style').map(text).join('\n');
    expect(css).not.toMatch(/@import|url\(|@font-face/);
    const scripts = byTag(doc, 'script');
    expect(scripts).toHaveLength(1);
    const csp = attr(all(doc, (e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy')[0]!, 'content')!;
    expect(csp).toContain("default-src 'none'");
    const hash = createHash('sha256').update(text(scripts[0]!), 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
  });

  it('works in light and dark mode: the stylesheet has a prefers-color-scheme: dark block and declares both schemes', async () => {
    const { input } = await demo();
    const { doc } = page(input);
    const css = byTag(doc, 'style').map(text).join('\n');
    expect(css).toContain('@media (prefers-color-scheme: dark)');
    expect(attr(all(doc, (e) => e.tagName === 'meta' && attr(e, 'name') === 'color-scheme')[0]!, 'content')).toBe('light dark');
  });
});

describe('HTML report: what comes from databases is text', () => {
  const evil = '<script>alert(1)</script>';
  const evilCol = '"><img src=x onerror=alert(2)>';

  function evilInput(): HtmlReportInput {
    const s = snap(
      shard(
        'shard-<b>x</b>',
        db(`ws_${evil}`, table(evil, { id: 'int auto' }, { autoIncrement: 2_000_000_000n }), table('t2', { [evilCol]: 'int auto' }, { autoIncrement: 1_900_000_000n, primaryKey: [evilCol] })),
      ),
    );
    s.errors.push({ shard: 'shard-<i>down</i>', message: `connect ECONNREFUSED ${evil}` });
    const cfg = testConfig();
    const report = attachRunbookLinks(scanSnapshot(s, cfg));
    const observations = counterHistory(observationsFromSnapshot(s, cfg));
    return { report, snapshot: s, config: cfg, policy: DEFAULT_POLICY, history: { observations, windowDays: 30, description: `dir ${evil}` }, scannedAt: s.takenAt, generatedAt: GENERATED, source: `snapshot ${evil}.json` };
  }

  it(`a table named ${evil} is shown as text: no element is created from it`, () => {
    const input = evilInput();
    expect(input.report.findings.length).toBeGreaterThan(0);
    const { doc } = page(input);
    expect(byTag(doc, 'script')).toHaveLength(1); // only the page's own
    expect(byTag(doc, 'img')).toHaveLength(0);
    expect(byTag(doc, 'b')).toHaveLength(0);
    expect(byTag(doc, 'i')).toHaveLength(0);
    for (const e of walk(doc)) for (const a of e.attrs) expect(a.name.startsWith('on'), `${e.tagName}[${a.name}]`).toBe(false);
    // …and the names read as they are.
    const rows = byTag(byTag(byId(doc, 'keys-table')!, 'tbody')[0]!, 'tr');
    expect(rows.map((r) => attr(r, 'data-table'))).toContain(evil);
    expect(rows.map((r) => attr(r, 'data-column'))).toContain(evilCol);
    expect(rows.some((r) => text(byTag(r, 'td')[3]!) === evil)).toBe(true);
    expect(text(byId(doc, 'overview')!)).toContain(`shard-<i>down</i>: connect ECONNREFUSED ${evil}`);
    expect(text(byTag(doc, 'title')[0]!)).not.toContain('<');
    const charts = all(doc, (e) => e.tagName === 'svg' && classes(e).includes('chart'));
    expect(charts.map((c) => text(byTag(c, 'title')[0]!))).toContain(`History of shard-<b>x</b>/ws_${evil}/${evil}.id`);
  });

  it('a runbook link that is not a relative path or http(s) is left out', () => {
    const input = evilInput();
    input.report = { ...input.report, findings: input.report.findings.map((f, i) => ({ ...f, runbook: i === 0 ? 'javascript:alert(1)' : 'java\nscript:alert(1)' })) };
    const { doc } = page(input);
    for (const a of byTag(doc, 'a')) expect(attr(a, 'href')!.toLowerCase()).not.toContain('script:');
  });
});

describe('HTML report: exact integers', () => {
  it('BIGINT UNSIGNED values above 2^53 are printed digit for digit', () => {
    const current = 17_000_000_000_000_000_123n; // not representable as a double
    const s = snap(shard('s1', db('app', table('events', { id: 'bigint unsigned auto' }, { autoIncrement: current + 1n }))));
    const cfg = testConfig();
    const earlier = { shard: 's1', database: 'app', table: 'events', column: 'id', at: Date.parse(s.takenAt) - 2 * DAY_MS, value: current - 2_000_000_000_001n };
    const observations = counterHistory([earlier, ...observationsFromSnapshot(s, cfg)]);
    const report = attachRunbookLinks(applyForecasts(scanSnapshot(s, cfg), s, cfg, observations, { policy: DEFAULT_POLICY, asOf: Date.parse(s.takenAt) }));
    const { doc } = page({ report, snapshot: s, config: cfg, policy: DEFAULT_POLICY, history: { observations, windowDays: 30, description: 'x' }, scannedAt: s.takenAt, generatedAt: GENERATED, source: 'test' });
    const all_ = text(doc);
    expect(all_).toContain('17,000,000,000,000,000,123 / 18,446,744,073,709,551,615');
    const chart = byTag(doc, 'svg')[0]!;
    const titles = byTag(chart, 'circle').map((c) => text(byTag(c, 'title')[0]!));
    expect(titles[0]).toMatch(/: 16,999,998,000,000,000,122$/);
    expect(titles[1]).toMatch(/: 17,000,000,000,000,000,123$/);
    expect(text(byClass(chart, 'max-label')[0]!)).toBe('18,446,744,073,709,551,615');
  });
});

describe('HTML report: from a saved JSON report', () => {
  it('without a snapshot: findings and forecasts as saved, the heat strip from the findings, and the page says so', async () => {
    const { input } = await demo();
    const json = JSON.parse(formatJson(input.report)) as Record<string, unknown>;
    const report: Report = parseReport(json, 'report.json');
    const { doc } = page({ report, config: input.config, policy: input.policy, scannedAt: null, generatedAt: GENERATED, source: 'saved report report.json' });
    expect(byTag(byTag(byId(doc, 'keys-table')!, 'tbody')[0]!, 'tr')).toHaveLength(groupFindings(report.findings).length);
    const note = byClass(byId(doc, 'heat')!, 'note')[0]!;
    expect(text(note)).toContain('From the findings only');
    const heat = byTag(byId(doc, 'heat')!, 'table')[0]!;
    const headers = byTag(byTag(heat, 'thead')[0]!, 'th').map((th) => text(th).trim());
    expect(headers[headers.length - 1]).toBe('no finding (< 70%)');
    // Databases read (coverage) = databases with a finding + databases without one.
    for (const r of byTag(byTag(heat, 'tbody')[0]!, 'tr')) {
      const shardName = text(byTag(r, 'th')[0]!).trim();
      const counts = byTag(r, 'td').slice(1).map((td) => Number(text(td)));
      const c = report.summary.coverage!.find((x) => x.shard === shardName)!;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(c.databasesRead);
    }
    // Days left survive the round trip.
    const row = byTag(byTag(byId(doc, 'keys-table')!, 'tbody')[0]!, 'tr').find((r) => attr(r, 'data-table') === 'categories' && attr(r, 'data-column') === 'id')!;
    expect(Number(attr(row, 'data-days'))).toBeGreaterThan(100);
    expect(text(byId(doc, 'overview')!)).toContain('Scan time');
    expect(text(byTag(doc, 'header')[0]!)).toContain('unknown');
  });
});
