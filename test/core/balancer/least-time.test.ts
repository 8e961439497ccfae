/** @module least-time: decayed average response time x (1 + active) / weight; an idle slow server is re-probed, never starved. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { comparedTime } from '../../../packages/core/src/balancer/strategies/least-time.js';
import { ServerSlot } from '../../../packages/core/src/balancer/server-slot.js';
import { makePool, nameOf, server, upstream } from './pool-fixtures.js';

describe('least-time', () => {
  it('halves the compared time per fail_timeout + 1 s idle, caps it at 5000 ms and rounds up to 20 ms', () => {
    const s = new ServerSlot(server('a'), true, 0);
    s.avgMs = 923;
    assert.equal(comparedTime(s, 0), 940);
    assert.equal(comparedTime(s, 10_999), 940);
    assert.equal(comparedTime(s, 11_000), 480); // 461.5 -> 480
    assert.equal(comparedTime(s, 22_000), 240); // 230.75 -> 240
    assert.equal(comparedTime(s, 66_000), 20); // 14.4 -> 20
    s.avgMs = 9000;
    assert.equal(comparedTime(s, 0), 5000);
    s.avgMs = 0;
    assert.equal(comparedTime(s, 0), 0);
  });

  it('prefers the fast server, then re-probes the idle slow one once its time has decayed', () => {
    const { pool, clock } = makePool(upstream('least-time', ['a', 'b']));
    // Build both averages (a ~20 ms, b ~994 ms), forcing each server with `tried`.
    for (let i = 0; i < 100; i++) {
      pool.pick({ tried: new Set(['http://b']) })?.release({ status: 200, headerMs: 20 });
      pool.pick({ tried: new Set(['http://a']) })?.release({ status: 200, headerMs: 1000 });
    }
    const timeline: string[] = [];
    for (let period = 0; period < 10; period++) {
      const names: string[] = [];
      for (let i = 0; i < 3; i++) {
        const p = pool.pick();
        names.push(nameOf(p));
        p?.release({ status: 200, headerMs: nameOf(p) === 'a' ? 20 : 1000 });
      }
      timeline.push(names.join(''));
      clock.advance(11_000);
    }
    // b's average (~994 ms) halves every 11 s it stays idle: 1000, 500, 260, 140, 80, 40, then 20 = a's bucket.
    assert.deepEqual(timeline.slice(0, 6), ['aaa', 'aaa', 'aaa', 'aaa', 'aaa', 'aaa']);
    assert.ok(timeline[6]?.includes('b'), `b re-probed in period 6: ${timeline.join(' ')}`);
    assert.deepEqual(timeline.slice(7), ['aaa', 'aaa', 'aaa'], 'once probed, b is slow again for a while');
  });

  it('multiplies by (1 + active) and divides by weight', () => {
    const { pool } = makePool(upstream('least-time', ['a', 'b']));
    for (let i = 0; i < 100; i++) {
      pool.pick({ tried: new Set(['http://b']) })?.release({ status: 200, headerMs: 100 });
      pool.pick({ tried: new Set(['http://a']) })?.release({ status: 200, headerMs: 200 });
    }
    // a ~100 ms, b ~200 ms: a takes requests until (1 + active) doubles its score
    // a 100 x 1 < b 200 x 1: a; a 100 x 2 ties b 200 x 1: round robin, the first (a) wins equal current weights;
    // a 100 x 3 > b 200 x 1: b; a 100 x 3 < b 200 x 2: a
    const held = [pool.pick(), pool.pick(), pool.pick(), pool.pick()];
    assert.deepEqual(held.map(nameOf).join(''), 'aaba');
    for (const p of held) p?.release({ aborted: true });
  });
});
