/** @module Configured request headers: nginx variables compiled at config time, Host settable, empty values remove, forwardedHeaders off, hidden response headers, duplicate Host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildUpstreamHeaders,
  compileHeaderValue,
  createSwitchyard,
  filterResponseHeaders,
  hasDuplicateHost,
  HeaderValueError,
  requestHeaderPlan,
  SwitchyardConfigError,
  type LocationOptions,
  type Location,
  type ServerInfo,
  type VariableSource,
} from '@switchyard/core';

function locationWith(options: Omit<LocationOptions, 'upstream'>, upstream = 'pool'): { location: Location; server: ServerInfo } {
  const sy = createSwitchyard({ upstreams: { [upstream]: ['http://10.9.9.9:8080'] }, locations: { '/': { upstream, ...options } } });
  const route = sy.match('GET', '/');
  assert.ok(route && route.redirect === undefined);
  const server = sy.upstream(upstream).servers()[0] as ServerInfo;
  void sy.close();
  return { location: route.location, server };
}

const source: VariableSource = {
  incoming: { host: 'Shop.Example:8443', 'x-forwarded-for': '203.0.113.9', 'x-a_b': 'ignored', 'x-a-b': 'dash', cookie: 'a=1; SID=S1' },
  peerIp: '::ffff:127.0.0.1',
  encrypted: true,
  upstream: 'pool',
  serverProtocol: 'https:',
  method: 'POST',
  requestUri: '/p/a%20b?q=1&Q2=two&flag',
  socket: { remotePort: 5555, localPort: 8443 },
};

function run(value: string): string {
  const v = compileHeaderValue(value);
  return typeof v === 'string' ? v : v(source);
}

test('each variable reads what nginx reads', () => {
  assert.equal(run('$host'), 'shop.example');
  assert.equal(run('$http_host'), 'Shop.Example:8443');
  assert.equal(run('$http_x_a_b'), 'dash');
  assert.equal(run('$remote_addr:$remote_port'), '127.0.0.1:5555');
  assert.equal(run('$scheme://$host:$server_port'), 'https://shop.example:8443');
  assert.equal(run('$proxy_add_x_forwarded_for'), '203.0.113.9, 127.0.0.1');
  assert.equal(run('$proxy_host:$proxy_port'), 'pool:443');
  assert.equal(run('$request_method $request_uri'), 'POST /p/a%20b?q=1&Q2=two&flag');
  assert.equal(run('$uri|$args|$is_args'), '/p/a b|q=1&Q2=two&flag|?');
  assert.equal(run('$cookie_sid/$cookie_a/$cookie_none'), 'S1/1/');
  assert.equal(run('$arg_q $arg_q2 [$arg_flag] [$arg_none]'), '1 two [] []');
  assert.equal(run('${host}x'), 'shop.examplex');
  assert.match(run('$request_id'), /^[0-9a-f]{32}$/);
  assert.match(run('t=${msec}'), /^t=\d+\.\d{3}$/);
  assert.equal(run('$HOST'), 'shop.example', 'names are case-insensitive, as nginx lower-cases them');
  assert.equal(compileHeaderValue('$proxy_host').constructor, Function);
  // Without a Host (HTTP/1.0) $host is empty; an IPv6 literal keeps its brackets.
  assert.equal((compileHeaderValue('$host') as (r: VariableSource) => string)({ ...source, incoming: {} }), '');
  assert.equal((compileHeaderValue('$host') as (r: VariableSource) => string)({ ...source, incoming: { host: '[::1]:80' } }), '[::1]');
});

test('literals stay strings (nothing to run per request); a lone "$" is literal; unknown variables and captures are errors', () => {
  assert.equal(compileHeaderValue('plain text'), 'plain text');
  assert.equal(compileHeaderValue('costs $ 5 and $'), 'costs $ 5 and $');
  assert.equal(compileHeaderValue(''), '');
  assert.throws(
    () => compileHeaderValue('$upstream_addr'),
    (err: unknown) => err instanceof HeaderValueError && /"\$upstream_addr"/.test(err.message),
  );
  assert.throws(
    () => compileHeaderValue('$1'),
    (err: unknown) => err instanceof HeaderValueError && /regex capture/.test(err.message),
  );
  assert.throws(
    () => compileHeaderValue('${host'),
    (err: unknown) => err instanceof HeaderValueError && /closing/.test(err.message),
  );
});

test('the config names the header of a bad value; Host may be set, framing headers still not; hideHeaders takes names', () => {
  const refused = (options: Omit<LocationOptions, 'upstream'>, message: string): void =>
    assert.throws(
      () => locationWith(options),
      (err: unknown) => err instanceof SwitchyardConfigError && err.message.includes(message),
    );
  refused({ headers: { 'X-Up': '$upstream_addr' } }, 'locations["/"].headers["X-Up"] uses the nginx variable "$upstream_addr"');
  refused({ headers: { 'Transfer-Encoding': 'chunked' } }, 'locations["/"].headers["Transfer-Encoding"] is a hop-by-hop/framing header');
  refused({ headers: { Host: '' } }, 'locations["/"].headers.Host must not be empty');
  refused({ hideHeaders: ['bad name'] }, 'locations["/"].hideHeaders[0] must be a header name');
  refused({ headerDefaults: 'apache' as 'nginx' }, `locations["/"].headerDefaults must be 'switchyard' or 'nginx'`);
  assert.doesNotThrow(() => locationWith({ headers: { Host: 'internal.example' } }));
});

test('JS defaults: X-Forwarded-* replaced, configured values expanded, an empty value removes the client header, Host configured', () => {
  const { location, server } = locationWith({ headers: { Host: '$host', 'X-Scheme': '$scheme', Proxy: '' } });
  const out = buildUpstreamHeaders(
    { host: 'Shop.Example', proxy: 'http://evil', 'x-forwarded-for': '1.2.3.4' },
    { peerIp: '203.0.113.9', encrypted: false, trusted: false, location, server },
  );
  assert.equal(out.host, 'shop.example');
  assert.equal(out['x-scheme'], 'http');
  assert.equal(out.proxy, undefined);
  assert.equal(out['x-forwarded-for'], '203.0.113.9');
  assert.equal(out['x-real-ip'], '203.0.113.9');
});

test("headerDefaults 'nginx': the client's headers untouched, Host $proxy_host, nothing added; preserveHost and a configured Host win", () => {
  const incoming = { host: 'shop.example', 'x-forwarded-for': '1.2.3.4', 'x-original-url': '/admin', connection: 'keep-alive, x-hop', 'x-hop': 'h' };
  const ctx = { peerIp: '203.0.113.9', encrypted: false, trusted: false };
  const ng = locationWith({ headerDefaults: 'nginx' });
  const out = buildUpstreamHeaders(incoming, { ...ctx, ...ng });
  assert.deepEqual(out, { 'x-forwarded-for': '1.2.3.4', 'x-original-url': '/admin', host: 'pool' });
  assert.equal(requestHeaderPlan(ng.location).hostNeedsServer, false, 'a rewriteRequest hook sees the Host');
  const kept = locationWith({ headerDefaults: 'nginx', preserveHost: true });
  assert.equal(buildUpstreamHeaders(incoming, { ...ctx, ...kept }).host, 'shop.example');
  const set = locationWith({ headerDefaults: 'nginx', headers: { Host: 'in.example', 'X-Forwarded-For': '$proxy_add_x_forwarded_for' } });
  const both = buildUpstreamHeaders(incoming, { ...ctx, ...set });
  assert.equal(both.host, 'in.example');
  assert.equal(both['x-forwarded-for'], '1.2.3.4, 203.0.113.9');
  // forwardedHeaders: false alone keeps the picked server's host.
  const off = locationWith({ forwardedHeaders: false });
  assert.equal(buildUpstreamHeaders(incoming, { ...ctx, ...off }).host, '10.9.9.9:8080');
  assert.equal(requestHeaderPlan(off.location).hostNeedsServer, true);
});

test('hidden response headers: X-Pad and the X-Accel instructions by default, Date/Server too for nginx, pass and hide lists', () => {
  const upstream = {
    'x-accel-redirect': '/i',
    'x-accel-buffering': 'no',
    'x-accel-foo': 'kept (nginx does too)',
    'x-pad': 'p',
    server: 's',
    date: 'd',
    'x-powered-by': 'php',
  };
  assert.deepEqual(filterResponseHeaders(upstream), { 'x-accel-foo': 'kept (nginx does too)', server: 's', date: 'd', 'x-powered-by': 'php' });
  const ng = locationWith({ headerDefaults: 'nginx', hideHeaders: ['X-Powered-By'], passHeaders: ['server', 'x-accel-redirect'] }).location;
  assert.deepEqual(filterResponseHeaders(upstream, false, ng.hiddenHeaders), { 'x-accel-redirect': '/i', 'x-accel-foo': 'kept (nginx does too)', server: 's' });
});

test('duplicate Host is found in rawHeaders whatever the case; one Host is not', () => {
  assert.equal(hasDuplicateHost(['Host', 'a', 'Accept', '*/*', 'HOST', 'b']), true);
  assert.equal(hasDuplicateHost(['Host', 'a', 'Hosts', 'b', 'X-Host', 'c']), false);
  assert.equal(hasDuplicateHost([]), false);
});
