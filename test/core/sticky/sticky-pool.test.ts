/** @module Sticky decisions in the core: binding, when a binding is dropped, drain, accounting, secret, route and learn modes, status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, stickyServerId, type RequestInfo, type StickyOptions, type UpstreamOptions } from '@switchyard/core';

const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';
const C = 'http://127.0.0.1:8003';
const ID = { a: stickyServerId(A, undefined), b: stickyServerId(B, undefined), c: stickyServerId(C, undefined) };
const NAME: Record<string, string> = { [A]: 'a', [B]: 'b', [C]: 'c' };

function setup(sticky: StickyOptions, servers: UpstreamOptions['servers'] = [A, B, C], extra: Partial<UpstreamOptions> = {}) {
  const clock = { now: 1000 };
  const sy = createSwitchyard({ upstreams: { pool: { servers, sticky, ...extra } } }, { now: () => clock.now, random: () => 0.5 });
  const pool = sy.upstream('pool');
  /** Picks, releases with 200 (after `headers` as the upstream's answer): the server name and the Set-Cookie. */
  const go = (headers: Record<string, string> = {}, url = '/', answer: Record<string, string | string[]> = {}) => {
    const request: RequestInfo = { method: 'GET', url, headers, clientIp: '127.0.0.1' };
    const pick = pool.pick({ request });
    assert.ok(pick);
    const cookie = pick.responseCookie(answer);
    pick.release({ status: 200 });
    return { server: NAME[pick.server.url] ?? pick.server.url, cookie };
  };
  return { sy, pool, clock, go };
}

const cookie = { cookie: { name: 'srv_id' } };

test('cookie: an unbound request is balanced and gets the cookie of its server; a bound one stays, with the cookie again', () => {
  const { go } = setup(cookie);
  assert.deepEqual(go(), { server: 'a', cookie: `srv_id=${ID.a}` });
  assert.deepEqual(go(), { server: 'b', cookie: `srv_id=${ID.b}` });
  for (let i = 0; i < 5; i++) assert.deepEqual(go({ cookie: `x=1; srv_id=${ID.c}` }), { server: 'c', cookie: `srv_id=${ID.c}` });
  // A cookie naming no server of the pool is no binding.
  assert.equal(go({ cookie: 'srv_id=0123' }).cookie?.startsWith('srv_id='), true);
});

test('bound requests count in round robin: after one bound to a, the next unbound one goes to b', () => {
  const { go } = setup(cookie, [A, B]);
  assert.deepEqual([go({ cookie: `srv_id=${ID.a}` }).server, go().server, go({ cookie: `srv_id=${ID.a}` }).server, go().server], ['a', 'b', 'a', 'b']);
});

test('a bound server that is down, failed, at maxConns or already tried gives the request to another, which sets its own cookie', () => {
  const { sy, pool, clock, go } = setup(cookie, [A, B, { url: C, maxConns: 1 }]);
  const bound = { cookie: `srv_id=${ID.a}` };
  sy.setServer('pool', A, { down: true });
  const moved = go(bound);
  assert.notEqual(moved.server, 'a');
  assert.equal(moved.cookie, `srv_id=${moved.server === 'b' ? ID.b : ID.c}`);
  sy.setServer('pool', A, { down: false });
  assert.equal(go(bound).server, 'a');

  // passive failure: max_fails 1 marks a failed for fail_timeout
  const request: RequestInfo = { method: 'GET', url: '/', headers: bound, clientIp: '127.0.0.1' };
  const first = pool.pick({ request });
  assert.equal(first?.server.url, A);
  first?.release({ failure: 'error' });
  assert.notEqual(go(bound).server, 'a');
  clock.now += 10_001;
  assert.equal(go(bound).server, 'a');

  // already tried for this request (a retry may move it, as nginx's)
  const retry = pool.pick({ request, tried: new Set([A]) });
  assert.notEqual(retry?.server.url, A);
  retry?.release({ status: 200 });

  // maxConns: c holds one request
  const held = pool.pick({ request: { ...request, headers: { cookie: `srv_id=${ID.c}` } } });
  assert.equal(held?.server.url, C);
  assert.notEqual(go({ cookie: `srv_id=${ID.c}` }).server, 'c');
  held?.release({ status: 200 });
  assert.equal(go({ cookie: `srv_id=${ID.c}` }).server, 'c');
});

