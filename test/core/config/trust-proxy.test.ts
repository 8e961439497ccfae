import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrustPredicate, parseTrustEntry } from '../../../packages/core/src/config/trust-proxy.js';

test('booleans trust every peer or none', () => {
  assert.equal(createTrustPredicate(true)('203.0.113.9'), true);
  assert.equal(createTrustPredicate(false)('127.0.0.1'), false);
  assert.equal(createTrustPredicate([])('127.0.0.1'), false);
});

test('addresses, CIDR ranges and IPv4-mapped peers', () => {
  const trust = createTrustPredicate(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '172.16.0.0/12']);
  const cases: Array<[string, boolean]> = [
    ['10.1.2.3', true],
    ['10.255.255.255', true],
    ['11.0.0.1', false],
    ['::ffff:10.1.2.3', true],
    ['::FFFF:10.1.2.3', true],
    ['::ffff:11.1.2.3', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['2001:db8::1', true],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['::1', true],
    ['::2', false],
    ['fe80::1%eth0', false],
    ['not an ip', false],
    ['', false],
  ];
  for (const [ip, expected] of cases) assert.equal(trust(ip), expected, ip);
});

test('keywords and odd prefixes', () => {
  const trust = createTrustPredicate(['loopback', 'private']);
  assert.equal(trust('127.0.0.1'), true);
  assert.equal(trust('::ffff:127.0.0.1'), true);
  assert.equal(trust('::1'), true);
  assert.equal(trust('192.168.0.10'), true);
  assert.equal(trust('fd12::1'), true);
  assert.equal(trust('8.8.8.8'), false);
  assert.equal(createTrustPredicate(['linklocal'])('fe80::abcd%eth0'), true);
  assert.equal(createTrustPredicate(['10.0.0.1/31'])('10.0.0.0'), true);
  assert.equal(createTrustPredicate(['10.0.0.1/31'])('10.0.0.2'), false);
  assert.equal(createTrustPredicate(['0.0.0.0/0'])('1.2.3.4'), true);
  assert.equal(createTrustPredicate(['0.0.0.0/0'])('2001:db8::1'), false);
  assert.equal(createTrustPredicate(['::/0'])('2001:db8::1'), true);
  // A mapped range counts the 96 mapping bits, so it applies to IPv4 peers.
  assert.equal(createTrustPredicate(['::ffff:10.0.0.0/104'])('10.9.9.9'), true);
});

test('invalid entries throw', () => {
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.256', 'localhost', '10.0.0.0/', '10.0.0.0/x', '', '1.2.3']) {
    assert.throws(() => parseTrustEntry(bad), TypeError, bad);
  }
});

test('verdicts stay right past the bounded cache', () => {
  const trust = createTrustPredicate(['10.0.0.0/16']);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 1500; i++) {
      const a = `${i >> 8}.${i & 255}`;
      assert.equal(trust(`10.0.${a}`), true);
      assert.equal(trust(`10.1.${a}`), false);
    }
  }
});
