/**
 * `headroom report`: one self-contained HTML page (docs/report.md). Pure: data in, a string out.
 *
 * Inline CSS, inline script and inline SVG; nothing is loaded at view time, and the page's
 * Content-Security-Policy says so to the browser (default-src 'none'; the one script is allowed
 * by its hash). Every text from a database is escaped (html-escape.ts). Integers are printed
 * from bigints; JS numbers appear only as sort keys and chart coordinates.
 */
import { createHash } from 'node:crypto';
import { groupDigits, percent } from '../checks/common.js';
import { fmtRate, isoDay } from '../forecast/forecast.js';
import { fmtDays } from '../forecast/severity.js';
import { formatType } from '../model/integers.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../model/types.js';
import { chartSvg, chartTable, stamp, type ChartInput } from './html-chart.js';
import { esc, safeHref } from './html-escape.js';
import { buildHtmlModel, percentText, type HeatModel, type HtmlModel, type HtmlReportInput, type KeyRow } from './html-model.js';
import { HTML_CSS, HTML_SCRIPT } from './html-assets.js';
import { durationRange } from './units.js';

export type { HtmlReportInput } from './html-model.js';

export function renderHtmlReport(input: HtmlReportInput): string {
  return renderHtml(buildHtmlModel(input));
}

export function renderHtml(model: HtmlModel): string {
  const { input } = model;
  const scriptHash = createHash('sha256').update(HTML_SCRIPT, 'utf8').digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = `headroom report — ${input.scannedAt ? isoDay(Date.parse(input.scannedAt)) : 'scan time unknown'}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<meta name="generator" content="headroom">`,
    `<title>${esc(title)}</title>`,
    `<style>${HTML_CSS}</style>`,
    '</head>',
    '<body>',
    '<a class="skip" href="#keys">Skip to the keys</a>',
    header(model),
    '<main>',
    overview(model),
    keysSection(model),
    heatSection(model.heat, model),
    detailsSection(model),
    '</main>',
    footer(model),
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ── Pieces ────────────────────────────────────────────────────────────────────────────────────

const ICON: Record<Severity, string> = { critical: '▲', warning: '◆', info: '●' };

function sev(s: Severity): string {
  return `<span class="sev sev-${s}"><span aria-hidden="true">${ICON[s]}</span> ${s}</span>`;
}

/** Compact: the icon, with the word for screen readers and as a tooltip. */
function sevIcon(s: Severity): string {
  return `<span class="sev-icon sev-${s}" title="${s}"><span aria-hidden="true">${ICON[s]}</span><span class="visually-hidden">${s}</span></span>`;
}

function plural(n: number, word: string): string {
  return `${groupDigits(BigInt(n))} ${word}${n === 1 ? '' : 's'}`;
}

function header(model: HtmlModel): string {
  const { input } = model;
  const scanned = input.scannedAt ? esc(stamp(Date.parse(input.scannedAt))) : 'unknown (a saved report carries no time; give <code>--at</code>)';
  return [
    '<header class="top">',
    '<h1>headroom: integer keys near their limit</h1>',
    `<p class="meta">Source: ${esc(input.source)} · Scanned: ${scanned} · Generated: ${esc(stamp(Date.parse(input.generatedAt)))}</p>`,
    '<nav aria-label="Sections"><ul><li><a href="#overview">Overview</a></li><li><a href="#keys">Keys that run out soonest</a></li><li><a href="#heat">Databases per ratio band</a></li><li><a href="#details">Each key</a></li></ul></nav>',
    '</header>',
  ].join('\n');
}

function overview(model: HtmlModel): string {
  const { report, history } = model.input;
  const s = report.summary;
  const stat = (label: string, value: string, cls = '') => `<div class="stat${cls ? ` ${cls}` : ''}"><dt>${label}</dt><dd>${value}</dd></div>`;
  const out = ['<section id="overview" aria-labelledby="overview-h">', '<h2 id="overview-h">Fleet overview</h2>', '<dl class="stats">'];
  out.push(stat('Shards', groupDigits(BigInt(s.shards))));
  out.push(stat('Databases', groupDigits(BigInt(s.databases))));
  out.push(stat('Tables', groupDigits(BigInt(s.tables))));
  for (const sv of ['critical', 'warning', 'info'] as const) out.push(stat(`${sev(sv)}`, `${groupDigits(BigInt(s.findings[sv]))} <small>finding${s.findings[sv] === 1 ? '' : 's'}</small>`, s.findings[sv] ? `has-${sv}` : ''));
  out.push(stat('Scan errors', groupDigits(BigInt(s.errors)), s.errors ? 'has-errors' : ''));
  out.push(stat('Scan time', model.input.scannedAt ? `<time datetime="${esc(model.input.scannedAt)}">${esc(stamp(Date.parse(model.input.scannedAt)))}</time>` : 'unknown', 'time'));
  out.push('</dl>');
  const groups = model.rows.length;
  out.push(
    `<p>${report.findings.length === 0 ? 'No key is near its limit.' : `${plural(report.findings.length, 'finding')} in ${plural(groups, 'group')}: the same check on the same <code>table.column</code> across tenant databases is one group, as in the CLI table.`} ` +
      (history
        ? `Forecasts use the history in <code>${esc(history.description)}</code> (the last ${history.windowDays} days).`
        : 'No history store was given: no forecasts and no charts (see <code>--history</code>).') +
      '</p>',
  );
  const partial = (s.coverage ?? []).filter((c) => !c.complete);
  if (report.errors.length || partial.length) {
    out.push('<div class="errors" role="note"><h3><span aria-hidden="true">⚠</span> What was not read</h3><p>Keys on these shards were <strong>not checked</strong> (or only in part):</p><ul>');
    for (const e of report.errors) out.push(`<li><strong>${esc(e.shard)}</strong>: ${esc(e.message)}</li>`);
    for (const c of partial) {
      if (report.errors.some((e) => e.shard === c.shard)) continue;
      out.push(`<li><strong>${esc(c.shard)}</strong>: ${c.databasesRead} of ${c.databasesMatched ?? '?'} databases read in full</li>`);
    }
    out.push('</ul></div>');
  }
  out.push('</section>');
  return out.join('\n');
}

function ratioText(f: Finding): string {
  if (f.current !== null && f.current > f.max) return `<strong>OVER</strong> <small>${f.ratio === null ? '' : percent(f.ratio, true)}</small>`;
  return f.ratio === null ? '—' : percent(f.ratio, f.current !== null && f.current >= f.max);
}

function daysText(f: Finding): { html: string; sort: string } {
  const fc = f.forecast;
  if (!fc) return { html: '<span class="muted">—</span>', sort: '' };
  switch (fc.status) {
    case 'exhausted':
      return { html: '<strong>none left</strong>', sort: '0' };
    case 'unknown':
      return { html: `<span class="muted">unknown <small>(${fc.observations} obs.)</small></span>`, sort: '' };
    case 'not-growing':
      return { html: '<span class="muted">not growing</span>', sort: '' };
    case 'ok':
      return { html: `${fmtDays(fc.daysLeft!)} days<br><small>${esc(fc.date ?? 'after 9999')}</small>`, sort: String(fc.daysLeft) };
  }
}

function migrationText(r: KeyRow): string {
  if (!r.migrationDays) return '<span class="muted">—</span>';
  const { low, high } = r.migrationDays;
  return esc(durationRange(low * 86_400, high * 86_400));
}

function startByText(r: KeyRow): string {
  if (!r.startBy) return '<span class="muted">—</span>';
  const date = isoDay(r.startBy.at);
  if (r.startBy.days < 0) return `<span class="overdue"><span aria-hidden="true">⚠</span> overdue</span><br><small>was ${date}</small>`;
  return `${date}<br><small>in ${fmtDays(r.startBy.days)} days</small>`;
}

function where(r: KeyRow): string {
  const g = r.group;
  return g.databases.size === 1 ? '' : `${plural(g.databases.size, 'database')} on ${plural(g.shards.size, 'shard')}`;
}

const COLUMNS: { key: string; label: string; type: 'num' | 'text'; first: 'asc' | 'desc' }[] = [
  { key: 'severity', label: 'Severity', type: 'num', first: 'desc' },
  { key: 'shard', label: 'Shard', type: 'text', first: 'asc' },
  { key: 'database', label: 'Database', type: 'text', first: 'asc' },
  { key: 'table', label: 'Table', type: 'text', first: 'asc' },
  { key: 'column', label: 'Column', type: 'text', first: 'asc' },
  { key: 'type', label: 'Type', type: 'text', first: 'asc' },
  { key: 'ratio', label: 'Used', type: 'num', first: 'desc' },
  { key: 'days', label: 'Days left', type: 'num', first: 'asc' },
  { key: 'migration', label: 'Migration', type: 'num', first: 'desc' },
  { key: 'startby', label: 'Start by', type: 'num', first: 'asc' },
];

function keysSection(model: HtmlModel): string {
  const out = ['<section id="keys" aria-labelledby="keys-h">', '<h2 id="keys-h">Keys that run out soonest</h2>'];
  if (model.rows.length === 0) {
    out.push('<p>No findings.</p>', '</section>');
    return out.join('\n');
  }
  out.push(
    '<p class="hint">Worst first, then the fewest days left. Each row is a group: its shard, database, ratio and days are those of the database that runs out soonest (without forecasts, the worst ratio); open a row\'s database list for every database. Sort with the column buttons; filter by any name.</p>',
    '<div class="controls" role="search">',
    '<label for="keys-filter">Filter</label> <input id="keys-filter" type="search" placeholder="shard, database, table, column, check…" autocomplete="off" spellcheck="false">',
    '<label for="keys-severity">Severity</label> <select id="keys-severity"><option value="">all</option><option value="critical">critical</option><option value="warning">warning</option><option value="info">info</option></select>',
    `<p id="keys-status" role="status" aria-live="polite">Showing ${model.rows.length} of ${plural(model.rows.length, 'group')}.</p>`,
    '</div>',
    '<div class="table-wrap">',
    '<table id="keys-table" class="keys">',
    '<caption class="visually-hidden">Keys near their limit, one row per group; column headers are sort buttons.</caption>',
    '<thead><tr>' +
      COLUMNS.map(
        (c) =>
          `<th scope="col" data-key="${c.key}"><button type="button" data-key="${c.key}" data-type="${c.type}" data-first="${c.first}">${c.label}<span class="arrow" aria-hidden="true"></span></button></th>`,
      ).join('') +
      '</tr></thead>',
    '<tbody>',
  );
  for (const r of model.rows) out.push(keyRowHtml(r));
  out.push('</tbody>', '</table>', '</div>', '</section>');
  return out.join('\n');
}

function keyRowHtml(r: KeyRow): string {
  const f = r.lead;
  const days = daysText(f);
  const search = [f.check, r.severity, formatType(f), f.table, f.column, f.references ? `${f.references.table}.${f.references.column}` : '', ...r.group.findings.flatMap((x) => [x.shard, x.database, ...(x.shards ?? [])])]
    .join(' ')
    .toLowerCase();
  const attrs: Record<string, string> = {
    'data-order': String(r.n),
    'data-severity': String(SEVERITY_RANK[r.severity]),
    'data-sev': r.severity,
    'data-shard': f.shard,
    'data-database': f.database,
    'data-table': f.table,
    'data-column': f.column,
    'data-type': formatType(f),
    'data-ratio': f.ratio === null ? '' : String(f.ratio),
    'data-days': days.sort,
    'data-migration': r.migrationDays ? String(r.migrationDays.high) : '',
    'data-startby': r.startBy ? String(r.startBy.days) : '',
    'data-search': search,
  };
  const more = where(r);
  const dbCell = more
    ? `<details class="dbs"><summary><span class="mono">${esc(f.database)}</span><br><small>${esc(more)}</small></summary>${databaseList(r)}</details>`
    : `<span class="mono">${esc(f.database)}</span>${runbookLink(f, 'small')}`;
  const ref = f.references ? `<br><small class="ref">→ ${esc(f.references.table)}.${esc(f.references.column)} ${esc(formatType(f.references))}</small>` : '';
  return (
    `<tr id="row-${r.n}" ${Object.entries(attrs)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(' ')}>` +
    `<td>${sev(r.severity)}<br><small class="mono check">${esc(f.check)}</small></td>` +
    `<td class="mono">${esc(f.shards ? f.shards.join(', ') : f.shard)}</td>` +
    `<td class="db">${dbCell}</td>` +
    `<td class="mono">${esc(f.table)}</td>` +
    `<td class="mono"><a href="#key-${r.n}">${esc(f.column)}</a>${ref}</td>` +
    `<td class="mono">${esc(formatType(f))}</td>` +
    `<td class="num">${ratioText(f)}</td>` +
    `<td class="num">${days.html}</td>` +
    `<td class="num">${migrationText(r)}</td>` +
    `<td class="num">${startByText(r)}</td>` +
    '</tr>'
  );
}

/** A group's databases listed in its row, at most this many (worst and soonest first): the page stays small for large tenant fleets. */
export const MAX_LISTED_DATABASES = 500;

function databaseList(r: KeyRow): string {
  const sorted = [...r.group.findings].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.forecast?.daysLeft ?? Infinity) - (b.forecast?.daysLeft ?? Infinity),
  );
  const items = sorted
    .slice(0, MAX_LISTED_DATABASES)
    .map((x) => {
      const d = daysText(x);
      const days = d.sort === '' ? '' : ` · <span class="nowrap">${d.html.replace('<br>', ' ')}</span>`;
      return `<li>${sevIcon(x.severity)} <span class="mono">${esc(x.shard)}/${esc(x.database)}</span> · ${ratioText(x)}${days}${runbookLink(x, 'small')}</li>`;
    });
  const rest = sorted.length - items.length;
  return `<ul class="dblist">${items.join('')}</ul>${rest > 0 ? `<p class="small muted">and ${plural(rest, 'more finding')} (every one: <code>scan --format json</code>)</p>` : ''}`;
}

