import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LocationOptions, RouteMatch } from '../../../packages/core/src/types.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';
import { createRouter } from '../../../packages/core/src/routing/router.js';

function router(locations: Record<string, LocationOptions | string>) {
  const upstreams: Record<string, string[]> = {};
  for (const value of Object.values(locations)) {
    const name = typeof value === 'string' ? value : value.upstream;
    if (name !== undefined) upstreams[name] = ['http://127.0.0.1:1'];
  }
  return createRouter(resolveConfig({ upstreams, locations }).locations);
}

/** `key -> path` for a proxied match, `301 -> target` for a redirect, `404 key` for an internal location, `-` for none. */
function show(match: RouteMatch | undefined): string {
  if (match === undefined) return '-';
  if (match.redirect !== undefined) return `301 ${match.redirect}`;
  if (match.internal) return `404 ${match.location.key}`;
  return `${match.location.key} -> ${match.path}`;
}

test("nginx's location example (ngx_http_core_module docs)", () => {
  const r = router({
    '= /': 'A',
    '/': 'B',
    '/documents/': 'C',
    '^~ /images/': 'D',
    '~* \\.(gif|jpg|jpeg)$': 'E',
  });
  const cases: Array<[string, string]> = [
    ['/', '= /'],
    ['/index.html', '/'],
    ['/documents/document.html', '/documents/'],
    ['/images/1.gif', '^~ /images/'],
    ['/documents/1.jpg', '~* \\.(gif|jpg|jpeg)$'],
    ['/DOCUMENTS/1.JPG', '~* \\.(gif|jpg|jpeg)$'],
  ];
  for (const [url, key] of cases) assert.equal(r.match('GET', url)?.location.key, key, url);
});

test('longest prefix wins whatever the config order; regexes in config order beat plain prefixes', () => {
  const r = router({
    '/a/': 'short',
    '/a/b/c/': 'longest',
    '/a/b/': 'middle',
    '~ /a/b/c/x': 'firstRegex',
    '~ x$': 'secondRegex',
    '^~ /p/': 'priority',
    '/p/q/': 'plainUnderPriority',
    '~ ^/p/': 'regexP',
    '~ ^/CaSe': 'caseSensitive',
  });
  const cases: Array<[string, string]> = [
    ['/a/1', 'short'],
    ['/a/b/1', 'middle'],
    ['/a/b/c/1', 'longest'],
    ['/a/b/c/x', 'firstRegex'],
    ['/a/b/x', 'secondRegex'],
    ['/p/1', 'priority'],
    // The longest prefix is a plain one, so regexes are checked again and win.
    ['/p/q/1', 'regexP'],
    ['/CaSe', 'caseSensitive'],
    ['/case', '-'],
    ['/zzz', '-'],
  ];
  for (const [url, upstream] of cases) assert.equal(r.match('GET', url)?.location.upstream ?? '-', upstream, url);
});

test('exact locations end the search and match only the whole path', () => {
  const r = router({ '= /x': 'exact', '/x': 'prefix', '~ x': 'regex' });
  assert.equal(r.match('GET', '/x')?.location.upstream, 'exact');
  assert.equal(r.match('GET', '/x?y=1')?.location.upstream, 'exact');
  assert.equal(r.match('GET', '/x/')?.location.upstream, 'regex');
  assert.equal(r.match('GET', '/xy')?.location.upstream, 'regex');
});

test('the slash redirect (nginx auto_redirect with proxy_pass)', () => {
  const r = router({ '/': 'root', '/api/': 'api', '~ ^/apix': 'regex', '= /exact/': 'exact', '^~ /s/': 'static', '/both': 'both', '/both/': 'both2' });
  const cases: Array<[string, string]> = [
    ['/api', '301 /api/'],
    ['/api?x=1&y', '301 /api/?x=1&y'],
    // nginx appends the arguments only when there are some.
    ['/api?', '301 /api/'],
    ['/exact', '301 /exact/'],
    ['/s', '301 /s/'],
    ['//api', '301 /api/'],
    ['/api/', '/api/ -> /api/'],
    ['/api/x?q', '/api/ -> /api/x?q'],
    ['/apix', '~ ^/apix -> /apix'],
    // A location named like the path itself wins over the redirect.
    ['/both', '/both -> /both'],
    ['/', '/ -> /'],
  ];
  for (const [url, expected] of cases) assert.equal(show(r.match('GET', url)), expected, url);
  const redirect = r.match('GET', '/api');
  assert.equal(redirect?.location.key, '/api/');
});

test('the redirect target is escaped', () => {
  const r = router({ '/a b/': 'x', '/café/': 'y' });
  assert.equal(show(r.match('GET', '/a%20b')), '301 /a%20b/');
  assert.equal(show(r.match('GET', '/caf%C3%A9?q=1')), '301 /caf%C3%A9/?q=1');
  assert.equal(show(r.match('GET', '/a%20b/c')), '/a b/ -> /a%20b/c');
});

