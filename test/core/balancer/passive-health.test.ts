/** @module nginx passive health: max_fails within fail_timeout, one trial after the window, single-server pools, what counts as a failure. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pick } from '../../../packages/core/src/types.js';
import { makePool, nameOf, sequence, upstream } from './pool-fixtures.js';

/** Pick until `name` comes up (bounded), release the others with 200, return its pick unreleased. */
function pickOf(pool: ReturnType<typeof makePool>['pool'], name: string): Pick {
  for (let i = 0; i < 20; i++) {
    const p = pool.pick();
    if (nameOf(p) === name && p) return p;
    p?.release({ status: 200 });
  }
  throw new Error(`${name} was never picked`);
}

describe('passive health', () => {
  it('three failures within the window take a server out; one trial after it brings it back', () => {
    const t = makePool(upstream('round-robin', [{ url: 'a', maxFails: 3 }, 'b']));
    const { pool, clock } = t;
    for (let i = 0; i < 3; i++) {
      if (i > 0) clock.advance(1000);
      pickOf(pool, 'a').release({ failure: 'error' });
    }
    assert.deepEqual(t.emitted('server:down'), [{ upstream: 'pool', url: 'http://a', state: 'failed', reason: 'passive' }]);
    assert.equal(sequence(pool, 10).join(''), 'bbbbbbbbbb');
    const a = pool.status().servers[0];
    assert.equal(a?.state, 'failed');
    assert.equal(a?.fails, 3);
    assert.equal(a?.unavailable, 1);

    // still inside the window (measured from the last failure)
    clock.advance(10_000);
    assert.equal(sequence(pool, 4).join(''), 'bbbb');
    clock.advance(1);
    // exactly one trial goes to a; while it is in flight a takes nothing else
    const trial = pickOf(pool, 'a');
    assert.equal(sequence(pool, 6).join(''), 'bbbbbb');
    trial.release({ status: 200 });
    assert.deepEqual(t.emitted('server:up'), [{ upstream: 'pool', url: 'http://a', reason: 'passive' }]);
    assert.equal(pool.status().servers[0]?.state, 'up');
    assert.deepEqual(sequence(pool, 4).sort().join(''), 'aabb');
  });

  it('a failed trial keeps the server out for another window', () => {
    const t = makePool(upstream('round-robin', ['a', 'b']));
    const { pool, clock } = t;
    pickOf(pool, 'a').release({ failure: 'timeout' });
    clock.advance(10_001);
    pickOf(pool, 'a').release({ failure: 'error' });
    assert.equal(sequence(pool, 6).join(''), 'bbbbbb');
    clock.advance(10_000);
    assert.equal(sequence(pool, 2).join(''), 'bb');
    clock.advance(1);
    // two failures left a's effective weight at 0: it climbs back before a wins a scan
    assert.ok(sequence(pool, 4).includes('a'));
    assert.equal(t.emitted('server:down').length, 1);
    assert.equal(pool.status().servers[0]?.unavailable, 2);
    assert.equal(pool.status().servers[0]?.fails, 2);
  });

  it('counts failures across successes until a pick after the window succeeds (nginx accessed/checked)', () => {
    const { pool, clock } = makePool(upstream('round-robin', [{ url: 'a', maxFails: 2 }, 'b']));
    pickOf(pool, 'a').release({ failure: 'error' });
    clock.advance(100);
    pickOf(pool, 'a').release({ status: 200 });
    pickOf(pool, 'a').release({ failure: 'error' });
    assert.equal(pool.status().servers[0]?.state, 'failed');

    const fresh = makePool(upstream('round-robin', [{ url: 'a', maxFails: 2 }, 'b']));
    pickOf(fresh.pool, 'a').release({ failure: 'error' });
    fresh.clock.advance(10_001);
    pickOf(fresh.pool, 'a').release({ status: 200 }); // resets fails
    pickOf(fresh.pool, 'a').release({ failure: 'error' });
    assert.equal(fresh.pool.status().servers[0]?.state, 'up');
  });

  it('never marks the only server of a pool failed', () => {
    const t = makePool(upstream('round-robin', ['a']));
    for (let i = 0; i < 5; i++) t.pool.pick()?.release({ failure: 'error' });
    assert.equal(nameOf(t.pool.pick()), 'a');
    assert.equal(t.pool.status().servers[0]?.state, 'up');
    assert.equal(t.pool.status().servers[0]?.fails, 5);
    assert.deepEqual(t.emitted('server:down'), []);
  });

  it('a lone primary with a backup is not single: it fails over to the backup and back after the trial', () => {
    const { pool, clock } = makePool(upstream('round-robin', ['a', { url: 'z', backup: true }]));
    pool.pick()?.release({ failure: 'error' });
    assert.equal(sequence(pool, 3).join(''), 'zzz');
    clock.advance(10_001);
    assert.equal(sequence(pool, 3).join(''), 'aaa');
  });

  it('maxFails 0 never marks a server failed', () => {
    const { pool } = makePool(upstream('round-robin', [{ url: 'a', maxFails: 0 }, 'b']));
    for (let i = 0; i < 10; i++) {
      const p = pool.pick();
      p?.release(nameOf(p) === 'a' ? { failure: 'error' } : { status: 200 });
    }
    assert.equal(sequence(pool, 4).join(''), 'abab');
    assert.equal(pool.status().servers[0]?.fails, 5);
  });

  it('counts error, timeout, invalid_header and listed statuses moved on from; never a delivered status, never 403/404; an abort is neither', () => {
    const outcomes = [
      { outcome: { failure: 'error' as const }, failed: true },
      { outcome: { failure: 'timeout' as const }, failed: true },
      { outcome: { failure: 'invalid_header' as const }, failed: true },
      { outcome: { status: 502, next: true }, failed: true },
      // nginx frees the response it hands to the client as a success, whatever its status.
      { outcome: { status: 502 }, failed: false },
      { outcome: { status: 502, next: false }, failed: false },
      { outcome: { status: 500, next: true }, failed: false },
      { outcome: { status: 403, next: true }, failed: false },
      { outcome: { status: 404, next: true }, failed: false },
      { outcome: { aborted: true as const }, failed: false },
    ];
    for (const { outcome, failed } of outcomes) {
      const { pool } = makePool(upstream('round-robin', ['a', 'b'], { onStatus: [502, 503, 403, 404] }));
      pickOf(pool, 'a').release(outcome);
      assert.equal(pool.status().servers[0]?.state, failed ? 'failed' : 'up', JSON.stringify(outcome));
      assert.equal(pool.status().servers[0]?.fails, failed ? 1 : 0, JSON.stringify(outcome));
    }
  });

  it("uses the request's failOn (a location's retry.on) over the upstream's statuses", () => {
    const { pool } = makePool(upstream('round-robin', ['a', 'b'], { onStatus: [502] }));
    const p = pool.pick({ failOn: new Set([500]) });
    assert.equal(nameOf(p), 'a');
    p?.release({ status: 500, next: true });
    assert.equal(pool.status().servers[0]?.state, 'failed');
    const q = pool.pick({ failOn: new Set([500]) });
    q?.release({ status: 502, next: true });
    assert.equal(pool.status().servers[1]?.state, 'up');
  });

  it('an aborted trial neither restores nor fails the server: the next window brings another trial', () => {
    const { pool, clock } = makePool(upstream('round-robin', ['a', 'b']));
    pickOf(pool, 'a').release({ failure: 'error' });
    clock.advance(10_001);
    pickOf(pool, 'a').release({ aborted: true });
    assert.equal(sequence(pool, 2).join(''), 'bb');
    assert.equal(pool.status().servers[0]?.state, 'failed');
    clock.advance(10_001);
    assert.ok(sequence(pool, 2).includes('a'));
  });

  it('backups take traffic only while every primary is unavailable', () => {
    const { pool, clock } = makePool(upstream('round-robin', ['a', 'b', { url: 'y', backup: true }, { url: 'z', backup: true }]));
    assert.equal(sequence(pool, 4).join(''), 'abab');
    pickOf(pool, 'a').release({ failure: 'error' });
    assert.equal(sequence(pool, 3).join(''), 'bbb');
    pickOf(pool, 'b').release({ failure: 'error' });
    assert.equal(sequence(pool, 4).join(''), 'yzyz');
    clock.advance(10_001);
    const back = sequence(pool, 6);
    assert.ok(back.includes('a') && back.includes('b') && !back.includes('y') && !back.includes('z'), back.join(''));
    assert.equal(pool.status().servers[2]?.backup, true);
  });
});