/** A link to the finding's runbook: "runbook" (compact), or its file name. */
function runbookLink(f: Finding, cls = '', long = false): string {
  const href = safeHref(f.runbook);
  if (!href) return '';
  const name = href.split('/').pop() || href;
  const label = long ? `<span class="mono">${esc(name)}</span>` : 'runbook';
  return ` <a class="runbook${cls ? ` ${cls}` : ''}" href="${esc(href)}" aria-label="Runbook for ${esc(`${f.shard}/${f.database}/${f.table}.${f.column}`)}">${label}</a>`;
}

function heatSection(heat: HeatModel, model: HtmlModel): string {
  const out = ['<section id="heat" aria-labelledby="heat-h">', '<h2 id="heat-h">Databases per ratio band, per shard</h2>'];
  const t = model.input.config.thresholds;
  out.push(
    heat.source === 'snapshot'
      ? `<p class="hint">Each database counts once, in the band of its worst key: a key's own ratio, or for a column that stores another key's ids, that key's current value over the column's max. From every key in the snapshot. Thresholds: warning ${percentText(t.warning)}%, critical ${percentText(t.critical)}%.</p>`
      : `<p class="hint note"><span aria-hidden="true">ℹ</span> <strong>From the findings only</strong> (a saved JSON report, no snapshot): a database without a finding is below the warning threshold (${percentText(t.warning)}%), and no finer band is known for it. Give <code>--snapshot</code> for every key's band.</p>`,
  );
  if (heat.rows.length === 0) {
    out.push('<p>No shards.</p>', '</section>');
    return out.join('\n');
  }
  const extra = heat.source === 'findings' ? { label: `no finding (< ${percentText(t.warning)}%)`, pick: (r: HeatModel['rows'][number]) => r.noFinding } : { label: 'no key value', pick: (r: HeatModel['rows'][number]) => r.unknown };
  out.push('<div class="table-wrap"><table class="heat">', '<caption class="visually-hidden">Number of databases in each ratio band, per shard</caption>');
  out.push(
    '<thead><tr><th scope="col">Shard</th><th scope="col" class="strip-h">Share of databases</th>' +
      heat.bands.map((b) => `<th scope="col" class="num"><span class="band-key tone-${b.tone}" aria-hidden="true"></span>${esc(b.label)}</th>`).join('') +
      `<th scope="col" class="num">${esc(extra.label)}</th></tr></thead><tbody>`,
  );
  for (const r of heat.rows) {
    const other = extra.pick(r);
    const total = r.counts.reduce((a, b) => a + b, 0) + (other ?? 0);
    const segs = r.counts
      .map((n, i) => (n ? `<span class="seg tone-${heat.bands[i]!.tone}" style="flex-grow:${n}" title="${esc(`${heat.bands[i]!.label}: ${n}`)}"></span>` : ''))
      .join('');
    const otherSeg = other ? `<span class="seg tone-none" style="flex-grow:${other}"></span>` : '';
    out.push(
      `<tr><th scope="row" class="mono">${esc(r.shard)}${r.error ? ' <span class="overdue"><span aria-hidden="true">⚠</span> not fully read</span>' : ''}</th>` +
        `<td class="strip-cell"><span class="strip" aria-hidden="true">${total ? segs + otherSeg : ''}</span></td>` +
        r.counts.map((n, i) => `<td class="num heat-n${n ? ` tone-${heat.bands[i]!.tone}-text` : ' zero'}">${n}</td>`).join('') +
        `<td class="num${other ? '' : ' zero'}">${other ?? '?'}</td></tr>`,
    );
  }
  out.push('</tbody></table></div>', '</section>');
  return out.join('\n');
}

