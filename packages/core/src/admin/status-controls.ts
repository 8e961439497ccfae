/** @module Drain/down/up buttons on the status page, added only when the page was opened with write access to the admin API. */
import { createHash } from 'node:crypto';
import { STATUS_PAGE_CSP, escapeHtml } from './status-page.js';

/**
 * The browser half: a cell of buttons on every server row (also after each 2 s re-render),
 * each one a PATCH to the admin API with the page's own cookies (so it works with an
 * `authorize` that trusts a session; a bearer token is never put in the page).
 */
const CONTROLS_SCRIPT = `
(function () {
  'use strict';
  var api = document.body.getAttribute('data-admin-api');
  if (!api) return;
  var ACTIONS = [['drain', { drain: true, down: false }], ['down', { down: true }], ['up', { down: false, drain: false }]];
  function patch(upstream, url, body, note) {
    var base = api + '/upstreams/' + encodeURIComponent(upstream) + '/servers';
    note.textContent = '\\u2026';
    fetch(base, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (servers) {
        var s = servers.filter(function (x) { return x.url === url; })[0];
        if (!s) throw new Error('server gone');
        return fetch(base + '/' + s.id, { method: 'PATCH', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      })
      .then(function (r) { note.textContent = r.ok ? '\\u2713' : 'HTTP ' + r.status; })
      .catch(function (e) { note.textContent = e.message; });
  }
  function decorate() {
    var rows = document.querySelectorAll('section.pool tr[data-url]');
    for (var i = 0; i < rows.length; i++) {
      var tr = rows[i];
      if (tr.querySelector('td.controls')) continue;
      var upstream = tr.closest('section.pool').getAttribute('data-upstream');
      var url = tr.getAttribute('data-url');
      var td = document.createElement('td');
      td.className = 'l controls';
      var note = document.createElement('span');
      ACTIONS.forEach(function (a) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = a[0];
        b.addEventListener('click', function () { patch(upstream, url, a[1], note); });
        td.appendChild(b);
      });
      td.appendChild(note);
      tr.appendChild(td);
    }
  }
  decorate();
  new MutationObserver(decorate).observe(document.getElementById('pools'), { childList: true, subtree: true });
})();
`;

const hash = `'sha256-${createHash('sha256').update(CONTROLS_SCRIPT, 'utf8').digest('base64')}'`;

/** The status page's CSP with the buttons' script allowed too. */
export const STATUS_PAGE_CSP_WITH_CONTROLS = STATUS_PAGE_CSP.replace('script-src ', `script-src ${hash} `);

/** The rendered page with the buttons' script and the admin API path. */
export function withControls(html: string, adminPath: string): string {
  return html.replace('<body>', `<body data-admin-api="${escapeHtml(adminPath)}">`).replace('</body>', `<script>${CONTROLS_SCRIPT}</script></body>`);
}
