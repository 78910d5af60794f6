/**
 * The HTML report's inline stylesheet and script. Static text: no data is interpolated here
 * (the script reads the table's data-* attributes), so the script's CSP hash is fixed.
 */

export const HTML_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --border: #d0d7de; --card: #f6f8fa; --link: #0b5cd6;
  --crit: #b42318; --crit-bg: #fdecea; --warn: #8a5300; --warn-bg: #fff3d6; --info: #59636e; --info-bg: #eef1f4;
  --obs: #0b62d6; --fc: #7a3fd0; --max: #b42318; --sb: #8a5300; --ro: #b42318; --grid: #e4e8ec;
  --t-ok: #8fd19e; --t-mid: #d8e3a0; --t-warn: #f2c14e; --t-crit: #e8704f; --t-over: #a4161a; --t-none: #d0d7de;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --border: #30363d; --card: #161b22; --link: #6cb6ff;
    --crit: #ff8a80; --crit-bg: #3b1717; --warn: #f0c050; --warn-bg: #3a2c0b; --info: #9da7b3; --info-bg: #21262d;
    --obs: #6cb6ff; --fc: #d2a8ff; --max: #ff8a80; --sb: #f0c050; --ro: #ff8a80; --grid: #2a3038;
    --t-ok: #2f6f3e; --t-mid: #5f6b2a; --t-warn: #9a7414; --t-crit: #b5472c; --t-over: #e0484f; --t-none: #30363d;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1280px; padding: 0 20px 40px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
