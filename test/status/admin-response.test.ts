/** @module The status route's answers: JSON by default, HTML for browsers (q-values), headers, CSP hashes, escaping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adminResponse, createSwitchyard, type StatusSnapshot } from '@switchyard/core';
import { prefersHtml } from '../../packages/core/src/admin/accept.js';
import { renderStatusPage, escapeHtml } from '../../packages/core/src/admin/status-page.js';

test('Accept negotiation: browsers get HTML, curl, missing headers, ties and JSON-first clients get JSON', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['text/html', true],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true], // Chrome
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], // Firefox
    ['application/json, text/html', false], // tie: JSON is the default
    ['text/html;q=0.5, application/json;q=0.9', false],
    ['text/html;q=0.9, application/json;q=0.5', true],
    ['text/*, application/json;q=0.2', true],
    ['text/html;q=0, */*', false],
    ['TEXT/HTML', true],
    ['text/html ; q=1 , application/json ; q=0.99', true],
    ['text/html;level=1;q=0.7, */*;q=0.8', false],
    ['text/html;q=abc, application/json', false],
    ['garbage', false],
  ];
  for (const [accept, html] of cases) assert.equal(prefersHtml(accept), html, String(accept));
});

test('JSON answer: the status snapshot with no-store, nosniff and vary headers; other paths are not answered', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'] }, status: { path: '/_status' } });
  t.after(() => sy.close());
  const res = await adminResponse(sy, '/_status', '*/*');
  assert.ok(res);
  assert.equal(res.status, 200);
  assert.deepEqual(res.headers, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    vary: 'accept',
  });
  assert.deepEqual(JSON.parse(res.body), sy.status());
  assert.deepEqual(Object.keys(JSON.parse(res.body).upstreams.api.servers[0]).sort(), [
    'active',
    'backup',
    'fails',
    'headerMs',
    'history',
    'requests',
    'responses',
    'state',
    'totalMs',
    'unavailable',
    'url',
    'weight',
  ]);
  assert.equal((await adminResponse(sy, '/_status?x=1', undefined))?.status, 200);
  assert.equal(await adminResponse(sy, '/_status/', undefined), undefined);
  assert.equal(await adminResponse(sy, '/other', undefined), undefined);
  assert.equal(await adminResponse(sy, '/metrics', undefined), undefined);
});

test('no status path configured: nothing is answered', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: ['http://127.0.0.1:8001'] } });
  t.after(() => sy.close());
  assert.equal(await adminResponse(sy, '/_status', 'text/html'), undefined);
  assert.equal(await adminResponse(sy, '/', 'text/html'), undefined);
});

test('HTML answer: a self-contained page whose CSP allows exactly its own inline script and style', async (t) => {
  const sy = createSwitchyard({
    upstreams: { api: { servers: ['http://127.0.0.1:8001', { url: 'http://127.0.0.1:8002', backup: true }], balance: 'least-conn' } },
    status: { path: '/_status' },
  });
  t.after(() => sy.close());
  const res = await adminResponse(sy, '/_status', 'text/html,*/*;q=0.8');
  assert.ok(res);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  const csp = res.headers['content-security-policy'] ?? '';
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  const scripts = [...res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const styles = [...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
  assert.equal(scripts.length, 1);
  assert.equal(styles.length, 1);
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  assert.ok(csp.includes(`script-src ${hash(scripts[0] ?? '')}`), 'script hash in CSP');
  assert.ok(csp.includes(`style-src ${hash(styles[0] ?? '')}`), 'style hash in CSP');
  // No external asset of any kind.
  assert.doesNotMatch(res.body, /\b(src|href)="(https?:)?\/\//);
  assert.doesNotMatch(res.body, /style="/);
  assert.match(
    res.body,
    /<section class="pool" data-upstream="api"><h2>api<span class="info">least-conn · 2 of 2 up<\/span><span class="pool-graph"><svg class="spark"[^]*?<\/svg>.*?retries 0.*?no live 0.*?<\/span><\/h2>/,
  );
  assert.match(
    res.body,
    /<tr class="state-up" data-url="http:\/\/127\.0\.0\.1:8002"><td class="url">http:\/\/127\.0\.0\.1:8002<\/td><td class="l state"><span class="badge b-up">up<\/span><span class="badge b-backup">backup<\/span>/,
  );
});

test('everything that comes from data is HTML-escaped', () => {
  const evil = '"><script>alert(1)</script>&\'';
  const snapshot: StatusSnapshot = {
    upstreams: {
      [evil]: {
        balance: 'round-robin',
        servers: [
          {
            url: `http://x/${evil}`,
            state: 'unhealthy',
            backup: false,
            weight: 1,
            active: 0,
            requests: 0,
            responses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
            fails: 0,
            unavailable: 0,
            headerMs: 0,
            totalMs: 0,
            health: { ok: false, error: evil, checkedAt: 1_000, consecutiveFails: 1, consecutivePasses: 0 },
          },
        ],
      },
    },
  };
  const html = renderStatusPage(snapshot, 61_000);
  const body = html.slice(0, html.indexOf('<script>'));
  assert.doesNotMatch(body, /<script>alert/);
  assert.ok(body.includes(escapeHtml(evil)));
  assert.equal(escapeHtml(evil), '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;');
  assert.match(
    body,
    /<td class="l check bad" title="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&#39;">✗ &quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&#39;<\/td><td>1m ago<\/td>/,
  );
});

test('health columns: the last result and its age', () => {
  const base = {
    url: 'http://127.0.0.1:1',
    state: 'up' as const,
    backup: false,
    weight: 3,
    active: 2,
    requests: 10,
    responses: { '1xx': 0, '2xx': 9, '3xx': 0, '4xx': 1, '5xx': 0 },
    fails: 0,
    unavailable: 0,
    headerMs: 1.234,
    totalMs: 2.5,
  };
  const html = renderStatusPage(
    {
      upstreams: {
        api: {
          balance: 'round-robin',
          servers: [{ ...base, health: { ok: true, status: 204, checkedAt: 10_000, consecutiveFails: 0, consecutivePasses: 4 } }],
        },
      },
    },
    15_400,
  );
  assert.match(
    html,
    /<td>3<\/td><td>2<\/td><td>10<\/td><td class="zero">0<\/td><td>9<\/td><td class="zero">0<\/td><td>1<\/td><td class="zero">0<\/td><td class="zero">0<\/td><td class="zero">0<\/td><td>1.2<\/td><td>2.5<\/td><td class="l check ok" title="204">✓ 204<\/td><td>5s ago<\/td><\/tr>/,
  );
});
