import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RouteToOptions } from '../../../packages/core/src/types.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';
import { resolveRouteLocation } from '../../../packages/core/src/config/resolve-location.js';
import { routeForLocation } from '../../../packages/core/src/routing/rewrite.js';

const config = resolveConfig({ upstreams: { api: ['http://127.0.0.1:1'] } });
const make = (options: RouteToOptions) => resolveRouteLocation(config.upstreams, 'api', options, 'proxyTo("api")');
const path = (options: RouteToOptions, url: string) => routeForLocation(make(options), url)?.path ?? '-';

test('without rewritePrefix the raw target is forwarded inside the prefix', () => {
  const cases: Array<[string, string]> = [
    ['/api', '/api'],
    ['/api/x%2Fy?q=1', '/api/x%2Fy?q=1'],
    ['/api/', '/api/'],
    ['//api//x', '/api//x'],
    ['/apix', '-'],
    ['/ap', '-'],
    ['/api/../admin', '-'],
    ['/api/%2e%2e/admin', '-'],
    ['/api/..%2Fadmin', '-'],
    ['/api/..\\admin', '-'],
    ['/api/x/../y', '/api/x/../y'],
    ['*', '-'],
    ['/api/%zz', '-'],
  ];
  for (const [url, expected] of cases) assert.equal(path({ prefix: '/api' }, url), expected, url);
  assert.equal(path({}, '/anything?x'), '/anything?x');
  assert.equal(path({}, '//evil.com/x'), '/evil.com/x');
  assert.equal(routeForLocation(make({ prefix: '/api' }), '/api/x')?.upstream, 'api');
});

test('with rewritePrefix the rest is joined by whole segments', () => {
  const cases: Array<[RouteToOptions, string, string]> = [
    [{ prefix: '/api', rewritePrefix: '/' }, '/api/x/y?q', '/x/y?q'],
    [{ prefix: '/api', rewritePrefix: '/' }, '/api', '/'],
    [{ prefix: '/api', rewritePrefix: '/' }, '/api/', '/'],
    [{ prefix: '/api', rewritePrefix: '/v1' }, '/api/x', '/v1/x'],
    [{ prefix: '/api', rewritePrefix: '/v1' }, '/api', '/v1'],
    [{ prefix: '/api', rewritePrefix: '/v1' }, '/api/', '/v1/'],
    [{ prefix: '/api/', rewritePrefix: '/v1/' }, '/api/x', '/v1/x'],
    [{ prefix: '/api/', rewritePrefix: '/v1/' }, '/api', '/v1/'],
    [{ prefix: '/api', rewritePrefix: '/v1/' }, '/api/a%2Fb/c%20d', '/v1/a/b/c%20d'],
    [{ rewritePrefix: '/base' }, '/x', '/base/x'],
    [{ rewritePrefix: '/base/' }, '/', '/base/'],
    [{ prefix: '/api', rewritePrefix: '/' }, '/api/x/../../etc', '-'],
  ];
  for (const [options, url, expected] of cases) assert.equal(path(options, url), expected, `${JSON.stringify(options)} ${url}`);
});

test('fuzz: a code-defined route never leaves its prefix', () => {
  const location = make({ prefix: '/api', rewritePrefix: '/v1/' });
  const unit = fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'f', 'F', '5', 'c', 'a', 'p', 'i', 'x', '?');
  fc.assert(
    fc.property(
      fc.string({ unit }).map((s) => `/api${s}`),
      (url) => {
        const route = routeForLocation(location, url);
        if (route === undefined) return;
        const p = route.path.split('?')[0]!;
        assert.ok(p === '/v1/' || p.startsWith('/v1/'), `${url} -> ${route.path}`);
        assert.ok(!/(^|\/)\.\.?(\/|$)/.test(decodeURIComponent(p)), `${url} -> ${route.path}`);
      },
    ),
    { numRuns: 2000 },
  );
});
