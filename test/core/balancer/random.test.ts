/** @module random and random-two: weighted draws from env.random(); random-two takes the draw with fewer active per weight. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pick } from '../../../packages/core/src/types.js';
import { makePool, nameOf, sequence, tally, upstream } from './pool-fixtures.js';

describe('random', () => {
  it('draws by weight with the injected random source (same seed, same picks)', () => {
    const servers = [
      { url: 'a', weight: 1 },
      { url: 'b', weight: 3 },
    ];
    const one = sequence(makePool(upstream('random', servers), 5).pool, 50);
    const two = sequence(makePool(upstream('random', servers), 5).pool, 50);
    assert.deepEqual(one, two);
    const counts = tally(sequence(makePool(upstream('random', servers), 9).pool, 4000));
    assert.ok(Math.abs((counts.a ?? 0) - 1000) < 100, JSON.stringify(counts));
  });

  it('finds the one eligible server among many ineligible ones', () => {
    const servers = Array.from({ length: 50 }, (_, i) => ({ url: `s${i}`, down: i !== 37 }));
    for (const balance of ['random', 'random-two'] as const) {
      assert.deepEqual(tally(sequence(makePool(upstream(balance, servers)).pool, 20)), { s37: 20 }, balance);
    }
  });
});

describe('random-two', () => {
  it('never takes a server with more active requests than the other draw', () => {
    const { pool } = makePool(upstream('random-two', ['a', 'b', 'c']));
    const held: Pick[] = [];
    for (let i = 0; i < 3; i++) {
      const p = pool.pick({ tried: new Set(['http://b', 'http://c']) });
      assert.equal(nameOf(p), 'a');
      if (p) held.push(p);
    }
    assert.equal(sequence(pool, 60).includes('a'), false);
    for (const p of held) p.release({ status: 200 });
    assert.equal(sequence(pool, 60).includes('a'), true);
  });
});
