/** @module The self-contained HTML status page: server-rendered tables, inline CSS, and an inline script that re-renders from the JSON every 2 s. */
import { createHash } from 'node:crypto';
import type { ResolverNameStatus, ServerStatus, StatusSnapshot, UpstreamStatus } from '../types.js';
import { HISTORY_SAMPLES } from './status-history.js';

/** How often the page fetches the JSON again. */
export const STATUS_REFRESH_MS = 2000;
/** A sparkline's size in px (60 samples are 2 px apart; the history's `keep` samples span the width). */
const SPARK_W = 118;
const SPARK_H = 24;

const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--up:#1a7f37;--drain:#9a6700;--backup:#0969da;--bad:#cf222e;--down:#6e7781}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:baseline;gap:16px;padding:14px 24px;background:#24292f;color:#fff}
header h1{margin:0;font-size:18px;font-weight:600}
header .meta{color:#afb8c1;font-size:13px}
header .meta.stale{color:#ff8182}
main{padding:16px 24px;display:grid;gap:16px}
section.pool{background:#fff;border:1px solid var(--line);border-radius:8px;overflow:auto}
section.pool h2{margin:0;padding:10px 14px;font-size:15px;display:flex;gap:12px;align-items:baseline;border-bottom:1px solid var(--line)}
section.pool h2 .info{font-weight:400;color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 9px;text-align:right;white-space:nowrap;border-bottom:1px solid #eaeef2}
th{font-size:12px;font-weight:600;color:var(--muted);background:#fafbfc}
th:first-child,td:first-child,th.l,td.l{text-align:left}
tr:last-child td{border-bottom:0}
td.url{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
tr.state-failed td,tr.state-unhealthy td{background:#ffebe9}
tr.state-down td{color:var(--muted)}
tr.state-draining td{background:#fff8c5}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;margin-right:4px}
.b-up{background:var(--up)}
.b-draining{background:var(--drain)}
.b-failed,.b-unhealthy{background:var(--bad)}
.b-down{background:var(--down)}
.b-backup{background:var(--backup)}
.ok{color:var(--up)}
.bad{color:var(--bad)}
.zero{color:#afb8c1}
.empty{padding:24px;color:var(--muted)}
td.check{max-width:220px;overflow:hidden;text-overflow:ellipsis}
.from{color:var(--muted);font-size:12px}
tr.state-zombie td{color:var(--muted);font-style:italic}
.b-zombie{background:var(--down)}
table.resolver{border-top:1px solid var(--line)}
td.answer{white-space:normal;text-align:left;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
svg.spark{vertical-align:middle;background:#f6f8fa;border-radius:3px;margin-right:6px}
svg.spark polyline{fill:none;stroke-width:1.5;stroke-linejoin:round}
.line-req{stroke:#0969da}.line-p50{stroke:#1a7f37}.line-p99{stroke:#bc4c00}.line-retry{stroke:#9a6700}.line-nolive{stroke:#cf222e}
svg.spark line.mark{stroke-width:2;stroke:var(--down)}
svg.spark line.mark.m-up{stroke:var(--up)}svg.spark line.mark.m-draining{stroke:var(--drain)}svg.spark line.mark.m-failed,svg.spark line.mark.m-unhealthy{stroke:var(--bad)}
.spark-label{font-size:12px;color:var(--muted)}
.pool-graph{font-weight:400;font-size:12px;color:var(--muted);margin-left:auto}
.k-req{color:#0969da}.k-p50{color:#1a7f37}.k-p99{color:#bc4c00}.k-retry{color:#9a6700}.k-nolive{color:#cf222e}
`;

/** The browser half: the same table as `renderPools`, built with DOM calls (text only, never innerHTML). */
const SCRIPT = `
(function () {
  'use strict';
  var REFRESH = ${STATUS_REFRESH_MS};
  var CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
  var HEAD = ['Server', 'State', 'Req/s', 'p50 / p99 ms', 'Weight', 'Active', 'Requests'].concat(CLASSES, ['Fails', 'Unavail.', 'Header ms', 'Total ms', 'Last check', 'Checked']);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  var W = ${SPARK_W}, H = ${SPARK_H};
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function xAt(i, n, slots) { return Math.round((W - (n - 1 - i) * (W / (slots - 1))) * 10) / 10; }
  // The same drawing as sparkline() on the server: one polyline per series, a tick where the state changed.
  function spark(series, classes, states, title, slots) {
    var svg = svgEl('svg', { 'class': 'spark', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
    var t = svgEl('title', {});
    t.textContent = title;
    svg.appendChild(t);
    var n = series[0].length;
    var max = 0;
    series.forEach(function (s) { s.forEach(function (v) { if (v > max) max = v; }); });
    if (states) {
      for (var i = 1; i < states.length; i++) {
        if (states[i] === states[i - 1]) continue;
        var mark = svgEl('line', { 'class': 'mark m-' + states[i], x1: xAt(i, n, slots), y1: 0, x2: xAt(i, n, slots), y2: H });
        var why = svgEl('title', {});
        why.textContent = states[i - 1] + ' \\u2192 ' + states[i];
        mark.appendChild(why);
        svg.appendChild(mark);
      }
    }
    series.forEach(function (s, k) {
      var pts = s.map(function (v, i) { return xAt(i, n, slots) + ',' + (Math.round((H - 2 - (max > 0 ? v / max : 0) * (H - 4)) * 10) / 10); });
      svg.appendChild(svgEl('polyline', { 'class': classes[k], points: pts.join(' ') }));
    });
    return svg;
  }
  function graphCell(svg, label) {
    var td = el('td', 'l graph');
    td.appendChild(svg);
    td.appendChild(el('span', 'spark-label', label));
    return td;
  }
  function spanOf(ms) { return ms < 120000 ? Math.round(ms / 1000) + ' s' : Math.round(ms / 60000) + ' min'; }
  function last(a) { return a.length ? a[a.length - 1] : 0; }
  function rate(n, intervalMs) { return Math.round((n / (intervalMs / 1000)) * 10) / 10; }
  function num(n) { return el('td', n === 0 ? 'zero' : '', n); }
  function ms(n) { return n > 0 ? (Math.round(n * 10) / 10).toString() : '-'; }
  function age(at, now) {
    var s = Math.max(0, Math.round((now - at) / 1000));
    return s < 60 ? s + 's ago' : s < 3600 ? Math.floor(s / 60) + 'm ago' : Math.floor(s / 3600) + 'h ago';
  }
  function row(s, now, hist) {
    var tr = el('tr', 'state-' + s.state);
    tr.setAttribute('data-url', s.url);
    var server = el('td', 'url', s.url);
    if (s.name) server.appendChild(el('span', 'from', ' \u2190 ' + s.name));
    tr.appendChild(server);
    var st = el('td', 'l state');
    st.appendChild(el('span', 'badge b-' + s.state, s.state));
    if (s.backup) st.appendChild(el('span', 'badge b-backup', 'backup'));
    tr.appendChild(st);
    if (s.history && hist) {
      var iv = hist.intervalMs;
      tr.appendChild(graphCell(spark([s.history.requests], ['line-req'], s.history.states, 'requests per second, one point per ' + iv / 1000 + ' s', hist.keep), rate(last(s.history.requests), iv) + '/s'));
      tr.appendChild(graphCell(spark([s.history.p50, s.history.p99], ['line-p50', 'line-p99'], s.history.states, 'p50 and p99 response time, ms', hist.keep), ms(last(s.history.p50)) + ' / ' + ms(last(s.history.p99))));
    } else {
      tr.appendChild(el('td', 'l zero', '-'));
      tr.appendChild(el('td', 'l zero', '-'));
    }
    tr.appendChild(el('td', '', s.weight));
    tr.appendChild(num(s.active));
    tr.appendChild(num(s.requests));
    CLASSES.forEach(function (c) { tr.appendChild(num(s.responses[c] || 0)); });
    tr.appendChild(num(s.fails));
    tr.appendChild(num(s.unavailable));
    tr.appendChild(el('td', '', ms(s.headerMs)));
    tr.appendChild(el('td', '', ms(s.totalMs)));
    if (s.health) {
      var h = s.health;
      var result = h.ok ? String(h.status) : String(h.error || h.status || 'failed');
      var check = el('td', 'l check ' + (h.ok ? 'ok' : 'bad'), (h.ok ? '\\u2713 ' : '\\u2717 ') + result);
      check.title = result;
      tr.appendChild(check);
      tr.appendChild(el('td', '', age(h.checkedAt, now)));
    } else {
      tr.appendChild(el('td', 'l zero', '-'));
      tr.appendChild(el('td', 'zero', '-'));
    }
    return tr;
  }
  function pool(name, u, now, hist) {
    var sec = el('section', 'pool');
    sec.setAttribute('data-upstream', name);
    var h2 = el('h2', '', name);
    var up = u.servers.filter(function (s) { return s.state === 'up'; }).length;
    h2.appendChild(el('span', 'info', u.balance + ' \\u00b7 ' + up + ' of ' + u.servers.length + ' up' + (u.sessions !== undefined ? ' \\u00b7 ' + u.sessions + ' sessions' : '')));
    if (u.history && hist) {
      var g = el('span', 'pool-graph');
      g.appendChild(spark([u.history.retries, u.history.noLive], ['line-retry', 'line-nolive'], undefined, 'retries and no-live-upstream per ' + hist.intervalMs / 1000 + ' s', hist.keep));
      var sum = function (a) { return a.reduce(function (x, y) { return x + y; }, 0); };
      g.appendChild(el('span', 'k-retry', 'retries ' + sum(u.history.retries)));
      g.appendChild(document.createTextNode(' \\u00b7 '));
      g.appendChild(el('span', 'k-nolive', 'no live ' + sum(u.history.noLive)));
      g.appendChild(document.createTextNode(' (' + spanOf(hist.samples * hist.intervalMs) + ')'));
      h2.appendChild(g);
    }
    sec.appendChild(h2);
    var table = el('table');
    var thead = el('thead');
    var hr = el('tr');
    HEAD.forEach(function (t, i) { hr.appendChild(el('th', i === 1 || i === 2 || i === 3 || i === 16 ? 'l' : '', t)); });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el('tbody');
    u.servers.forEach(function (s) { tbody.appendChild(row(s, now, hist)); });
    // Removed by DNS/discover (or removeServer) but still finishing requests.
    (u.zombies || []).forEach(function (s) { tbody.appendChild(row(Object.assign({}, s, { state: 'zombie' }), now, undefined)); });
    table.appendChild(tbody);
    sec.appendChild(table);
    if (u.resolver) sec.appendChild(resolverTable(u.resolver, now));
    return sec;
  }
  function resolverTable(list, now) {
    var table = el('table', 'resolver');
    var hr = el('tr');
    ['Name', 'Answer', 'Answered', 'Next lookup', 'Error'].forEach(function (t, i) { hr.appendChild(el('th', i === 0 || i === 1 || i === 4 ? 'l' : '', t)); });
    var thead = el('thead');
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el('tbody');
    list.forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-name', r.name);
      tr.appendChild(el('td', 'url', r.name));
      tr.appendChild(el('td', 'answer', r.answer.length ? r.answer.join(', ') : '(empty)'));
      tr.appendChild(el('td', '', r.answeredAt ? age(r.answeredAt, now) : '-'));
      tr.appendChild(el('td', '', r.nextLookupAt ? 'in ' + Math.max(0, Math.round((r.nextLookupAt - now) / 1000)) + 's' : '-'));
      tr.appendChild(el('td', 'l ' + (r.error ? 'bad' : 'zero'), r.error || '-'));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    return table;
  }
  function render(snap) {
    var root = document.getElementById('pools');
    var now = Date.now();
    var names = Object.keys(snap.upstreams || {});
    var next = document.createDocumentFragment();
    names.forEach(function (n) { next.appendChild(pool(n, snap.upstreams[n], now, snap.history)); });
    if (names.length === 0) next.appendChild(el('p', 'empty', 'No upstreams.'));
    root.replaceChildren(next);
  }
  function tick() {
    var meta = document.getElementById('updated');
    fetch(location.href, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (snap) {
        render(snap);
        meta.className = 'meta';
        meta.textContent = 'updated ' + new Date().toLocaleTimeString() + ' \\u00b7 refreshes every ' + REFRESH / 1000 + ' s';
      })
      .catch(function (e) {
        meta.className = 'meta stale';
        meta.textContent = 'refresh failed (' + e.message + '), showing older data';
      })
      .then(function () { setTimeout(tick, REFRESH); });
  }
  setTimeout(tick, REFRESH);
})();
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only the page's own inline script and style run; it may fetch its own origin and nothing else. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const HEAD = [
  'Server',
  'State',
  'Req/s',
  'p50 / p99 ms',
  'Weight',
  'Active',
  'Requests',
  ...CLASSES,
  'Fails',
  'Unavail.',
  'Header ms',
  'Total ms',
  'Last check',
  'Checked',
];

const num = (n: number): string => `<td${n === 0 ? ' class="zero"' : ''}>${n}</td>`;
const ms = (n: number): string => (n > 0 ? String(Math.round(n * 10) / 10) : '-');

function age(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}

function checkCells(ok: boolean, result: string, ago: string): string {
  return `<td class="l check ${ok ? 'ok' : 'bad'}" title="${escapeHtml(result)}">${ok ? '\u2713 ' : '\u2717 '}${escapeHtml(result)}</td><td>${ago}</td>`;
}

type History = StatusSnapshot['history'];

const xAt = (i: number, n: number, slots: number): number => Math.round((SPARK_W - (n - 1 - i) * (SPARK_W / (slots - 1))) * 10) / 10;

/** An inline SVG: one polyline per series (scaled together, the newest sample at the right edge, `slots` samples across), a tick where the state changed from the previous sample. */
export function sparkline(
  series: readonly (readonly number[])[],
  classes: readonly string[],
  states: readonly string[] | undefined,
  title: string,
  slots: number = HISTORY_SAMPLES,
): string {
  const n = series[0]?.length ?? 0;
  let max = 0;
  for (const values of series) for (const v of values) if (v > max) max = v;
  let marks = '';
  if (states !== undefined) {
    for (let i = 1; i < states.length; i++) {
      if (states[i] === states[i - 1]) continue;
      const x = xAt(i, n, slots);
      marks += `<line class="mark m-${escapeHtml(states[i])}" x1="${x}" y1="0" x2="${x}" y2="${SPARK_H}"><title>${escapeHtml(states[i - 1])} \u2192 ${escapeHtml(states[i])}</title></line>`;
    }
  }
  const lines = series.map((values, k) => {
    const pts = values.map((v, i) => `${xAt(i, n, slots)},${Math.round((SPARK_H - 2 - (max > 0 ? v / max : 0) * (SPARK_H - 4)) * 10) / 10}`);
    return `<polyline class="${escapeHtml(classes[k])}" points="${pts.join(' ')}"></polyline>`;
  });
  return `<svg class="spark" width="${SPARK_W}" height="${SPARK_H}" viewBox="0 0 ${SPARK_W} ${SPARK_H}"><title>${escapeHtml(title)}</title>${marks}${lines.join('')}</svg>`;
}

const last = (a: readonly number[]): number => a[a.length - 1] ?? 0;
/** How much time the series cover, as the legend says it: seconds under 2 minutes (short test intervals), minutes above. */
const spanOf = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const rate = (n: number, intervalMs: number): number => Math.round((n / (intervalMs / 1000)) * 10) / 10;
const graphCell = (svg: string, label: string): string => `<td class="l graph">${svg}<span class="spark-label">${escapeHtml(label)}</span></td>`;

function graphCells(s: ServerStatus, hist: History): string {
  if (s.history === undefined || hist === undefined) return '<td class="l zero">-</td><td class="l zero">-</td>';
  const h = s.history;
  const iv = hist.intervalMs;
  return (
    graphCell(
      sparkline([h.requests], ['line-req'], h.states, `requests per second, one point per ${iv / 1000} s`, hist.keep),
      `${rate(last(h.requests), iv)}/s`,
    ) +
    graphCell(
      sparkline([h.p50, h.p99], ['line-p50', 'line-p99'], h.states, 'p50 and p99 response time, ms', hist.keep),
      `${ms(last(h.p50))} / ${ms(last(h.p99))}`,
    )
  );
}

function poolGraph(u: UpstreamStatus, hist: History): string {
  if (u.history === undefined || hist === undefined) return '';
  const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
  return (
    `<span class="pool-graph">${sparkline([u.history.retries, u.history.noLive], ['line-retry', 'line-nolive'], undefined, `retries and no-live-upstream per ${hist.intervalMs / 1000} s`, hist.keep)}` +
    `<span class="k-retry">retries ${sum(u.history.retries)}</span> \u00b7 <span class="k-nolive">no live ${sum(u.history.noLive)}</span> (${spanOf(hist.samples * hist.intervalMs)})</span>`
  );
}

function serverRow(s: ServerStatus, now: number, hist: History): string {
  const badges = `<span class="badge b-${escapeHtml(s.state)}">${escapeHtml(s.state)}</span>${s.backup ? '<span class="badge b-backup">backup</span>' : ''}`;
  const h = s.health;
  const check =
    h === undefined
      ? '<td class="l zero">-</td><td class="zero">-</td>'
      : checkCells(h.ok, h.ok ? String(h.status) : String(h.error ?? h.status ?? 'failed'), age(h.checkedAt, now));
  return (
    `<tr class="state-${escapeHtml(s.state)}" data-url="${escapeHtml(s.url)}">` +
    `<td class="url">${escapeHtml(s.url)}${s.name !== undefined ? `<span class="from"> \u2190 ${escapeHtml(s.name)}</span>` : ''}</td><td class="l state">${badges}</td>${graphCells(s, hist)}<td>${s.weight}</td>` +
    num(s.active) +
    num(s.requests) +
    CLASSES.map((c) => num(s.responses[c])).join('') +
    num(s.fails) +
    num(s.unavailable) +
    `<td>${ms(s.headerMs)}</td><td>${ms(s.totalMs)}</td>${check}</tr>`
  );
}

function poolSection(name: string, u: UpstreamStatus, now: number, hist: History): string {
  const up = u.servers.filter((s) => s.state === 'up').length;
  const head = HEAD.map((t, i) => `<th${i === 1 || i === 2 || i === 3 || i === 16 ? ' class="l"' : ''}>${escapeHtml(t)}</th>`).join('');
  return (
    `<section class="pool" data-upstream="${escapeHtml(name)}"><h2>${escapeHtml(name)}<span class="info">${escapeHtml(u.balance)} \u00b7 ${up} of ${u.servers.length} up${u.sessions !== undefined ? ` \u00b7 ${u.sessions} sessions` : ''}</span>${poolGraph(u, hist)}</h2>` +
    `<table><thead><tr>${head}</tr></thead><tbody>${u.servers.map((s) => serverRow(s, now, hist)).join('')}` +
    `${(u.zombies ?? []).map((s) => serverRow({ ...s, state: 'zombie' as ServerStatus['state'] }, now, undefined)).join('')}</tbody></table>` +
    `${u.resolver !== undefined ? resolverSection(u.resolver, now) : ''}</section>`
  );
}

/** Resolver state per looked-up name (and the discover hook), under the pool's servers. */
function resolverSection(list: readonly ResolverNameStatus[], now: number): string {
  const head = ['Name', 'Answer', 'Answered', 'Next lookup', 'Error']
    .map((t, i) => `<th${i === 0 || i === 1 || i === 4 ? ' class="l"' : ''}>${t}</th>`)
    .join('');
  const rows = list.map(
    (r) =>
      `<tr data-name="${escapeHtml(r.name)}"><td class="url">${escapeHtml(r.name)}</td>` +
      `<td class="answer">${escapeHtml(r.answer.length > 0 ? r.answer.join(', ') : '(empty)')}</td>` +
      `<td>${r.answeredAt !== undefined ? age(r.answeredAt, now) : '-'}</td>` +
      `<td>${r.nextLookupAt !== undefined ? `in ${Math.max(0, Math.round((r.nextLookupAt - now) / 1000))}s` : '-'}</td>` +
      `<td class="l ${r.error !== undefined ? 'bad' : 'zero'}">${escapeHtml(r.error ?? '-')}</td></tr>`,
  );
  return `<table class="resolver"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole page for one snapshot; `now` is epoch ms (for the age of the last health check). */
export function renderStatusPage(snapshot: StatusSnapshot, now: number = Date.now()): string {
  const names = Object.keys(snapshot.upstreams);
  const pools =
    names.length === 0
      ? '<p class="empty">No upstreams.</p>'
      : names.map((n) => poolSection(n, snapshot.upstreams[n] as UpstreamStatus, now, snapshot.history)).join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    '<link rel="icon" href="data:,"><title>switchyard status</title>' +
    `<style>${STYLE}</style></head><body>` +
    `<header><h1>switchyard status</h1><span id="updated" class="meta">rendered ${escapeHtml(new Date(now).toISOString())} \u00b7 refreshes every ${STATUS_REFRESH_MS / 1000} s</span></header>` +
    `<main id="pools">${pools}</main>` +
    `<script>${SCRIPT}</script></body></html>`
  );
}
