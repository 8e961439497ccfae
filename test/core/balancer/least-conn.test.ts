/** @module least-conn: fewest active per weight, ties by smooth round robin, as nginx least_conn. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePool, nameOf, sequence, upstream } from './pool-fixtures.js';

describe('least-conn', () => {
  it('with one busy server sends the next 10 to the others', () => {
    const { pool } = makePool(upstream('least-conn', ['a', 'b', 'c']));
    const busy = pool.pick();
    assert.equal(nameOf(busy), 'a');
    assert.equal(sequence(pool, 10).join(''), 'bcbcbcbcbc');
    busy?.release({ status: 200 });
    assert.equal(sequence(pool, 3).sort().join(''), 'abc');
  });

  it('compares active per weight by cross-multiplying', () => {
    const { pool } = makePool(upstream('least-conn', [{ url: 'a', weight: 3 }, 'b']));
    // held picks: a 0/3 -> a 1/3 -> a 2/3 -> tie 3/3 vs 0/1? no: b 0/1 wins at a 1/3 (0 < 1/3)
    const held = [pool.pick(), pool.pick(), pool.pick(), pool.pick(), pool.pick(), pool.pick(), pool.pick(), pool.pick()];
    assert.equal(held.map(nameOf).join(''), 'abaaabaa');
    for (const p of held) p?.release({ status: 200 });
    assert.equal(pool.active, 0);
  });

  it('breaks ties by smooth weighted round robin among the tied', () => {
    const { pool } = makePool(upstream('least-conn', [{ url: 'a', weight: 5 }, 'b', 'c']));
    assert.equal(sequence(pool, 7).join(' '), 'a a b a c a a');
  });
});
