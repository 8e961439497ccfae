/** @module Security: behind trusted proxies the real client is found in a bounded part of X-Forwarded-For (hops and length capped), with nginx realip's rightmost-untrusted rule inside it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard } from '../../packages/core/src/switchyard.js';
import { createTrustPredicate } from '../../packages/core/src/config/trust-proxy.js';
import { MAX_FORWARDED_HOPS, MAX_FORWARDED_LENGTH, realClientIp } from '../../packages/core/src/forwarding/real-client.js';
import type { RequestInfo } from '../../packages/core/src/types.js';

const inTen = createTrustPredicate(['10.0.0.0/8']);
const trustedHops = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);

test('the rightmost untrusted hop is the client, as before the caps', () => {
  assert.equal(realClientIp('10.0.0.5', '6.6.6.6, 198.51.100.7', inTen), '198.51.100.7');
  assert.equal(realClientIp('10.0.0.5', '198.51.100.7, 10.0.0.9, 10.1.1.1', inTen), '198.51.100.7');
  assert.equal(realClientIp('10.0.0.5', ['198.51.100.7', '10.0.0.9'], inTen), '198.51.100.7');
  assert.equal(realClientIp('10.0.0.5', ' , ,198.51.100.7 ,, ', inTen), '198.51.100.7');
  // Every hop trusted: the leftmost one; no hop: the peer.
  assert.equal(realClientIp('10.0.0.5', '10.0.0.7, 10.0.0.8', inTen), '10.0.0.7');
  assert.equal(realClientIp('10.0.0.5', ' , ', inTen), '10.0.0.5');
  assert.equal(realClientIp('10.0.0.5', undefined, inTen), '10.0.0.5');
});

test(`at most ${MAX_FORWARDED_HOPS} hops are examined, however long the chain`, () => {
  const calls: string[] = [];
  const counting = (ip: string): boolean => (calls.push(ip), inTen(ip));
  const chain = ['198.51.100.7', ...trustedHops(1300)];
  const client = realClientIp('10.0.0.5', chain.join(', '), counting);
  assert.equal(calls.length, MAX_FORWARDED_HOPS);
  // The client beyond the cap is not reached: the leftmost examined (trusted) hop stands for it.
  assert.equal(client, chain[chain.length - MAX_FORWARDED_HOPS]);
  // Within the cap the client is found.
  const short = ['198.51.100.7', ...trustedHops(MAX_FORWARDED_HOPS - 1)];
  assert.equal(realClientIp('10.0.0.5', short.join(','), inTen), '198.51.100.7');
});

test(`only the last ${MAX_FORWARDED_LENGTH} characters are considered, never a hop cut in two`, () => {
  const calls: string[] = [];
  const counting = (ip: string): boolean => (calls.push(ip), true);
  const padded = `${'9'.repeat(1_000_000)}, 10.0.0.1`;
  assert.equal(realClientIp('10.0.0.5', padded, counting), '10.0.0.1');
  assert.deepEqual(calls, ['10.0.0.1']);
  // A window starting inside "10.0.0.77" drops that partial hop ("7" would otherwise be examined).
  const header = `10.0.0.77,${' '.repeat(MAX_FORWARDED_LENGTH - 12)}, 10.0.0.1`;
  assert.equal(header.length, MAX_FORWARDED_LENGTH + 8);
  const seen: string[] = [];
  assert.equal(
    realClientIp('10.0.0.5', header, (ip) => (seen.push(ip), true)),
    '10.0.0.1',
  );
  assert.deepEqual(seen, ['10.0.0.1']);
  // The same header a few characters shorter keeps the whole first hop.
  assert.equal(
    realClientIp('10.0.0.5', `10.0.0.77,${' '.repeat(MAX_FORWARDED_LENGTH - 20)}, 10.0.0.1`, () => true),
    '10.0.0.77',
  );
  // A single hop longer than the window: no hop, the peer is the client.
  assert.equal(
    realClientIp('10.0.0.5', 'x'.repeat(MAX_FORWARDED_LENGTH + 5), () => true),
    '10.0.0.5',
  );
});

test('a hop longer than any address is untrusted and never cached', () => {
  const everything = createTrustPredicate(['0.0.0.0/0', '::/0']);
  assert.equal(everything('1.2.3.4'), true);
  assert.equal(everything(`1.2.3.4${' '.repeat(100)}`), false);
  assert.equal(everything('0000:0000:0000:0000:0000:ffff:255.255.255.255'), true);
});

test('through forward(): the hash key sees the bounded real client', async () => {
  const seen: string[] = [];
  const sy = createSwitchyard({
    upstreams: {
      p: {
        servers: ['http://10.9.0.1:80', 'http://10.9.0.2:80'],
        balance: 'hash',
        hash: { key: (req: RequestInfo) => (seen.push(req.clientIp), req.clientIp) },
      },
    },
    locations: { '/': 'p' },
    trustProxy: ['10.0.0.0/8'],
  });
  const route = sy.match('GET', '/');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  for (const xff of [`198.51.100.7, ${trustedHops(5).join(', ')}`, `198.51.100.8, ${trustedHops(2000).join(', ')}`]) {
    const attempt = sy.forward(route, { method: 'GET', url: '/', headers: { 'x-forwarded-for': xff }, clientIp: '10.0.0.5' }, { replayableBody: true }).first();
    assert.ok(attempt);
    attempt.end({ status: 200 }, { requestSent: true, responseStarted: true });
  }
  assert.deepEqual(seen, ['198.51.100.7', trustedHops(2000)[2000 - MAX_FORWARDED_HOPS]]);
  await sy.close();
});