test('drain: a draining server keeps its bound requests and gets no unbound one', () => {
  const { sy, go } = setup(cookie);
  sy.setServer('pool', B, { drain: true });
  for (let i = 0; i < 9; i++) assert.notEqual(go().server, 'b');
  for (let i = 0; i < 3; i++) assert.deepEqual(go({ cookie: `srv_id=${ID.b}` }), { server: 'b', cookie: `srv_id=${ID.b}` });
  assert.equal(sy.status().upstreams.pool?.servers[1]?.state, 'draining');
});

test('a request bound to a backup returns to the primaries once one is usable', () => {
  const { sy, go } = setup(cookie, [A, { url: C, backup: true }]);
  sy.setServer('pool', A, { down: true });
  assert.equal(go({ cookie: `srv_id=${ID.c}` }).server, 'c');
  sy.setServer('pool', A, { down: false });
  assert.deepEqual(go({ cookie: `srv_id=${ID.c}` }), { server: 'a', cookie: `srv_id=${ID.a}` });
});

test("sign 'hmac-sha256': the cookie is signed; a forged or unsigned cookie is treated as unbound", () => {
  const secret = 'sixteen-chars-at-least';
  const { sy, go } = setup({ cookie: { name: 'srv_id' }, secret, sign: 'hmac-sha256' }, [A, B]);
  const first = go();
  assert.equal(first.server, 'a');
  assert.match(first.cookie ?? '', new RegExp(`^srv_id=${ID.a}\\.[A-Za-z0-9_-]{43}$`));
  const signed = (first.cookie as string).slice('srv_id='.length);
  for (let i = 0; i < 4; i++) assert.equal(go({ cookie: `srv_id=${signed}` }).server, 'a');
  // With a draining, only requests really bound to it reach it: the signed cookie does; the
  // unsigned md5 of a (a binding without a secret) and a forged signature do not.
  sy.setServer('pool', A, { drain: true });
  assert.equal(go({ cookie: `srv_id=${signed}` }).server, 'a');
  const forged = `${ID.a}.${(signed.split('.')[1] as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`;
  for (const value of [ID.a, forged, `${ID.a}.`, '.x']) {
    const answer = go({ cookie: `srv_id=${value}` });
    assert.equal(answer.server, 'b', value);
    assert.match(answer.cookie ?? '', new RegExp(`^srv_id=${ID.b}\\.`));
  }
});

test('route: the first non-empty variable names a server by its route; no cookie is set', () => {
  const { sy, go } = setup({ route: ['$cookie_route', '$arg_route'] }, [
    { url: A, route: 'a' },
    { url: B, route: 'b' },
    { url: C, route: 'c' },
  ]);
  assert.deepEqual(go({ cookie: 'route=b' }), { server: 'b', cookie: undefined });
  assert.equal(go({}, '/x?route=c').server, 'c');
  assert.equal(go({ cookie: 'route=b' }, '/x?route=c').server, 'b');
  assert.equal(go({ cookie: 'route=' }, '/x?route=a').server, 'a');
  // drain c: route=c still reaches it, an unknown route is balanced (never to c)
  sy.setServer('pool', C, { drain: true });
  assert.equal(go({}, '/x?route=c').server, 'c');
  for (let i = 0; i < 4; i++) assert.notEqual(go({ cookie: 'route=zz' }).server, 'c');
});