test('matching runs on the normalised path; the raw path and query are forwarded as received', () => {
  const r = router({ '/': 'root', '/api/': 'api', '/admin/': 'admin' });
  const cases: Array<[string, string]> = [
    ['/api/a%2Fb?x=%2F', '/api/ -> /api/a%2Fb?x=%2F'],
    ['/api//x', '/api/ -> /api//x'],
    ['/%61pi/x', '/api/ -> /%61pi/x'],
    ['/api/%2e%2e/admin/', '/admin/ -> /api/%2e%2e/admin/'],
    ['/api/%2e%2e/secret', '/ -> /api/%2e%2e/secret'],
    ['/api/..%2fsecret', '/ -> /api/..%2fsecret'],
    ['/api/..\\secret', '/ -> /api/..\\secret'],
    ['/api/%2F%2E%2E%2Fsecret', '/ -> /api/%2F%2E%2E%2Fsecret'],
    // Never forwarded as a protocol-relative //host.
    ['//evil.com/x', '/ -> /evil.com/x'],
    ['/\\evil.com/x', '/ -> /evil.com/x'],
    ['/api/x#frag', '/api/ -> /api/x'],
    ['/api/x?q#frag', '/api/ -> /api/x?q'],
    ['http://example.com/api/x?q=1', '/api/ -> /api/x?q=1'],
    ['HTTPS://example.com', '/ -> /'],
    ['http://example.com?q', '/ -> /?q'],
    ['/api/../../etc/passwd', '-'],
    ['/%2e%2e/x', '-'],
    ['/api/%zz', '-'],
    ['/api/%00', '-'],
    ['*', '-'],
    ['example.com/api/', '-'],
    ['', '-'],
  ];
  for (const [url, expected] of cases) assert.equal(show(r.match('GET', url)), expected, url);
});

test('rewritePrefix replaces the matched prefix in the normalised path, as proxy_pass with a URI', () => {
  const r = router({
    '/api/': { upstream: 'api', rewritePrefix: '/v1/' },
    '/short/': { upstream: 'short', rewritePrefix: '/v1' },
    '/strip/': { upstream: 'strip', rewritePrefix: '/' },
    '= /login': { upstream: 'login', rewritePrefix: '/auth/login' },
    '/': 'root',
  });
  const cases: Array<[string, string]> = [
    ['/api/x', '/api/ -> /v1/x'],
    ['/api/', '/api/ -> /v1/'],
    ['/api/x?q=%2F&a=b', '/api/ -> /v1/x?q=%2F&a=b'],
    ['/api/a%2Fb', '/api/ -> /v1/a/b'],
    ['/api//x/./y/../z', '/api/ -> /v1/x/z'],
    ['/api/a%20b/caf%C3%A9', '/api/ -> /v1/a%20b/caf%C3%A9'],
    ['/api/a%3Fb%23c%25d', '/api/ -> /v1/a%3Fb%23c%25d'],
    ['/api/a%252e%252e', '/api/ -> /v1/a%252e%252e'],
    ['/api/%2e%2e/x', '/ -> /api/%2e%2e/x'],
    ['/api/%2F%2E%2E%2Fadmin', '/ -> /api/%2F%2E%2E%2Fadmin'],
    ['/short/x', '/short/ -> /v1x'],
    ['/strip/x/y', '/strip/ -> /x/y'],
    ['/login?next=/', '= /login -> /auth/login?next=/'],
    ['/api', '301 /api/'],
  ];
  for (const [url, expected] of cases) assert.equal(show(r.match('GET', url)), expected, url);
});

test('traversal never reaches the location it leaves (no catch-all)', () => {
  const r = router({ '/api/': { upstream: 'api', rewritePrefix: '/internal/' }, '/public/': 'pub' });
  for (const url of [
    '/api/%2e%2e/admin',
    '/api/..%2fadmin',
    '/api/..\\admin',
    '/api/%2F%2E%2E%2Fadmin',
    '/api/.%2E/admin',
    '/api/x/../../admin',
    '//evil.com/x',
    '/api%2f..%2fadmin',
  ]) {
    assert.equal(r.match('GET', url), undefined, url);
  }
  assert.equal(show(r.match('GET', '/api/x/../y')), '/api/ -> /internal/y');
  assert.equal(show(r.match('GET', '/public/..%2Fapi/z')), '/api/ -> /internal/z');
});

test('fuzz: match never throws and a proxied path stays inside its location', () => {
  const r = router({ '/api/': { upstream: 'api', rewritePrefix: '/v1/' }, '^~ /s/': 's', '= /e': 'e', '~* \\.png$': 'png', '/': 'root' });
  const unit = fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'f', 'F', '5', 'c', 'a', 'p', 'i', 's', '?', '#', 'x', 'n', 'g', '0');
  const arb = fc.oneof(
    fc.string(),
    fc.string({ unit }).map((s) => `/${s}`),
    fc.string({ unit }).map((s) => `/api/${s}`),
  );
  fc.assert(
    fc.property(arb, (url) => {
      const m = r.match('GET', url);
      if (m === undefined || m.redirect !== undefined || m.internal) return;
      if (m.upstream === 'api') {
        // The rewritten path, read back by a decoding upstream, is below /v1/.
        const path = m.path.split('?')[0]!;
        assert.ok(path.startsWith('/v1/'), `${url} -> ${m.path}`);
        assert.ok(!/(^|\/)\.\.?(\/|$)/.test(decodeURIComponent(path)), `${url} -> ${m.path}`);
      }
      assert.ok(m.path.startsWith('/') && !m.path.startsWith('//'), `${url} -> ${m.path}`);
    }),
    { numRuns: 3000 },
  );
});
