/** @module The pool's 'response' event: exactly one per released try, carrying its outcome (feeds the metrics histogram). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePool, upstream } from './pool-fixtures.js';

test("emits one 'response' per release with the outcome, none for a second release", () => {
  const { pool, emitted } = makePool(upstream('round-robin', ['a', 'b']), 1, true);
  const first = pool.pick();
  const second = pool.pick();
  assert.ok(first && second);
  first.release({ status: 200, headerMs: 4, totalMs: 9 });
  first.release({ status: 500 });
  second.release({ failure: 'timeout', totalMs: 30 });
  const third = pool.pick();
  third?.release({ aborted: true });
  assert.deepEqual(emitted('response'), [
    { upstream: 'pool', url: 'http://a', status: 200, failure: undefined, aborted: undefined, headerMs: 4, totalMs: 9 },
    { upstream: 'pool', url: 'http://b', status: undefined, failure: 'timeout', aborted: undefined, headerMs: undefined, totalMs: 30 },
    { upstream: 'pool', url: 'http://a', status: undefined, failure: undefined, aborted: true, headerMs: undefined, totalMs: undefined },
  ]);
});

test("builds no 'response' payload when nobody listens", () => {
  const { pool, events } = makePool(upstream('round-robin', ['a']));
  pool.pick()?.release({ status: 200 });
  assert.equal(events.filter((e) => e.event === 'response').length, 0);
});
