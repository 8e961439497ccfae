/** @module followAccelRedirect, withAccelKept and redirectLocation: nginx's X-Accel-Redirect rules and the slash redirect's Location, without sockets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocationOptions, ProxyRoute, SwitchyardOptions } from '../../../packages/core/src/types.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';
import { createRouter } from '../../../packages/core/src/routing/router.js';
import { followAccelRedirect, MAX_ACCEL_REDIRECTS, withAccelKept } from '../../../packages/core/src/routing/accel-redirect.js';
import { redirectLocation } from '../../../packages/core/src/routing/slash-redirect.js';

function setup(locations: Record<string, LocationOptions | string>, top: Partial<SwitchyardOptions> = {}) {
  const config = resolveConfig({ upstreams: { app: ['http://127.0.0.1:1'], files: ['http://127.0.0.1:2'] }, locations, ...top });
  const router = createRouter(config.locations);
  const route = (url: string): ProxyRoute => {
    const m = router.match('GET', url);
    assert.ok(m !== undefined && m.redirect === undefined && m.internal === undefined, url);
    return m;
  };
  return { config, router, route };
}

const LOCATIONS = { '/app/': 'app', '/files/': { upstream: 'files', internal: true, rewritePrefix: '/bucket/' }, '@named': 'files' };

test('accelRedirect defaults to on only when the configuration has an internal or named location', () => {
  assert.equal(setup(LOCATIONS).config.locations[0]!.accelRedirect, true);
  assert.equal(setup({ '/app/': 'app', '@n': 'files' }).config.locations[0]!.accelRedirect, true);
  assert.equal(setup({ '/app/': 'app', '/f/': 'files' }).config.locations[0]!.accelRedirect, false);
  assert.equal(setup({ '/app/': 'app' }, { accelRedirect: true }).config.locations[0]!.accelRedirect, true);
  assert.equal(
    setup({ '/app/': { upstream: 'app', accelRedirect: false }, '/f/': { upstream: 'files', internal: true } }).config.locations[0]!.accelRedirect,
    false,
  );
});

test('the URI is matched again, internal locations included; method GET (HEAD stays); the arguments are its own', () => {
  const { router, route } = setup(LOCATIONS);
  const from = route('/app/x?orig=1');
  const state = { method: 'POST', url: '/app/x?orig=1', followed: 0 };
  const next = followAccelRedirect(router, from, { 'x-accel-redirect': '/files/a%20b.txt?v=2' }, state);
  assert.equal(next?.action, 'proxy');
  assert.ok(next?.action === 'proxy');
  assert.equal(next.route.location.key, '/files/');
  assert.equal(next.route.path, '/bucket/a%20b.txt?v=2');
  assert.deepEqual({ ...next.next, kept: undefined }, { method: 'GET', url: '/files/a%20b.txt?v=2', followed: 1, kept: undefined });
  const head = followAccelRedirect(router, from, { 'x-accel-redirect': '/files/x' }, { ...state, method: 'HEAD' });
  assert.ok(head?.action === 'proxy');
  assert.equal(head.next.method, 'HEAD');
  assert.equal(followAccelRedirect(router, from, {}, state), undefined);
});

test('a named location keeps method and URI; an unknown name is 500, unsafe or unmatched URIs 404, the 11th redirect 500', () => {
  const { router, route } = setup(LOCATIONS);
  const from = route('/app/x?orig=1');
  const state = { method: 'DELETE', url: '/app/x?orig=1', followed: 0 };
  const named = followAccelRedirect(router, from, { 'x-accel-redirect': '@named' }, state);
  assert.ok(named?.action === 'proxy');
  assert.equal(named.route.path, '/app/x?orig=1');
  assert.equal(named.route.upstream, 'files');
  assert.equal(named.next.method, 'DELETE');
  const status = (value: string, followed = 0): number | string | undefined => {
    const r = followAccelRedirect(router, from, { 'x-accel-redirect': value }, { ...state, followed });
    return r?.action === 'answer' ? r.status : r?.action;
  };
  assert.equal(status('@nope'), 500);
  for (const unsafe of ['/files/../x', '/files/%2E%2E/x', '/files/a%00', '..', 'files/x', '/files/%zz']) assert.equal(status(unsafe), 404, unsafe);
  assert.equal(status('/elsewhere'), 404);
  assert.equal(status('/files/x', MAX_ACCEL_REDIRECTS - 1), 'proxy');
  assert.equal(status('/files/x', MAX_ACCEL_REDIRECTS), 500);
  // `/files` without its slash is nginx's slash redirect.
  assert.equal(status('/files'), 'redirect');
});

test('a location with accelRedirect off delivers the response as it is', () => {
  const { router, route } = setup({ ...LOCATIONS, '/raw/': { upstream: 'app', accelRedirect: false } });
  assert.equal(followAccelRedirect(router, route('/raw/x'), { 'x-accel-redirect': '/files/x' }, { method: 'GET', url: '/raw/x', followed: 0 }), undefined);
});

test('kept headers: Content-Type until the final one sets its own, Set-Cookie/Cache-Control/... before the final ones, across redirects', () => {
  const { router, route } = setup(LOCATIONS);
  const first = followAccelRedirect(
    router,
    route('/app/x'),
    { 'x-accel-redirect': '/files/x', 'content-type': 'text/a', 'set-cookie': ['a=1'], 'cache-control': 'private', etag: '"a"', 'x-other': 'no' },
    { method: 'GET', url: '/app/x', followed: 0 },
  );
  assert.ok(first?.action === 'proxy');
  const second = followAccelRedirect(router, first.route, { 'x-accel-redirect': '/files/y', 'set-cookie': ['b=2'] }, first.next);
  assert.ok(second?.action === 'proxy');
  assert.deepEqual(withAccelKept({ 'set-cookie': ['c=3'], 'x-final': '1' }, second.next.kept), {
    'set-cookie': ['a=1', 'b=2', 'c=3'],
    'cache-control': ['private'],
    'content-type': 'text/a',
    'x-final': '1',
  });
  assert.deepEqual(withAccelKept({ 'content-type': 'text/final' }, second.next.kept)['content-type'], 'text/final');
  const untouched = { a: '1' };
  assert.equal(withAccelKept(untouched, undefined), untouched);
});

test("redirectLocation: relative by default; absolute as nginx's header filter writes it", () => {
  const at = (
    absoluteRedirect: LocationOptions['absoluteRedirect'],
    host: string | undefined,
    localPort = 8080,
    encrypted = false,
    localAddress = '127.0.0.1',
  ) => {
    const { router } = setup({ '/api/': { upstream: 'app', ...(absoluteRedirect === undefined ? {} : { absoluteRedirect }) } });
    const m = router.match('GET', '/api?x=1');
    assert.ok(m !== undefined && m.redirect !== undefined);
    return redirectLocation(m, { host, localAddress, localPort, encrypted });
  };
  assert.equal(at(undefined, 'h'), '/api/?x=1');
  assert.equal(at(true, 'Example.COM:9999'), 'http://example.com:8080/api/?x=1');
  assert.equal(at(true, 'example.com', 80), 'http://example.com/api/?x=1');
  assert.equal(at(true, 'example.com', 443, true), 'https://example.com/api/?x=1');
  assert.equal(at(true, 'example.com', 80, true), 'https://example.com:80/api/?x=1');
  assert.equal(at(true, '[::1]:5'), 'http://[::1]:8080/api/?x=1');
  assert.equal(at(true, undefined), 'http://127.0.0.1:8080/api/?x=1');
  assert.equal(at(true, undefined, 8080, false, '::1'), 'http://[::1]:8080/api/?x=1');
  // A Host nginx would refuse (400) is not echoed into the Location.
  assert.equal(at(true, 'evil.example/x'), 'http://127.0.0.1:8080/api/?x=1');
  assert.equal(at({ port: false }, 'example.com'), 'http://example.com/api/?x=1');
  assert.equal(at({ serverName: 'www.example' }, 'other'), 'http://www.example:8080/api/?x=1');
  const { router } = setup({ '/api/': 'app' }, { absoluteRedirect: true });
  const m = router.match('GET', '/api');
  assert.ok(m?.redirect !== undefined);
  assert.equal(redirectLocation(m, { host: 'h', localAddress: '127.0.0.1', localPort: 80, encrypted: false }), 'http://h/api/');
});
