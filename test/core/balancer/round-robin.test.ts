/** @module round-robin picks in nginx's exact smooth weighted order, including effective_weight after a failure. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePool, nameOf, sequence, upstream } from './pool-fixtures.js';

describe('round-robin', () => {
  it('weights 5,1,1 give a a b a c a a, twice over 14 picks', () => {
    const { pool } = makePool(upstream('round-robin', [{ url: 'a', weight: 5 }, 'b', 'c']));
    assert.equal(sequence(pool, 14).join(' '), 'a a b a c a a a a b a c a a');
  });

  it('equal weights go 1-2-3-1-2-3', () => {
    const { pool } = makePool(upstream('round-robin', ['a', 'b', 'c']));
    assert.equal(sequence(pool, 9).join(''), 'abcabcabc');
  });

  it('a failure drops effective_weight by weight/maxFails, and it climbs back by 1 per pick', () => {
    // Sequences from nginx's ngx_http_upstream_get_peer / free_peer: a weight 4 max_fails 2 loses 2.
    const healthy = makePool(upstream('round-robin', [{ url: 'a', weight: 4, maxFails: 2 }, 'b', 'c']));
    assert.equal(sequence(healthy.pool, 18).join(''), 'aabacaaabacaaabaca');

    const { pool } = makePool(upstream('round-robin', [{ url: 'a', weight: 4, maxFails: 2 }, 'b', 'c']));
    const first = pool.pick();
    assert.equal(nameOf(first), 'a');
    first?.release({ failure: 'error' });
    assert.equal(sequence(pool, 17).join(''), 'bacaabaacaabaacaa');
  });

  it('effective_weight never drops below 0 and the server still recovers', () => {
    const { pool } = makePool(
      upstream('round-robin', [
        { url: 'a', weight: 1, maxFails: 5 },
        { url: 'b', weight: 1, maxFails: 5 },
      ]),
    );
    // weight/maxFails floors to 0: failures do not change the order
    for (let i = 0; i < 4; i++) {
      const p = pool.pick();
      p?.release(nameOf(p) === 'a' ? { failure: 'timeout' } : { status: 200 });
    }
    assert.equal(sequence(pool, 4).join(''), 'abab');
    const heavy = makePool(upstream('round-robin', [{ url: 'a', weight: 3, maxFails: 1, failTimeoutMs: 0 }, 'b']));
    const p = heavy.pool.pick();
    assert.equal(nameOf(p), 'a');
    p?.release({ failure: 'error' });
    heavy.clock.advance(1);
    // effective weight 0 -> 1 -> 2 -> 3 over the next scans
    assert.equal(sequence(heavy.pool, 8).join(''), 'bbaabaaa');
  });

  it('skips servers already tried without disturbing the others', () => {
    const { pool } = makePool(upstream('round-robin', ['a', 'b', 'c']));
    const tried = new Set(['http://b']);
    assert.equal(sequence(pool, 4, () => ({ tried })).join(''), 'acac');
  });
});
