/** @module Pool runtime control: add/remove/set servers, active-health verdicts, mandatory checks, status and events. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchyardLookupError } from '../../../packages/core/src/errors.js';
import type { HealthStatus } from '../../../packages/core/src/types.js';
import { makePool, nameOf, sequence, server, tally, upstream } from './pool-fixtures.js';

const probe = (ok: boolean): HealthStatus => ({ ok, status: ok ? 200 : 500, checkedAt: 1, consecutiveFails: ok ? 0 : 1, consecutivePasses: ok ? 1 : 0 });

describe('pool runtime control', () => {
  it('adds, removes and updates servers with events; unknown or duplicate urls are refused', () => {
    const t = makePool(upstream('round-robin', ['a', 'b']));
    const { pool } = t;
    pool.addServer(server('c'));
    assert.equal(sequence(pool, 3).sort().join(''), 'abc');
    assert.throws(() => pool.addServer(server('c')), SwitchyardLookupError);
    assert.throws(() => pool.setServer('http://nope', { down: true }), SwitchyardLookupError);
    assert.equal(pool.removeServer('http://nope'), false);
    assert.equal(pool.removeServer('http://a'), true);
    assert.deepEqual(
      pool.servers().map((s) => s.url),
      ['http://b', 'http://c'],
    );
    assert.equal(sequence(pool, 4).includes('a'), false);
    pool.setServer('http://b', { down: true });
    assert.deepEqual(tally(sequence(pool, 4)), { c: 4 });
    pool.setServer('http://b', { down: false, weight: 3 });
    assert.deepEqual(tally(sequence(pool, 8)), { b: 6, c: 2 });
    assert.deepEqual(
      t.events.map((e) => e.event),
      ['server:added', 'server:removed', 'server:updated', 'server:down', 'server:updated', 'server:up'],
    );
    assert.deepEqual(t.emitted('server:down'), [{ upstream: 'pool', url: 'http://b', state: 'down', reason: 'admin' }]);
    assert.deepEqual(t.emitted('server:up'), [{ upstream: 'pool', url: 'http://b', reason: 'admin' }]);
    assert.deepEqual(t.emitted('server:updated')[1], { upstream: 'pool', url: 'http://b', patch: { down: false, weight: 3 } });
    assert.throws(() => pool.setServer('http://b', { weight: 0 }), /weight/);
  });

  it('lets in-flight picks of a removed server release cleanly', () => {
    const t = makePool(upstream('least-conn', ['a', 'b']));
    const held = [t.pool.pick(), t.pool.pick(), t.pool.pick()];
    assert.equal(t.pool.active, 3);
    t.pool.removeServer('http://a');
    for (const p of held) p?.release({ failure: 'error' });
    held[0]?.release({ status: 200 });
    assert.equal(t.pool.active, 0);
    assert.deepEqual(
      t.pool.status().servers.map((s) => [s.url, s.active]),
      [['http://b', 0]],
    );
    // b is now the only server: like nginx's single peer it is never marked failed; removed a reports nothing
    assert.deepEqual(t.emitted('server:down'), []);
    assert.equal(t.pool.status().servers[0]?.fails, held.filter((h) => nameOf(h) === 'b').length);
    // a new server under the old url starts clean
    t.pool.addServer(server('a'));
    assert.equal(t.pool.status().servers[1]?.requests, 0);
  });

  it('takes active-health verdicts: unhealthy servers get nothing, a pass re-admits a passively failed one', () => {
    const t = makePool(upstream('round-robin', ['a', 'b']));
    const { pool } = t;
    pool.setHealth('http://a', false, probe(false));
    assert.deepEqual(tally(sequence(pool, 4)), { b: 4 });
    assert.equal(pool.status().servers[0]?.state, 'unhealthy');
    assert.deepEqual(pool.status().servers[0]?.health, probe(false));
    pool.setHealth('http://a', true, probe(true));
    assert.equal(sequence(pool, 4).sort().join(''), 'aabb');
    // passively failed, then a passing check brings it back before its window ends
    for (let i = 0; i < 4 && pool.status().servers[0]?.state !== 'failed'; i++) {
      const p = pool.pick();
      p?.release(nameOf(p) === 'a' ? { failure: 'error' } : { status: 200 });
    }
    assert.equal(pool.status().servers[0]?.state, 'failed');
    // a failing probe below the `fails` threshold keeps the verdict healthy but re-admits nothing
    pool.setHealth('http://a', true, probe(false));
    assert.equal(pool.status().servers[0]?.state, 'failed');
    pool.setHealth('http://a', true, probe(true));
    assert.equal(pool.status().servers[0]?.state, 'up');
    assert.ok(sequence(pool, 4).includes('a'));
    assert.deepEqual(
      t.events.filter((e) => e.event === 'server:down' || e.event === 'server:up').map((e) => `${e.event}:${'reason' in e.payload ? e.payload.reason : ''}`),
      ['server:down:health', 'server:up:health', 'server:down:passive', 'server:up:health'],
    );
    pool.setHealth('http://gone', false, probe(false)); // a probe finishing after removal is ignored
  });

  it('with mandatory checks, servers (also those added later) take traffic only after a first pass', () => {
    const t = makePool(upstream('round-robin', ['a', 'b'], { mandatory: true }));
    const { pool } = t;
    assert.equal(pool.pick(), undefined);
    assert.deepEqual(
      pool.status().servers.map((s) => s.state),
      ['unhealthy', 'unhealthy'],
    );
    pool.setHealth('http://b', true, probe(true));
    assert.deepEqual(tally(sequence(pool, 3)), { b: 3 });
    pool.addServer(server('c'));
    assert.deepEqual(tally(sequence(pool, 3)), { b: 3 });
    pool.setHealth('http://c', true, probe(true));
    assert.equal(sequence(pool, 4).sort().join(''), 'bbcc');
    assert.deepEqual(
      t.emitted('server:up').map((e) => e.url),
      ['http://b', 'http://c'],
    );
  });

  it('reports state with precedence down > unhealthy > failed > draining > up', () => {
    const { pool } = makePool(upstream('round-robin', ['a', 'b']));
    const state = () => pool.status().servers[0]?.state;
    assert.equal(state(), 'up');
    pool.setServer('http://a', { drain: true });
    assert.equal(state(), 'draining');
    pool.setServer('http://a', { drain: false });
    pool.pick()?.release({ failure: 'error' });
    pool.setServer('http://a', { drain: true });
    assert.equal(state(), 'failed');
    pool.setHealth('http://a', false, probe(false));
    assert.equal(state(), 'unhealthy');
    pool.setServer('http://a', { down: true });
    assert.equal(state(), 'down');
  });

  it('keeps statistics: requests, responses by class, running fails, average times', () => {
    const { pool } = makePool(upstream('round-robin', ['a'], { onStatus: [503] }));
    const outcomes = [
      { status: 200, headerMs: 10, totalMs: 20 },
      { status: 204, headerMs: 30, totalMs: 40 },
      { status: 302 },
      { status: 404 },
      { status: 503 },
      { status: 503, next: true },
      { status: 101 },
      { failure: 'error' as const },
      { aborted: true as const },
    ];
    for (const o of outcomes) pool.pick()?.release(o);
    const [a] = pool.status().servers;
    assert.deepEqual(pool.status().balance, 'round-robin');
    assert.deepEqual(a, {
      url: 'http://a',
      state: 'up',
      backup: false,
      weight: 1,
      active: 0,
      requests: 9,
      // The delivered 503 is a success; the one moved on from and the error are the two failures.
      responses: { '1xx': 1, '2xx': 2, '3xx': 1, '4xx': 1, '5xx': 2 },
      fails: 2,
      unavailable: 0,
      headerMs: 20,
      totalMs: 30,
    });
  });
});

describe('slow start', () => {
  it('ramps a recovered server from ~0 to its weight over slowStart', () => {
    const { pool, clock } = makePool(upstream('round-robin', [{ url: 'a', slowStartMs: 10_000 }, 'b']));
    pool.setServer('http://a', { down: true });
    pool.setServer('http://a', { down: false });
    const share = () => tally(sequence(pool, 100)).a ?? 0;
    const atStart = share();
    clock.advance(5_000);
    const half = share();
    clock.advance(5_000);
    const full = share();
    assert.ok(atStart <= 5, `just recovered: ${atStart}`);
    assert.ok(half >= 25 && half <= 40, `half way: ${half}`);
    assert.ok(full >= 49 && full <= 51, `ramped: ${full}`);
  });

  it('applies after passive recovery and after a passing health check', () => {
    const t = makePool(upstream('least-conn', [{ url: 'a', slowStartMs: 10_000 }, 'b']));
    const p = t.pool.pick();
    assert.equal(nameOf(p), 'a');
    p?.release({ failure: 'error' });
    t.pool.setHealth('http://a', true, probe(true));
    // least-conn with a ramping weight: a's 0 active still ties b's 0; then a's (1 active)/(0.01 weight) loses
    const held = Array.from({ length: 20 }, () => t.pool.pick());
    assert.ok(held.filter((h) => nameOf(h) === 'a').length <= 1);
    for (const h of held) h?.release({ status: 200 });
  });
});

it('removeServer and setServer find a server however addServer was given its url', async () => {
  const { createSwitchyard } = await import('@switchyard/core');
  const sy = createSwitchyard({ upstreams: { b: ['http://127.0.0.1:9001'] } });
  sy.addServer('b', '127.0.0.1:9000');
  sy.addServer('b', 'http://Backend:9002/');
  sy.setServer('b', 'http://Backend:9002/', { down: true });
  assert.equal(sy.status().upstreams.b?.servers.find((s) => s.url === 'http://backend:9002')?.state, 'down');
  assert.equal(sy.removeServer('b', '127.0.0.1:9000'), true);
  assert.deepEqual(
    sy.status().upstreams.b?.servers.map((s) => s.url),
    ['http://127.0.0.1:9001', 'http://backend:9002'],
  );
  await sy.close();
});