small, .small { font-size: 0.82em; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 20px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 2; }
header.top { border-bottom: 1px solid var(--border); padding: 18px 0 8px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.05rem; margin: 0 0 4px; }
h4 { font-size: 0.95rem; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0 0 6px; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 6px 0; }
.hint { color: var(--muted); max-width: 80ch; }
.note { background: var(--info-bg); color: var(--fg); padding: 8px 12px; border-radius: 6px; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: 10px; margin: 8px 0 12px; }
.stat { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; }
.stat dt { color: var(--muted); font-size: 0.85em; }
.stat dd { margin: 2px 0 0; font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat dd small { font-size: 0.6em; font-weight: normal; color: var(--muted); }
.stat.time { grid-column: span 2; }
.stat.time dd { font-size: 1.1rem; }
.stat.has-critical { border-color: var(--crit); background: var(--crit-bg); }
.stat.has-warning { border-color: var(--warn); background: var(--warn-bg); }
.stat.has-errors { border-color: var(--crit); }
.stat.has-errors dd { color: var(--crit); }
.errors { border: 2px solid var(--crit); background: var(--crit-bg); border-radius: 8px; padding: 4px 14px; margin: 12px 0; }
.errors h3 { color: var(--crit); margin-top: 8px; }
.sev { display: inline-block; white-space: nowrap; font-weight: 600; font-size: 0.85em; padding: 1px 7px; border-radius: 10px; border: 1px solid currentColor; }
.sev-critical { color: var(--crit); background: var(--crit-bg); text-transform: uppercase; }
.sev-warning { color: var(--warn); background: var(--warn-bg); }
.sev-info { color: var(--info); background: var(--info-bg); }
.stat dt .sev { font-size: 0.95em; }
.overdue { color: var(--crit); font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 10px; margin: 10px 0; }
.controls input, .controls select { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 5px 8px; }
.controls input { min-width: 22em; }
#keys-status { margin: 0 0 0 auto; color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 7px; border-bottom: 1px solid var(--border); }
thead th { background: var(--card); position: sticky; top: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.keys td { font-size: 0.93em; }
table.keys tbody tr:hover { background: var(--card); }
th button { font: inherit; font-weight: 600; color: var(--fg); background: none; border: 0; padding: 0; cursor: pointer; text-align: left; white-space: nowrap; }
th button .arrow::after { content: " ↕"; color: var(--muted); }
th[aria-sort="ascending"] button .arrow::after { content: " ▲"; color: var(--fg); }
th[aria-sort="descending"] button .arrow::after { content: " ▼"; color: var(--fg); }
.ref { color: var(--muted); }
.check { color: var(--muted); white-space: nowrap; }
td.db { min-width: 13em; }
.sev-icon { font-weight: 700; }
.sev-icon.sev-critical, .sev-icon.sev-warning, .sev-icon.sev-info { background: none; border: 0; padding: 0; }
details.dbs summary { cursor: pointer; }
.dblist { margin: 6px 0 0; padding-left: 0; list-style: none; }
.dblist li { margin: 3px 0; }
a.runbook { white-space: nowrap; }
.facts a.runbook { white-space: normal; overflow-wrap: anywhere; }
table.heat th, table.heat td { white-space: nowrap; }
.strip-h { width: 40%; }
.strip-cell { width: 40%; min-width: 160px; vertical-align: middle; }
.strip { display: flex; height: 18px; border-radius: 4px; overflow: hidden; border: 1px solid var(--border); background: var(--card); }
.seg { display: block; min-width: 3px; border-right: 1px solid var(--bg); }
.tone-ok { background: var(--t-ok); } .tone-mid { background: var(--t-mid); } .tone-warn { background: var(--t-warn); }
.tone-crit { background: var(--t-crit); } .tone-over { background: var(--t-over); } .tone-none { background: var(--t-none); }
.band-key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; border: 1px solid var(--border); }
.heat-n { font-weight: 600; }
td.zero { color: var(--muted); font-weight: normal; }
.tone-warn-text { color: var(--warn); } .tone-crit-text, .tone-over-text { color: var(--crit); }
article.key { border: 1px solid var(--border); border-left-width: 6px; border-radius: 8px; padding: 12px 16px; margin: 14px 0; background: var(--bg); }
article.sev-border-critical { border-left-color: var(--crit); }
article.sev-border-warning { border-left-color: var(--warn); }
article.sev-border-info { border-left-color: var(--info); }
.where { color: var(--muted); margin: 0 0 6px; }
.message { margin: 4px 0 10px; max-width: 110ch; }
.key-body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(240px, 2fr); gap: 16px; align-items: start; }
@media (max-width: 820px) { .key-body { grid-template-columns: 1fr; } .controls input { min-width: 0; width: 100%; } }
.facts { margin: 0; display: grid; gap: 4px; }
.facts div { display: grid; grid-template-columns: 11em 1fr; gap: 8px; border-bottom: 1px dotted var(--border); padding: 2px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.notes { color: var(--muted); font-size: 0.9em; }
.nochart { color: var(--muted); background: var(--card); border: 1px dashed var(--border); border-radius: 8px; padding: 24px; margin: 0; }
figure.chart-fig { margin: 0; }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg.chart .plot { fill: var(--card); stroke: var(--border); }
svg.chart .axis { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
svg.chart .max-label { fill: var(--max); }
svg.chart .tick { stroke: var(--muted); }
svg.chart .max { stroke: var(--max); stroke-width: 1.5; stroke-dasharray: 2 3; }
svg.chart .history { fill: none; stroke: var(--obs); stroke-width: 2; }
svg.chart .obs { fill: var(--obs); stroke: var(--bg); stroke-width: 1; }
svg.chart .forecast { stroke: var(--fc); stroke-width: 2; stroke-dasharray: 7 5; }
svg.chart .startby { stroke: var(--sb); stroke-width: 2; }
svg.chart .runsout { stroke: var(--ro); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg.chart .marker { font-size: 11px; font-weight: 600; }
svg.chart .startby-label { fill: var(--sb); }
svg.chart .runsout-label { fill: var(--ro); }
figcaption { font-size: 0.85em; color: var(--muted); margin-top: 4px; }
.lg { display: inline-block; width: 18px; height: 0; margin: 0 5px 3px 10px; vertical-align: middle; border-top: 2px solid; }
.lg-obs { border-color: var(--obs); } .lg-fc { border-color: var(--fc); border-top-style: dashed; } .lg-max { border-color: var(--max); border-top-style: dotted; }
.lg-sb { border-color: var(--sb); width: 0; height: 12px; border-top: 0; border-left: 2px solid var(--sb); }
.lg-ro { border-color: var(--ro); width: 0; height: 12px; border-top: 0; border-left: 2px dashed var(--ro); }
table.members td, table.members th { font-size: 0.9em; }
footer { margin-top: 40px; border-top: 1px solid var(--border); color: var(--muted); font-size: 0.85em; }
@media print { thead th { position: static; } .controls { display: none; } details.dbs[open] summary ~ * { display: block; } }
`;

export const HTML_SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('keys-table');
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById('keys-filter');
  var severity = document.getElementById('keys-severity');
  var status = document.getElementById('keys-status');
  var state = { key: null, dir: 1 };

  function value(row, key, type) {
    var v = row.getAttribute('data-' + key);
    if (type === 'num') return v === null || v === '' ? null : Number(v);
    return (v || '').toLowerCase();
  }

  function sort(key, type, dir) {
    var sorted = rows.slice().sort(function (a, b) {
      var x = value(a, key, type), y = value(b, key, type);
      var tie = Number(a.getAttribute('data-order')) - Number(b.getAttribute('data-order'));
      if (x === null && y === null) return tie;
      if (x === null) return 1;
      if (y === null) return -1;
      var c = type === 'num' ? x - y : (x < y ? -1 : x > y ? 1 : 0);
      return c * dir || tie;
    });
    sorted.forEach(function (r) { tbody.appendChild(r); });
  }

  Array.prototype.forEach.call(table.querySelectorAll('thead button[data-key]'), function (button) {
    button.addEventListener('click', function () {
      var key = button.getAttribute('data-key');
      var type = button.getAttribute('data-type');
      var dir = state.key === key ? -state.dir : (button.getAttribute('data-first') === 'desc' ? -1 : 1);
      state = { key: key, dir: dir };
      sort(key, type, dir);
      Array.prototype.forEach.call(table.querySelectorAll('thead th'), function (th) {
        if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      });
      status.textContent = 'Sorted by ' + button.textContent.trim() + ', ' + (dir === 1 ? 'ascending' : 'descending') + '. ' + shown();
    });
  });

  function shown() {
    var n = rows.filter(function (r) { return !r.hidden; }).length;
    return 'Showing ' + n + ' of ' + rows.length + ' group' + (rows.length === 1 ? '' : 's') + '.';
  }

  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var sev = severity.value;
    rows.forEach(function (r) {
      var text = r.getAttribute('data-search') || '';
      var ok = (!sev || r.getAttribute('data-sev') === sev) && words.every(function (w) { return text.indexOf(w) !== -1; });
      r.hidden = !ok;
    });
    status.textContent = shown();
  }
  filter.addEventListener('input', applyFilter);
  severity.addEventListener('change', applyFilter);
})();
`;