test('learn: the session an upstream creates is remembered against its server; status counts sessions; idle timeout and maxSessions bound it', () => {
  const { sy, clock, go } = setup({ learn: { create: '$upstream_cookie_sessionid', lookup: '$cookie_sessionid', timeout: '1m', maxSessions: 2 } });
  const sessions = () => sy.status().upstreams.pool?.sessions;
  assert.equal(sessions(), 0);
  assert.equal(go({}, '/', { 'set-cookie': ['other=1', 'sessionid=S1; Path=/; HttpOnly'] }).server, 'a');
  assert.equal(go({}, '/', { 'set-cookie': ['sessionid=S2'] }).server, 'b');
  assert.equal(sessions(), 2);
  for (let i = 0; i < 3; i++) assert.deepEqual(go({ cookie: 'sessionid=S2' }), { server: 'b', cookie: undefined });
  for (let i = 0; i < 3; i++) assert.equal(go({ cookie: 'sessionid=S1' }).server, 'a');
  // a third session evicts the least recently used (S2: S1 was refreshed last)
  clock.now += 10;
  go({}, '/', { 'set-cookie': ['sessionid=S3'] });
  assert.equal(sessions(), 2);
  assert.equal(go({ cookie: 'sessionid=S1' }).server, 'a');
  // b, drained, takes only requests bound to it: S2 was, but is forgotten now
  sy.setServer('pool', B, { drain: true });
  for (let i = 0; i < 4; i++) assert.notEqual(go({ cookie: 'sessionid=S2' }).server, 'b', 'S2 was forgotten: balanced');
  // idle past the timeout: forgotten
  clock.now += 60_001;
  assert.equal(sessions(), 0);
});

test('learn refreshes a carried session and rebinds it to the server that answered (nginx "session reused")', () => {
  const { sy, go } = setup({ learn: { create: '$upstream_cookie_sid', lookup: '$cookie_sid' } });
  assert.equal(go({}, '/', { 'set-cookie': 'sid=X' as unknown as string[] }).server, 'a');
  sy.setServer('pool', A, { down: true });
  const moved = go({ cookie: 'sid=X' }).server;
  assert.notEqual(moved, 'a');
  sy.setServer('pool', A, { down: false });
  assert.equal(go({ cookie: 'sid=X' }).server, moved);
});

test('config errors name the field', () => {
  const bad = (pool: unknown, message: RegExp) => assert.throws(() => createSwitchyard({ upstreams: { pool: pool as UpstreamOptions } }), message);
  bad({ servers: [A], sticky: {} }, /upstreams\.pool\.sticky must have exactly one of cookie, route or learn, got none/);
  // A misspelt mode gets the "did you mean" every other option has.
  bad({ servers: [A], sticky: { cookies: { name: 'sid' } } }, /upstreams\.pool\.sticky\.cookies is not a known option \(did you mean cookie\?\)/);
  bad({ servers: [A], sticky: { lern: { create: '$upstream_cookie_sid' } } }, /upstreams\.pool\.sticky\.lern is not a known option \(did you mean learn\?\)/);
  bad(
    { servers: [A], sticky: { cookie: { name: 'a' }, route: ['$cookie_r'] } },
    /upstreams\.pool\.sticky must have exactly one of cookie, route or learn, got cookie and route/,
  );
  bad({ servers: [A], sticky: { cookie: { name: 'a b' } } }, /upstreams\.pool\.sticky\.cookie\.name must be a cookie name/);
  bad(
    { servers: [A], sticky: { cookie: { name: 'a', sameSite: 'sometimes' } } },
    /upstreams\.pool\.sticky\.cookie\.sameSite must be 'strict', 'lax' or 'none'/,
  );
  bad(
    { servers: [A], sticky: { cookie: { name: 'a', path: '/; x' } } },
    /upstreams\.pool\.sticky\.cookie\.path must be a non-empty string without spaces or ';'/,
  );
  bad({ servers: [A], sticky: { cookie: { name: 'a', expires: 'soon' } } }, /upstreams\.pool\.sticky\.cookie\.expires must be a duration/);
  bad(
    { servers: [A], sticky: { cookie: { name: 'a' }, secret: 'short', sign: 'hmac-sha256' } },
    /upstreams\.pool\.sticky\.secret must be a string of at least 16 characters with sign 'hmac-sha256', got 5 characters/,
  );
  bad({ servers: [A], sticky: { cookie: { name: 'a' }, secret: '' } }, /upstreams\.pool\.sticky\.secret must be a non-empty string, got 0 characters/);
  bad({ servers: [A], sticky: { route: '$cookie_r', secret: 7 } }, /upstreams\.pool\.sticky\.secret must be a non-empty string, got 7/);
  bad({ servers: [A], sticky: { cookie: { name: 'a' }, sign: 'hmac-sha256' } }, /upstreams\.pool\.sticky\.sign needs a secret/);
  bad(
    { servers: [A], sticky: { cookie: { name: 'a' }, secret: 's', sign: 'sha1' } },
    /upstreams\.pool\.sticky\.sign must be 'md5' or 'hmac-sha256', got "sha1"/,
  );
  bad({ servers: [A], sticky: { cookie: { name: 'a' }, strict: 'yes' } }, /upstreams\.pool\.sticky\.strict must be a boolean, got "yes"/);
  bad(
    { servers: [A], sticky: { learn: { create: '$upstream_cookie_s', lookup: '$cookie_s' }, secret: 'x' } },
    /upstreams\.pool\.sticky\.secret is not a known option \(known: learn, strict\)/,
  );
  bad({ servers: [A], sticky: { route: ['cookie_route'] } }, /upstreams\.pool\.sticky\.route\[0\] must be an nginx variable/);
  bad({ servers: [A], sticky: { route: '$nope' } }, /upstreams\.pool\.sticky\.route uses the unknown variable \$nope/);
  bad({ servers: [A], sticky: { learn: { lookup: '$cookie_s' } } }, /upstreams\.pool\.sticky\.learn\.create is required/);
  bad(
    { servers: [A], sticky: { learn: { create: '$cookie_s', lookup: '$cookie_s' } } },
    /upstreams\.pool\.sticky\.learn\.create must be '\$upstream_cookie_<name>'/,
  );
  bad(
    { servers: [A], sticky: { learn: { create: '$upstream_cookie_s', lookup: '$cookie_s', maxSessions: 0 } } },
    /upstreams\.pool\.sticky\.learn\.maxSessions must be a positive integer, got 0/,
  );
  bad(
    { servers: [A], sticky: { learn: { create: '$upstream_cookie_s', lookup: '$cookie_s', timeout: 0 } } },
    /upstreams\.pool\.sticky\.learn\.timeout must be more than 0/,
  );
  bad(
    {
      servers: [
        { url: A, route: 'a' },
        { url: B, route: 'a' },
      ],
    },
    /upstreams\.pool\.servers\[1\]\.route repeats the route "a" of upstreams\.pool\.servers\[0\]/,
  );
  bad({ servers: [{ url: A, route: 'a;b' }] }, /upstreams\.pool\.servers\[0\]\.route must be 1 to 32 cookie-safe characters/);
  bad({ servers: [{ url: A, route: 'x'.repeat(33) }] }, /upstreams\.pool\.servers\[0\]\.route must be 1 to 32/);
  const sy = createSwitchyard({ upstreams: { pool: { servers: [{ url: A, route: 'a' }], sticky: { route: '$cookie_r' } } } });
  assert.throws(() => sy.addServer('pool', { url: B, route: 'a' }), /addServer\(pool, http:\/\/127\.0\.0\.1:8002\)\.route repeats the route "a"/);
});

