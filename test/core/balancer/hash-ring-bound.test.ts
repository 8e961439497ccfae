/** @module The consistent-hash ring is bounded: nginx's 160 points per weight unit up to MAX_RING_POINTS, a proportional share beyond (a prefix of each server's chain), built lazily at the next pick. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveServer } from '../../../packages/core/src/config/resolve-server.js';
import { ServerSlot } from '../../../packages/core/src/balancer/server-slot.js';
import { ConsistentHash, MAX_RING_POINTS, ringChain, ringPointCounts, ringPoints } from '../../../packages/core/src/balancer/strategies/consistent-hash.js';
import { createSwitchyard } from '../../../packages/core/src/index.js';

function slots(n: number, weight: number): ServerSlot[] {
  return Array.from(
    { length: n },
    (_, i) => new ServerSlot(resolveServer({ url: `http://10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:80`, weight }, 'test'), true, 0),
  );
}

describe('ring bound', () => {
  it('keeps nginx 160 points per unit while the total fits, and scales beyond, never above the bound', () => {
    assert.equal(MAX_RING_POINTS, 160_000);
    const small = slots(100, 10);
    const counts = ringPointCounts(small);
    assert.ok(small.every((s) => counts(s) === 1600));
    const ring = new ConsistentHash();
    ring.rebuild(small);
    assert.equal(ring.size, 160_000);

    const heavy = slots(1000, 1000);
    const scaled = ringPointCounts(heavy);
    assert.ok(heavy.every((s) => scaled(s) === 160));
    const big = new ConsistentHash();
    big.rebuild(heavy);
    assert.ok(big.size <= MAX_RING_POINTS + heavy.length, `${big.size} points`);
    // Mixed weights keep their proportions (floor), and every server at least one point.
    const mixed = [...slots(2, 1000), ...slots(3, 1).map((s) => s)];
    mixed.push(...slots(200, 1000).slice(2));
    const m = ringPointCounts(mixed);
    assert.equal(m(mixed[0]!), Math.floor((1000 * MAX_RING_POINTS) / (200 * 1000 + 3)));
    assert.ok(m(mixed[2]!) >= 1);
  });

  it('scaled points are the first ones of the same chain (keys move only off dropped points)', () => {
    assert.deepEqual(ringChain('10.0.0.1:80', 40), ringPoints('10.0.0.1:80', 1).slice(0, 40));
  });

  it('a pool of 14 servers of weight 1000 with consistent hash picks; 500 addServer calls then build one ring', async () => {
    const sy = createSwitchyard({
      upstreams: {
        api: {
          servers: Array.from({ length: 14 }, (_, i) => ({ url: `http://127.0.2.${i + 1}:80`, weight: 1000 })),
          balance: 'hash',
          hash: { key: '$request_uri', consistent: true },
        },
      },
    });
    for (let i = 0; i < 500; i++) sy.addServer('api', `http://127.0.3.${i & 255}:${1000 + i}`);
    const first = sy.upstream('api').pick({ key: '/some/key' })!;
    first.release({ status: 200 });
    // The same key lands on the same server while nothing changes.
    for (let i = 0; i < 5; i++) {
      const p = sy.upstream('api').pick({ key: '/some/key' })!;
      assert.equal(p.server.url, first.server.url);
      p.release({ status: 200 });
    }
    await sy.close();
  });
});
