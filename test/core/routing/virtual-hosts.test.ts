/** @module Virtual hosts in core: nginx's server_name order, the Host as nginx reads it, server-level return, and the validation of `servers`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SiteMatch, SwitchyardOptions } from '../../../packages/core/src/types.js';
import { createSwitchyard } from '../../../packages/core/src/switchyard.js';
import { SwitchyardConfigError } from '../../../packages/core/src/errors.js';
import { createServerNameTable, normalizeHost } from '../../../packages/core/src/routing/virtual-hosts/server-names.js';

const UP = { a: ['http://127.0.0.1:1'], b: ['http://127.0.0.1:2'], c: ['http://127.0.0.1:3'] };

function show(m: SiteMatch | undefined): string {
  if (m === undefined) return '-';
  if ('return' in m) return `${m.return.status} ${m.return.location ?? m.return.body ?? ''}`;
  if (m.redirect !== undefined) return `301 ${m.redirect}`;
  if (m.internal === true) return '404 internal';
  if ('files' in m || 'file' in m) return 'files';
  return `${m.upstream} ${m.path}`;
}

test('server_name order as nginx: exact, longest *. wildcard, longest .* wildcard, first regex, then the default', () => {
  const table = createServerNameTable(
    [
      ['example.com'], // 0
      ['*.example.com'], // 1
      ['*.api.example.com'], // 2
      ['www.example.*'], // 3
      ['~^(?:img|cdn)\\d+\\.example\\.org$', '~^.*\\.org$'], // 4
      ['.shop.test'], // 5
      ['~^www\\.'], // 6
    ],
    0,
  );
  const cases: Array<[string | undefined, number]> = [
    ['example.com', 0],
    ['a.example.com', 1],
    ['a.b.example.com', 1],
    ['v1.api.example.com', 2],
    ['www.example.com', 1], // *.example.com (head wildcard) before www.example.* (tail)
    ['www.example.net', 3],
    ['www.example.co.uk', 3],
    ['img7.example.org', 4],
    ['other.org', 4],
    ['shop.test', 5],
    ['x.shop.test', 5],
    ['www.unknown.net', 6],
    ['unknown.net', 0],
    [undefined, 0],
  ];
  for (const [host, want] of cases) assert.equal(table.pick(host), want, String(host));
});

test('the Host is lowercased, without its port and a trailing dot; none or empty is undefined', () => {
  assert.equal(normalizeHost('Example.COM:8080'), 'example.com');
  assert.equal(normalizeHost('example.com.'), 'example.com');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
  assert.equal(normalizeHost(''), undefined);
  assert.equal(normalizeHost(undefined), undefined);
});

test('each host matches its own locations; a Host no server names (or none) goes to default_server, else to the first', () => {
  const options: SwitchyardOptions = {
    upstreams: UP,
    servers: [
      { names: ['example.com', 'www.example.com'], locations: { '/': 'a', '/api/': { upstream: 'c', rewritePrefix: '/' } } },
      { names: ['*.example.net'], default: true, locations: { '/': 'b' } },
      { names: ['old.example.com'], return: { status: 301, url: '$scheme://example.com$request_uri' } },
    ],
  };
  const sy = createSwitchyard(options);
  assert.equal(show(sy.matchSite('GET', '/x?q=1', 'Example.com:3000')), 'a /x?q=1');
  assert.equal(show(sy.matchSite('GET', '/api/u', 'www.example.com')), 'c /u');
  assert.equal(show(sy.matchSite('GET', '/api/u', 'x.example.net')), 'b /api/u');
  assert.equal(show(sy.matchSite('GET', '/api/u', 'nobody.test')), 'b /api/u');
  assert.equal(show(sy.matchSite('GET', '/api/u', undefined)), 'b /api/u');
  // The host of an absolute request target wins over the Host header, as in nginx.
  assert.equal(show(sy.matchSite('GET', 'http://example.com/api/u', 'x.example.net')), 'c /u');
  assert.equal(show(sy.matchSite('GET', '/a/b?c=d', 'old.example.com', 'https')), '301 https://example.com/a/b?c=d');
  // match() leaves the return to matchSite().
  assert.equal(sy.match('GET', '/a', 'old.example.com'), undefined);
  assert.equal(show(sy.match('GET', '/a', 'example.com')), 'a /a');
  // Every host's locations are in config.locations (the adapters register their paths from it).
  assert.deepEqual(
    sy.config.locations.map((l) => `${l.key}>${l.upstream}`),
    ['/>a', '/api/>c', '/>b'],
  );
  void sy.close();
});

test('without default_server the first server is the default', () => {
  const sy = createSwitchyard({
    upstreams: UP,
    servers: [
      { names: ['a.test'], locations: { '/': 'a' } },
      { names: ['b.test'], locations: { '/': 'b' } },
    ],
  });
  assert.equal(show(sy.match('GET', '/', 'c.test')), 'a /');
  assert.equal(show(sy.match('GET', '/', 'B.TEST')), 'b /');
  void sy.close();
});

test('the single-site shape ignores the host', () => {
  const sy = createSwitchyard({ upstreams: UP, locations: { '/': 'a' } });
  assert.equal(sy.config.servers, undefined);
  assert.equal(show(sy.match('GET', '/x', 'anything.test')), 'a /x');
  assert.equal(show(sy.matchSite('GET', '/x')), 'a /x');
  void sy.close();
});

test('return variables: $host falls back to the server name without Host; $uri, $args, $is_args', () => {
  const sy = createSwitchyard({
    upstreams: UP,
    servers: [
      { names: ['go.test'], return: { status: 302, url: 'https://$host$uri$is_args$args' } },
      { names: ['t.test'], return: { status: 403, body: 'no ${server_name} for $request_uri\n' } },
    ],
  });
  assert.equal(show(sy.matchSite('GET', '/a/../b?x=1', undefined)), '302 https://go.test/b?x=1');
  assert.equal(show(sy.matchSite('GET', '/p', 'go.test:81')), '302 https://go.test/p');
  assert.equal(show(sy.matchSite('GET', '/p?q', 't.test')), '403 no t.test for /p?q\n');
  void sy.close();
});

test('return 444 is a route of its own: the adapters close the connection without an answer', () => {
  const sy = createSwitchyard({
    upstreams: UP,
    servers: [
      { default: true, return: { status: 444 } },
      { names: ['app.test'], locations: { '/': 'a' } },
    ],
  });
  assert.deepEqual(sy.config.servers?.[0]?.return, { status: 444 });
  assert.deepEqual(sy.matchSite('GET', '/x', 'unknown.test'), { return: { status: 444 } });
  assert.equal(show(sy.matchSite('GET', '/x', 'app.test')), 'a /x');
  void sy.close();
});

test('servers is validated with errors naming the field', () => {
  const bad = (servers: unknown, re: RegExp, extra: Record<string, unknown> = {}): void => {
    assert.throws(
      () => createSwitchyard({ upstreams: UP, servers, ...extra } as SwitchyardOptions),
      (err: unknown) => err instanceof SwitchyardConfigError && re.test(err.message),
      re.source,
    );
  };
  bad({}, /^servers must be an array/);
  bad([], /^servers must list at least one/);
  bad([{ names: 'a.test' }], /^servers\[0\]\.names must be an array/);
  bad([{ names: ['a.*.test'] }], /^servers\[0\]\.names\[0\] "a\.\*\.test" is an invalid wildcard/);
  bad([{ names: ['~('] }], /^servers\[0\]\.names\[0\] "~\(" has an invalid regular expression/);
  bad([{ names: ['a.test'] }, { names: ['A.test'] }], /^servers\[1\]\.names\[0\] "A\.test" is already a name of servers\[0\]/);
  bad([{ default: true }, { default: true }], /^servers\[1\]\.default only one server can be the default, servers\[0\] already is/);
  bad([{ names: ['a.test'], locations: { '/': 'nope' } }], /^servers\[0\]\.locations\["\/"\]\.upstream/);
  bad([{ names: ['a.test'], lcations: {} }], /^servers\[0\]\.lcations/);
  bad([{ return: { status: 301 } }], /^servers\[0\]\.return\.url is required with status 301/);
  bad([{ return: { status: 200, url: '/x' } }], /^servers\[0\]\.return\.url only goes with a redirect status/);
  bad([{ return: { status: 301, url: 'https://$http_host/' } }], /^servers\[0\]\.return\.url uses \$http_host, which switchyard does not know/);
  bad([{ return: { status: 301, url: '/' }, locations: { '/': 'a' } }], /^servers\[0\]\.return answers every request/);
  bad(
    [{ return: { status: 199 } }],
    /^servers\[0\]\.return\.status must be an HTTP status from 200 to 599, or 444 \(close the connection without an answer\), got 199/,
  );
  bad([{ return: { status: 600 } }], /^servers\[0\]\.return\.status must be an HTTP status from 200 to 599, or 444/);
  bad([{ return: { status: 444, body: 'bye' } }], /^servers\[0\]\.return\.body is not sent with status 444/);
  bad([{ locations: { '/': 'a' } }], /^locations cannot be given beside servers/, { locations: { '/': 'a' } });
  bad([{ locations: { '/a/': 'a', '^~ /a/': 'b' } }], /^servers\[0\]\.locations\["\^~ \/a\/"\] duplicates the location "\/a\/"/);
});

test('two hosts may have the same location; one host may not have it twice', () => {
  const sy = createSwitchyard({
    upstreams: UP,
    servers: [
      { names: ['a.test'], locations: { '/': 'a' } },
      { names: ['b.test'], locations: { '/': 'b' } },
    ],
  });
  assert.equal(sy.config.locations.length, 2);
  void sy.close();
});