test('ctx.sticky false ignores the binding for one pick', () => {
  const { sy, pool } = setup(cookie);
  sy.setServer('pool', A, { drain: true });
  const request: RequestInfo = { method: 'GET', url: '/', headers: { cookie: `srv_id=${ID.a}` }, clientIp: '127.0.0.1' };
  const bound = pool.pick({ request });
  const unbound = pool.pick({ request, sticky: false });
  assert.deepEqual([bound?.server.url, unbound?.server.url === A], [A, false]);
  bound?.release({ status: 200 });
  unbound?.release({ status: 200 });
});

test('learn from a response header ($upstream_http_<name>) and look up from a request header; cookie expires given in ms', () => {
  const learn = setup({ learn: { create: '$upstream_http_x_session', lookup: ['$http_x_session', '$arg_session'] } });
  assert.equal(learn.go({}, '/', { 'x-session': 'abc' }).server, 'a');
  learn.sy.setServer('pool', A, { drain: true });
  assert.equal(learn.go({ 'x-session': 'abc' }).server, 'a');
  assert.equal(learn.go({}, '/?session=abc').server, 'a');
  assert.notEqual(learn.go({ 'x-session': 'other' }).server, 'a');

  const timed = setup({ cookie: { name: 's', expires: 3_600_000, secure: true } });
  assert.match(timed.go().cookie ?? '', new RegExp(`^s=${ID.a}; expires=\\w{3}, \\d\\d-\\w{3}-\\d\\d \\d\\d:\\d\\d:\\d\\d GMT; max-age=3600; secure$`));
});
