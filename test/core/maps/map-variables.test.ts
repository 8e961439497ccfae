/** @module Maps where variables are used: proxied header values (once per request unless volatile), rewrite steps and conditions (with `set` variables and the map's captures), and the errors naming the use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildUpstreamHeaders,
  createSwitchyard,
  SwitchyardConfigError,
  type Location,
  type MapOptions,
  type ServerInfo,
  type SiteMatch,
  type SwitchyardOptions,
} from '@switchyard/core';

const THESCHEME: Record<string, MapOptions> = {
  thescheme: { source: '$http_x_forwarded_proto', values: { https: 'https' }, default: '$scheme' },
};

function proxied(options: Omit<SwitchyardOptions, 'upstreams'>): { location: Location; server: ServerInfo } {
  const sy = createSwitchyard({ upstreams: { pool: ['http://10.9.9.9:8080'] }, ...options });
  const route = sy.match('GET', '/');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const server = sy.upstream('pool').servers()[0] as ServerInfo;
  void sy.close();
  return { location: route.location, server };
}

test("Discourse's $thescheme: X-Forwarded-Proto kept when https, else the connection's scheme", () => {
  const ctx = {
    peerIp: '203.0.113.9',
    trusted: false,
    ...proxied({ maps: THESCHEME, locations: { '/': { upstream: 'pool', headers: { 'X-Forwarded-Proto': '$thescheme' }, headerDefaults: 'nginx' } } }),
  };
  const send = (incoming: Record<string, string>, encrypted: boolean): unknown => buildUpstreamHeaders(incoming, { ...ctx, encrypted })['x-forwarded-proto'];
  assert.equal(send({ host: 'h', 'x-forwarded-proto': 'https' }, false), 'https');
  assert.equal(send({ host: 'h', 'x-forwarded-proto': 'HTTPS' }, false), 'https', 'exact keys are case-insensitive');
  assert.equal(send({ host: 'h', 'x-forwarded-proto': 'http' }, true), 'https', 'default $scheme');
  assert.equal(send({ host: 'h', 'x-forwarded-proto': 'gopher' }, false), 'http');
  assert.equal(send({ host: 'h' }, false), 'http');
});

test('a map is evaluated once per request: two headers see one $request_id; volatile evaluates at each use', () => {
  const maps: Record<string, MapOptions> = {
    id: { source: '$request_id', default: '$request_id' },
    fresh: { source: '$host', default: '$request_id', volatile: true },
  };
  const ctx = {
    peerIp: '203.0.113.9',
    trusted: false,
    encrypted: false,
    ...proxied({
      maps,
      locations: { '/': { upstream: 'pool', headerDefaults: 'nginx', headers: { 'X-A': '$id', 'X-B': '$id', 'X-C': '$fresh', 'X-D': '$fresh' } } },
    }),
  };
  const first = buildUpstreamHeaders({ host: 'h' }, ctx);
  assert.match(String(first['x-a']), /^[0-9a-f]{32}$/);
  assert.equal(first['x-a'], first['x-b']);
  assert.notEqual(first['x-c'], first['x-d']);
  const second = buildUpstreamHeaders({ host: 'h' }, ctx);
  assert.notEqual(second['x-a'], first['x-a'], 'a new request, a new evaluation');
});

test('maps of maps, and an empty value removes the header as any configured value does', () => {
  const maps: Record<string, MapOptions> = {
    tier: { source: '$http_x_plan', values: { gold: 'premium', silver: 'premium' }, default: 'basic' },
    pool_hint: { source: '$tier', values: { premium: 'fast-$http_x_plan' } },
  };
  const ctx = {
    peerIp: '203.0.113.9',
    trusted: false,
    encrypted: false,
    ...proxied({ maps, locations: { '/': { upstream: 'pool', headerDefaults: 'nginx', headers: { 'X-Hint': '$pool_hint', 'X-Tier': '$TIER' } } } }),
  };
  assert.deepEqual(buildUpstreamHeaders({ host: 'h', 'x-plan': 'gold' }, ctx), { 'x-plan': 'gold', 'x-hint': 'fast-gold', 'x-tier': 'premium', host: 'pool' });
  assert.deepEqual(buildUpstreamHeaders({ host: 'h', 'x-hint': 'client', 'x-plan': 'none' }, ctx), { 'x-plan': 'none', 'x-tier': 'basic', host: 'pool' });
});

test('a header using a map that reads what headers cannot evaluate is refused, naming the header and the map field', () => {
  const refused = (maps: Record<string, MapOptions>, value: string, message: string): void => {
    assert.throws(
      () => createSwitchyard({ upstreams: { pool: ['http://10.9.9.9:8080'] }, maps, locations: { '/': { upstream: 'pool', headers: { 'X-M': value } } } }),
      (err: unknown) => err instanceof SwitchyardConfigError && err.message.includes(message),
      message,
    );
  };
  refused(
    { m: { source: '$host', default: '$document_root' } },
    '$m',
    'locations["/"].headers["X-M"] uses the map "$m", whose default uses the nginx variable "$document_root"',
  );
  refused({ m: { source: '$nope' } }, 'a $m', 'uses the map "$m", whose source uses the nginx variable "$nope"');
  refused({ m: { source: '$host', values: { a: '$1' } } }, '$m', 'uses the map "$m", whose values["a"] uses a regex capture');
  refused({ m: { source: '$host' } }, '$other', 'uses the nginx variable "$other", which switchyard does not evaluate');
});

function site(options: Omit<SwitchyardOptions, 'upstreams'>): (url: string, headers?: Record<string, string>) => string {
  const sy = createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, ...options });
  void sy.close();
  return (url, headers = {}) => {
    const m: SiteMatch | undefined = sy.matchSite('GET', url, headers.host ?? 'example.test', 'http', { headers });
    if (m === undefined) return 'app';
    if ('return' in m) return `${m.return.status} ${m.return.location ?? m.return.body ?? ''}`;
    if ('upstream' in m) return `proxy ${m.path}`;
    return 'other';
  };
}

test('rewrite steps read maps: return, if, set (a map may read set variables), and a regex entry sets $1 for what follows', () => {
  const ask = site({
    maps: {
      lang: { source: '$http_accept_language', values: { '~^(?<l>fr|de)': '$1' }, default: 'en' },
      mobile: { source: '$http_user_agent', values: { '~*iphone|android': '1' }, default: '0' },
      tagged: { source: '$tag', values: { beta: 'yes' }, default: 'no' },
      section: { source: '$uri', values: { '~^/s/(\\w+)/': 'section' } },
    },
    locations: {
      '/lang': { return: { status: 200, body: 'lang=$lang' } },
      '/m': {
        rewrite: [{ if: '$mobile', then: [{ return: { status: 302, url: 'https://m.example.test$request_uri' } }] }],
        return: { status: 200, body: 'desktop' },
      },
      '/tag': { rewrite: [{ set: 'tag', value: '$arg_t' }, { return: { status: 200, body: 'tagged=$tagged' } }] },
      '/s/': { rewrite: [{ if: '$section', then: [{ return: { status: 200, body: 'in $1' } }] }], upstream: 'app' },
    },
  });
  assert.equal(ask('/lang', { 'accept-language': 'fr-CH, fr;q=0.9' }), '200 lang=fr');
  assert.equal(ask('/lang', { 'accept-language': 'nl' }), '200 lang=en');
  assert.equal(ask('/m?x=1', { 'user-agent': 'Mozilla (iPhone)' }), '302 https://m.example.test/m?x=1');
  assert.equal(ask('/m', { 'user-agent': 'curl' }), '200 desktop');
  assert.equal(ask('/tag?t=beta'), '200 tagged=yes');
  assert.equal(ask('/tag?t=alpha'), '200 tagged=no');
  assert.equal(ask('/s/news/1'), '200 in news', "the map's regex captures are the request's after it matched");
});

test('a rewrite step using a map that reads a header-only variable is an unknown variable there', () => {
  assert.throws(
    () =>
      createSwitchyard({
        upstreams: { app: ['http://127.0.0.1:1'] },
        maps: { fwd: { source: '$host', default: '$proxy_add_x_forwarded_for' } },
        locations: { '/': { return: { status: 200, body: '$fwd' } } },
      }),
    /locations\["\/"\]\.return\.body unknown variable "\$fwd"/,
  );
});