function detailsSection(model: HtmlModel): string {
  const out = ['<section id="details" aria-labelledby="details-h">', '<h2 id="details-h">Each key</h2>'];
  if (model.rows.length === 0) out.push('<p>No findings.</p>');
  const lead = model.input.policy.leadDays;
  out.push(
    `<p class="hint">"Start migrating by" = the day the key runs out − the estimated migration time (high end) − leadDays (${fmtDays(lead)}). The migration rule turns a finding critical earlier, at days left < migration time × safetyFactor (${model.input.policy.safetyFactor}) + leadDays.</p>`,
  );
  for (const r of model.rows) out.push(keyArticle(r, model));
  out.push('</section>');
  return out.join('\n');
}

function keyArticle(r: KeyRow, model: HtmlModel): string {
  const f = r.lead;
  const fc = f.forecast;
  const id = `key-${r.n}`;
  const out = [`<article id="${id}" class="key sev-border-${r.severity}" aria-labelledby="${id}-h">`];
  out.push(
    `<h3 id="${id}-h">${sev(r.severity)} <span class="mono">${esc(f.table)}.${esc(f.column)}</span> <small class="mono">${esc(formatType(f))}</small>` +
      (f.references ? ` <small>→ <span class="mono">${esc(f.references.table)}.${esc(f.references.column)}</span></small>` : '') +
      `</h3>`,
  );
  const more = where(r);
  out.push(`<p class="where">${esc(f.check)} · <span class="mono">${esc(f.shard)}/${esc(f.database)}</span>${more ? ` · the one that runs out soonest of ${esc(more)}` : ''} · <a href="#row-${r.n}">back to the table</a></p>`);
  out.push(`<p class="message">${esc(f.message)}</p>`);
  out.push('<div class="key-body">');

  // Chart, or why there is none.
  const pts = r.points;
  if (pts && pts.length > 0) {
    const chart: ChartInput = {
      id: `${id}-chart`,
      counter: r.counter,
      points: pts,
      max: f.max,
      typeLabel: formatType(f),
      current: f.current,
      asOf: model.asOf,
      idsPerDay: fc?.status === 'ok' ? fc.idsPerDay : null,
      exhaustionAt: r.exhaustionAt,
      startByAt: r.startBy?.at ?? null,
    };
    out.push(
      `<figure class="chart-fig">${chartSvg(chart)}<figcaption><span class="lg lg-obs" aria-hidden="true"></span>observed (${pts.length}) ` +
        (chart.idsPerDay ? `<span class="lg lg-fc" aria-hidden="true"></span>forecast ${esc(fmtRate(chart.idsPerDay))} ids/day ` : '') +
        `<span class="lg lg-max" aria-hidden="true"></span>max of ${esc(formatType(f))} ` +
        (r.startBy ? `<span class="lg lg-sb" aria-hidden="true"></span>start migrating by ` : '') +
        (chart.idsPerDay && r.exhaustionAt !== null ? `<span class="lg lg-ro" aria-hidden="true"></span>runs out` : '') +
        `</figcaption>${chartTable(chart)}</figure>`,
    );
  } else {
    out.push(
      `<p class="nochart">${model.input.history ? `No observations of <span class="mono">${esc(r.counter)}</span> in the history window.` : 'No chart: no history store was given (<code>--history</code>).'}</p>`,
    );
  }

  // Facts.
  const facts: [string, string][] = [];
  facts.push(['Counter', `<span class="mono">${esc(r.counter)}</span>`]);
  facts.push(['Current / max', `${f.current === null ? '?' : esc(groupDigits(f.current))} / ${esc(groupDigits(f.max))}`]);
  facts.push(['Used', ratioText(f)]);
  if (fc) {
    facts.push(['Growth', fc.idsPerDay !== null ? `${esc(fmtRate(fc.idsPerDay))} ids/day <small>(${fc.observations} obs., ${fc.windowDays} days)</small>` : `<span class="muted">${esc(fc.status)}</span>`]);
    facts.push(['Days left', daysText(f).html.replace('<br>', ' · ')]);
  }
  facts.push(['Migration estimate', r.migrationDays ? `${migrationText(r)}${fc?.migrationDays ? '' : ' <small>(planner)</small>'}` : '<span class="muted">unknown (needs the snapshot)</span>']);
  if (fc?.criticalBelowDays !== null && fc?.criticalBelowDays !== undefined) facts.push(['Critical below', `${fmtDays(fc.criticalBelowDays)} days left <small>(severity set by the ${fc.rule} rule)</small>`]);
  facts.push(['Start migrating by', r.startBy ? startByText(r).replace('<br>', ' · ') : '<span class="muted">needs a forecast</span>']);
  const link = runbookLink(f, '', true);
  facts.push(['Runbook', link ? link.trim() : '<span class="muted">none</span>']);
  out.push(`<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`);
  out.push('</div>');

  if (fc?.notes.length) out.push(`<ul class="notes">${fc.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);

  // The widening group.
  out.push('<h4>Widening group</h4>');
  if (r.plan) {
    out.push('<div class="table-wrap"><table class="members"><thead><tr><th scope="col">Column</th><th scope="col">Role</th><th scope="col">Type now → after</th><th scope="col">Found by</th></tr></thead><tbody>');
    for (const m of r.plan.members) {
      out.push(
        `<tr><td class="mono">${esc(m.ref.database)}.${esc(m.ref.table)}.${esc(m.ref.column)}</td><td>${m.role}</td>` +
          `<td class="mono">${esc(m.current.columnType)} ${m.needsChange ? `→ ${esc(formatType(m.target))}` : '<small>(unchanged)</small>'}</td>` +
          `<td>${m.source ? `${esc(m.source)}${m.evidence ? ` <small>${esc(m.evidence)}</small>` : ''}` : '—'}</td></tr>`,
      );
    }
    out.push('</tbody></table></div>');
    if (r.plan.blocked.length) out.push(`<p class="overdue"><span aria-hidden="true">⚠</span> Blocked: ${r.plan.blocked.map(esc).join(' ')}</p>`);
  } else {
    out.push('<p class="muted">The full group needs the catalog: give <code>--snapshot</code> (or scan live). Columns of this report about the same key:</p>');
    const cols = [...new Map(r.related.map((x) => [`${x.database}.${x.table}.${x.column}`, x])).values()];
    out.push(`<ul>${cols.map((x) => `<li class="mono">${esc(x.database)}.${esc(x.table)}.${esc(x.column)} <small>${esc(formatType(x))}, ${esc(x.check)}</small></li>`).join('')}</ul>`);
  }
  out.push('</article>');
  return out.join('\n');
}

function footer(model: HtmlModel): string {
  return [
    '<footer>',
    `<p>Generated by headroom. This page is self-contained: it loads nothing from the network. Integers are exact; ratios and days are for display. How it is computed: docs/report.md and docs/history-and-forecast.md.</p>`,
    model.input.report.findings.some((f) => f.runbook && !safeHref(f.runbook)) ? '<p>Some runbook links in the input were not http(s) or relative paths and are left out.</p>' : '',
    '</footer>',
  ].join('\n');
}
