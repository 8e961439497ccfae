/** @module Client-address headers cannot be chosen by an untrusted client; behind trusted proxies the real client drives ip-hash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUpstreamHeaders, createSwitchyard, type Location, type ServerInfo } from '@switchyard/core';

const sy = createSwitchyard({ upstreams: { b: ['http://10.9.9.9:80'] }, locations: { '/': 'b' } });
const route = sy.match('GET', '/');
assert.ok(route && route.redirect === undefined && route.internal === undefined);
const location: Location = route.location;
const server: ServerInfo = sy.upstream('b').servers()[0] as ServerInfo;
const spoofed = { host: 'site', 'x-real-ip': '1.2.3.4', forwarded: 'for=1.2.3.4', 'x-forwarded-for': '1.2.3.4' };

test('an untrusted peer cannot choose X-Real-IP, Forwarded or X-Forwarded-For', () => {
  const out = buildUpstreamHeaders(spoofed, { peerIp: '203.0.113.9', encrypted: false, trusted: false, location, server });
  assert.equal(out['x-real-ip'], '203.0.113.9');
  assert.equal(out.forwarded, undefined);
  assert.equal(out['x-forwarded-for'], '203.0.113.9');
});

test('a trusted peer keeps them (X-Forwarded-For gets the peer appended)', () => {
  const out = buildUpstreamHeaders(spoofed, { peerIp: '10.0.0.2', encrypted: false, trusted: true, location, server });
  assert.equal(out['x-real-ip'], '1.2.3.4');
  assert.equal(out.forwarded, 'for=1.2.3.4');
  assert.equal(out['x-forwarded-for'], '1.2.3.4, 10.0.0.2');
});

test('ip-hash behind a trusted load balancer hashes the real client (rightmost untrusted X-Forwarded-For hop)', async () => {
  const servers = ['http://10.0.1.1:80', 'http://10.0.1.2:80', 'http://10.0.1.3:80', 'http://10.0.1.4:80'];
  const trusting = createSwitchyard({ upstreams: { p: { servers, balance: 'ip-hash' } }, locations: { '/': 'p' }, trustProxy: ['10.0.0.0/8'] });
  const naive = createSwitchyard({ upstreams: { p: { servers, balance: 'ip-hash' } }, locations: { '/': 'p' } });
  const pickFor = (instance: typeof sy, xff: string): string => {
    const r = instance.match('GET', '/');
    assert.ok(r && r.redirect === undefined && r.internal === undefined);
    const attempt = instance
      .forward(r, { method: 'GET', url: '/', headers: { 'x-forwarded-for': xff }, clientIp: '10.0.0.5' }, { replayableBody: true })
      .first();
    assert.ok(attempt);
    attempt.end({ status: 200 }, { requestSent: true, responseStarted: true });
    return attempt.server.url;
  };
  const clients = Array.from({ length: 40 }, (_, i) => `198.51.${i}.7`);
  assert.ok(new Set(clients.map((c) => pickFor(trusting, c))).size > 1, 'real clients spread over the pool');
  assert.equal(new Set(clients.map((c) => pickFor(naive, c))).size, 1, 'without trust every request hashes the balancer');
  // A spoofed leftmost hop does not matter: the rightmost untrusted one is the client.
  assert.equal(pickFor(trusting, `6.6.6.6, ${clients[3]}`), pickFor(trusting, clients[3] as string));
  // The same client behind two trusted hops.
  assert.equal(pickFor(trusting, `${clients[5]}, 10.0.0.9`), pickFor(trusting, clients[5] as string));
  await trusting.close();
  await naive.close();
  await sy.close();
});
