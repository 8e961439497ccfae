/** @module The self-contained HTML status page: server-rendered tables, inline CSS, and an inline script that re-renders from the JSON every 2 s. */
import { createHash } from 'node:crypto';
import type { ResolverNameStatus, ServerStatus, StatusSnapshot, UpstreamStatus } from '../types.js';

/** How often the page fetches the JSON again. */
export const STATUS_REFRESH_MS = 2000;

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
`;

/** The browser half: the same table as `renderPools`, built with DOM calls (text only, never innerHTML). */
const SCRIPT = `
(function () {
  'use strict';
  var REFRESH = ${STATUS_REFRESH_MS};
  var CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
  var HEAD = ['Server', 'State', 'Weight', 'Active', 'Requests'].concat(CLASSES, ['Fails', 'Unavail.', 'Header ms', 'Total ms', 'Last check', 'Checked']);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function num(n) { return el('td', n === 0 ? 'zero' : '', n); }
  function ms(n) { return n > 0 ? (Math.round(n * 10) / 10).toString() : '-'; }
  function age(at, now) {
    var s = Math.max(0, Math.round((now - at) / 1000));
    return s < 60 ? s + 's ago' : s < 3600 ? Math.floor(s / 60) + 'm ago' : Math.floor(s / 3600) + 'h ago';
  }
  function row(s, now) {
    var tr = el('tr', 'state-' + s.state);
    tr.setAttribute('data-url', s.url);
    var server = el('td', 'url', s.url);
    if (s.name) server.appendChild(el('span', 'from', ' \u2190 ' + s.name));
    tr.appendChild(server);
    var st = el('td', 'l state');
    st.appendChild(el('span', 'badge b-' + s.state, s.state));
    if (s.backup) st.appendChild(el('span', 'badge b-backup', 'backup'));
    tr.appendChild(st);
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
  function pool(name, u, now) {
    var sec = el('section', 'pool');
    sec.setAttribute('data-upstream', name);
    var h2 = el('h2', '', name);
    var up = u.servers.filter(function (s) { return s.state === 'up'; }).length;
    h2.appendChild(el('span', 'info', u.balance + ' \\u00b7 ' + up + ' of ' + u.servers.length + ' up' + (u.sessions !== undefined ? ' \\u00b7 ' + u.sessions + ' sessions' : '')));
    sec.appendChild(h2);
    var table = el('table');
    var thead = el('thead');
    var hr = el('tr');
    HEAD.forEach(function (t, i) { hr.appendChild(el('th', i === 1 || i === 14 ? 'l' : '', t)); });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el('tbody');
    u.servers.forEach(function (s) { tbody.appendChild(row(s, now)); });
    // Removed by DNS/discover (or removeServer) but still finishing requests.
    (u.zombies || []).forEach(function (s) { tbody.appendChild(row(Object.assign({}, s, { state: 'zombie' }), now)); });
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
    names.forEach(function (n) { next.appendChild(pool(n, snap.upstreams[n], now)); });
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
const HEAD = ['Server', 'State', 'Weight', 'Active', 'Requests', ...CLASSES, 'Fails', 'Unavail.', 'Header ms', 'Total ms', 'Last check', 'Checked'];

const num = (n: number): string => `<td${n === 0 ? ' class="zero"' : ''}>${n}</td>`;
const ms = (n: number): string => (n > 0 ? String(Math.round(n * 10) / 10) : '-');

function age(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}

function checkCells(ok: boolean, result: string, ago: string): string {
  return `<td class="l check ${ok ? 'ok' : 'bad'}" title="${escapeHtml(result)}">${ok ? '\u2713 ' : '\u2717 '}${escapeHtml(result)}</td><td>${ago}</td>`;
}

function serverRow(s: ServerStatus, now: number): string {
  const badges = `<span class="badge b-${escapeHtml(s.state)}">${escapeHtml(s.state)}</span>${s.backup ? '<span class="badge b-backup">backup</span>' : ''}`;
  const h = s.health;
  const check =
    h === undefined
      ? '<td class="l zero">-</td><td class="zero">-</td>'
      : checkCells(h.ok, h.ok ? String(h.status) : String(h.error ?? h.status ?? 'failed'), age(h.checkedAt, now));
  return (
    `<tr class="state-${escapeHtml(s.state)}" data-url="${escapeHtml(s.url)}">` +
    `<td class="url">${escapeHtml(s.url)}${s.name !== undefined ? `<span class="from"> \u2190 ${escapeHtml(s.name)}</span>` : ''}</td><td class="l state">${badges}</td><td>${s.weight}</td>` +
    num(s.active) +
    num(s.requests) +
    CLASSES.map((c) => num(s.responses[c])).join('') +
    num(s.fails) +
    num(s.unavailable) +
    `<td>${ms(s.headerMs)}</td><td>${ms(s.totalMs)}</td>${check}</tr>`
  );
}

function poolSection(name: string, u: UpstreamStatus, now: number): string {
  const up = u.servers.filter((s) => s.state === 'up').length;
  const head = HEAD.map((t, i) => `<th${i === 1 || i === 14 ? ' class="l"' : ''}>${escapeHtml(t)}</th>`).join('');
  return (
    `<section class="pool" data-upstream="${escapeHtml(name)}"><h2>${escapeHtml(name)}<span class="info">${escapeHtml(u.balance)} \u00b7 ${up} of ${u.servers.length} up${u.sessions !== undefined ? ` \u00b7 ${u.sessions} sessions` : ''}</span></h2>` +
    `<table><thead><tr>${head}</tr></thead><tbody>${u.servers.map((s) => serverRow(s, now)).join('')}` +
    `${(u.zombies ?? []).map((s) => serverRow({ ...s, state: 'zombie' as ServerStatus['state'] }, now)).join('')}</tbody></table>` +
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
    names.length === 0 ? '<p class="empty">No upstreams.</p>' : names.map((n) => poolSection(n, snapshot.upstreams[n] as UpstreamStatus, now)).join('');
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
