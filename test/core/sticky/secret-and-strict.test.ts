/** @module sticky secret (Angie's MD5 of id + secret by default, HMAC as an opt-in) and strict (502 instead of rebalancing a binding). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSwitchyard, stickyServerId, type RequestInfo, type StickyOptions, type UpstreamOptions } from '@switchyard/core';

const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';
const C = 'http://127.0.0.1:8003';
const ID = { a: stickyServerId(A, undefined), b: stickyServerId(B, undefined), c: stickyServerId(C, undefined) };
const NAME: Record<string, string> = { [A]: 'a', [B]: 'b', [C]: 'c' };
/** Angie's ngx_http_upstream_sticky_hash: md5_update(sid), md5_update(secret), lowercase hex. */
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function setup(sticky: StickyOptions, servers: UpstreamOptions['servers'] = [A, B, C]) {
  const clock = { now: 1000 };
  const sy = createSwitchyard({ upstreams: { pool: { servers, sticky } }, locations: { '/': 'pool' } }, { now: () => clock.now, random: () => 0.5 });
  const pool = sy.upstream('pool');
  const request = (headers: Record<string, string>, url = '/'): RequestInfo => ({ method: 'GET', url, headers, clientIp: '127.0.0.1' });
  /** The server name and Set-Cookie of one pick released with 200, or undefined when the pool refuses it. */
  const go = (headers: Record<string, string> = {}, url = '/'): { server: string; cookie: string | undefined } | undefined => {
    const pick = pool.pick({ request: request(headers, url) });
    if (pick === undefined) return undefined;
    const cookie = pick.responseCookie({});
    pick.release({ status: 200 });
    return { server: NAME[pick.server.url] as string, cookie };
  };
  return { sy, pool, clock, go, request };
}

test('secret: the cookie value is the lowercase hex MD5 of the server id followed by the secret (Angie sticky_secret)', () => {
  const secret = 'k3y';
  const { go } = setup({ cookie: { name: 'srv_id' }, secret });
  assert.deepEqual(go(), { server: 'a', cookie: `srv_id=${md5(ID.a + secret)}` });
  assert.deepEqual(go(), { server: 'b', cookie: `srv_id=${md5(ID.b + secret)}` });
  // A cookie Angie wrote for c (same secret) binds here.
  for (let i = 0; i < 3; i++) assert.deepEqual(go({ cookie: `srv_id=${md5(ID.c + secret)}` }), { server: 'c', cookie: `srv_id=${md5(ID.c + secret)}` });
  // The bare id (no secret), an uppercase hash and another secret's hash bind nothing.
  for (const value of [ID.c, md5(ID.c + secret).toUpperCase(), md5(ID.c + 'other'), md5(secret + ID.c)]) {
    assert.notEqual(go({ cookie: `srv_id=${value}` })?.cookie, `srv_id=${md5(ID.c + secret)}`, value);
  }
});

test('secret with route: the carried value is the MD5 of route + secret; a server route= keeps its own value', () => {
  const { go } = setup({ route: '$cookie_route', secret: 's' }, [
    { url: A, route: 'r1' },
    { url: B, route: 'r2' },
  ]);
  assert.equal(go({ cookie: `route=${md5('r2s')}` })?.server, 'b');
  assert.equal(go({ cookie: `route=${md5('r2s')}` })?.cookie, undefined);
  // The plain route no longer names the server once a secret is set.
  const plain = [go({ cookie: 'route=r2' })?.server, go({ cookie: 'route=r2' })?.server];
  assert.ok(plain.includes('a'), String(plain));
});

test("sign 'hmac-sha256' stays available: id.signature, verified with the secret", () => {
  const { go } = setup({ cookie: { name: 'srv_id' }, secret: 'a-secret-of-sixteen+', sign: 'hmac-sha256' });
  const first = go();
  assert.match(first?.cookie ?? '', new RegExp(`^srv_id=${ID.a}\\.[A-Za-z0-9_-]{43}$`));
  const value = (first?.cookie as string).slice('srv_id='.length);
  for (let i = 0; i < 3; i++) assert.equal(go({ cookie: `srv_id=${value}` })?.server, 'a');
});

test('strict: a bound server that is down, failed or at maxConns is not replaced: the pick refuses (502)', () => {
  const { sy, pool, clock, go, request } = setup({ cookie: { name: 'srv_id' }, strict: true }, [A, B, { url: C, maxConns: 1 }]);
  const toA = { cookie: `srv_id=${ID.a}` };
  assert.equal(go(toA)?.server, 'a');
  sy.setServer('pool', A, { down: true });
  assert.equal(go(toA), undefined);
  // Requests without a binding are balanced as always.
  assert.notEqual(go()?.server, undefined);
  sy.setServer('pool', A, { down: false });

  const failing = pool.pick({ request: request(toA) });
  assert.equal(failing?.server.url, A);
  failing?.release({ failure: 'error' });
  assert.equal(go(toA), undefined, 'failed for failTimeout');
  clock.now += 10_000;
  assert.equal(go(toA), undefined, 'still inside the window');
  clock.now += 1;
  assert.equal(go(toA)?.server, 'a', 'the trial after the window');

  const held = pool.pick({ request: request({ cookie: `srv_id=${ID.c}` }) });
  assert.equal(held?.server.url, C);
  assert.equal(go({ cookie: `srv_id=${ID.c}` }), undefined, 'at maxConns');
  held?.release({ status: 200 });
  assert.equal(go({ cookie: `srv_id=${ID.c}` })?.server, 'c');
});

test('strict: an unknown or forged value is refused; no value, or an unknown learned session, is balanced', () => {
  const { go } = setup({ cookie: { name: 'srv_id' }, strict: true, secret: 'a-secret-of-sixteen+', sign: 'hmac-sha256' });
  assert.equal(go({ cookie: 'srv_id=0123' }), undefined);
  assert.equal(go({ cookie: `srv_id=${ID.a}` }), undefined, 'unsigned');
  assert.equal(go({ cookie: `srv_id=${ID.a}.${'A'.repeat(43)}` }), undefined, 'forged');
  assert.equal(go()?.server, 'a');
  const learn = setup({ learn: { create: '$upstream_cookie_sid', lookup: '$cookie_sid' }, strict: true });
  assert.equal(learn.go({ cookie: 'sid=never-seen' })?.server, 'a');
});

test('without strict the same bindings are balanced as unbound', () => {
  const { sy, go } = setup({ cookie: { name: 'srv_id' } });
  sy.setServer('pool', A, { down: true });
  assert.equal(go({ cookie: `srv_id=${ID.a}` })?.server, 'b');
  assert.equal(go({ cookie: 'srv_id=0123' })?.server, 'c');
});

test('strict through a forwarding: the bound server fails and the retry does not move the request (502, as Angie)', () => {
  const { sy } = setup({ cookie: { name: 'srv_id' }, strict: true });
  const route = sy.match('GET', '/');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const attempt = sy
    .forward(route, { method: 'GET', url: '/', headers: { cookie: `srv_id=${ID.b}` }, clientIp: '127.0.0.1' }, { replayableBody: true })
    .first();
  assert.equal(attempt?.server.url, B);
  assert.deepEqual(attempt?.end({ failure: 'error' }, { requestSent: false, responseStarted: false }), {
    action: 'fail',
    status: 502,
    reason: 'no live upstream',
  });
  const servers = sy.status().upstreams.pool?.servers ?? [];
  assert.deepEqual(
    servers.map((s) => s.requests),
    [0, 1, 0],
  );
});
