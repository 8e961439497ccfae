/** @module One conformance suite run against every balancing strategy: eligibility, weights, runtime changes, release accounting. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BalanceStrategyName, Pick, PickContext } from '../../../packages/core/src/types.js';
import { makePool, nameOf, sequence, server, tally, upstream, type ServerSpec } from './pool-fixtures.js';

interface Variant {
  label: string;
  balance: BalanceStrategyName;
  consistent?: boolean;
  /** The request context of pick number i (keys / client addresses vary for the hash strategies). */
  ctx(i: number): PickContext;
  /** Requests are bound to servers by a key: draining servers still take them. */
  sticky: boolean;
  /** Relative tolerance of the long-run weight shares (0 = exact). */
  tolerance: number;
  /**
   * Requests kept in flight during the long run. random-two compares active counts and, like nginx, gives
   * ties to its second (distinct) draw, so only under load do its shares follow the weights.
   */
  inFlight?: number;
}

const plain = (): PickContext => ({});
const VARIANTS: Variant[] = [
  { label: 'round-robin', balance: 'round-robin', ctx: plain, sticky: false, tolerance: 0 },
  { label: 'least-conn', balance: 'least-conn', ctx: plain, sticky: false, tolerance: 0 },
  { label: 'least-time', balance: 'least-time', ctx: plain, sticky: false, tolerance: 0 },
  { label: 'random', balance: 'random', ctx: plain, sticky: false, tolerance: 0.1 },
  { label: 'random-two', balance: 'random-two', ctx: plain, sticky: false, tolerance: 0.1, inFlight: 12 },
  { label: 'ip-hash', balance: 'ip-hash', ctx: (i) => ({ clientIp: `10.${i % 251}.${(i * 7) % 253}.9` }), sticky: true, tolerance: 0.25 },
  { label: 'hash', balance: 'hash', ctx: (i) => ({ key: `key-${i}` }), sticky: true, tolerance: 0.25 },
  { label: 'hash consistent', balance: 'hash', consistent: true, ctx: (i) => ({ key: `key-${i}` }), sticky: true, tolerance: 0.25 },
];

for (const v of VARIANTS) {
  const make = (servers: ServerSpec[], seed = 7) => makePool(upstream(v.balance, servers, { consistent: v.consistent }), seed);
  const ctxWith = (i: number, extra: PickContext): PickContext => ({ ...v.ctx(i), ...extra });

  describe(`balancer conformance: ${v.label}`, () => {
    it('never picks a down server', () => {
      const { pool } = make(['a', { url: 'b', down: true }, 'c']);
      const names = sequence(pool, 300, v.ctx);
      assert.equal(names.includes('b'), false);
      assert.equal(names.includes('-'), false);
    });

    it('never picks a failed server inside its fail_timeout window, and takes it back after', () => {
      const { pool, clock } = make(['a', 'b', 'c']);
      let failedOnce = false;
      for (let i = 0; i < 300 && !failedOnce; i++) {
        const pick = pool.pick(v.ctx(i));
        if (nameOf(pick) === 'b') {
          pick?.release({ failure: 'error' });
          failedOnce = true;
        } else {
          pick?.release({ status: 200 });
        }
      }
      assert.equal(failedOnce, true);
      clock.advance(9_999);
      assert.equal(sequence(pool, 300, (i) => v.ctx(i + 1000)).includes('b'), false);
      clock.advance(2);
      assert.equal(sequence(pool, 300, (i) => v.ctx(i + 2000)).includes('b'), true);
    });

    it('never picks a server already tried for the request', () => {
      const { pool } = make(['a', 'b', 'c']);
      const tried = new Set(['http://a']);
      const names = sequence(pool, 300, (i) => ctxWith(i, { tried }));
      assert.equal(names.includes('a'), false);
      assert.deepEqual(Object.keys(tally(names)).sort(), ['b', 'c']);
      const all = new Set(['http://a', 'http://b', 'http://c']);
      assert.equal(pool.pick(ctxWith(0, { tried: all })), undefined);
    });

    it('never gives a server more than maxConns requests at once', () => {
      const { pool } = make([{ url: 'a', maxConns: 1 }, 'b', 'c']);
      const held: Pick[] = [];
      for (let i = 0; i < 60; i++) {
        const pick = pool.pick(v.ctx(i));
        assert.ok(pick);
        held.push(pick);
      }
      assert.equal(held.filter((p) => nameOf(p) === 'a').length <= 1, true);
      for (const p of held) p.release({ status: 200 });
      assert.equal(pool.active, 0);
    });

    it('uses backups only while no primary is available', () => {
      const { pool } = make(['a', 'b', { url: 'z', backup: true }]);
      assert.equal(sequence(pool, 200, v.ctx).includes('z'), false);
      // a primary that this request already tried leaves the other one: still no backup
      assert.equal(sequence(pool, 50, (i) => ctxWith(i, { tried: new Set(['http://a']) })).includes('z'), false);
      pool.setServer('http://a', { down: true });
      pool.setServer('http://b', { down: true });
      assert.deepEqual(tally(sequence(pool, 20, v.ctx)), { z: 20 });
      pool.setServer('http://b', { down: false });
      assert.deepEqual(tally(sequence(pool, 20, v.ctx)), { b: 20 });
    });

    it('honours weights over a long run', () => {
      const { pool } = make(
        [
          { url: 'a', weight: 1 },
          { url: 'b', weight: 2 },
          { url: 'c', weight: 3 },
        ],
        11,
      );
      const n = 6000;
      const window: Pick[] = [];
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const pick = pool.pick(v.ctx(i));
        names.push(nameOf(pick));
        if (pick) window.push(pick);
        if (window.length > (v.inFlight ?? 0)) window.shift()?.release({ status: 200 });
      }
      for (const p of window) p.release({ status: 200 });
      const counts = tally(names);
      const expected = { a: 1000, b: 2000, c: 3000 };
      for (const [name, want] of Object.entries(expected)) {
        const got = counts[name] ?? 0;
        if (v.tolerance === 0) assert.equal(got, want, `${name}: ${got}`);
        else assert.ok(Math.abs(got - want) <= want * v.tolerance, `${name}: ${got}, expected about ${want}`);
      }
    });

    it('survives servers added and removed while picks are in flight', () => {
      const { pool } = make(['a', 'b']);
      const held: Pick[] = [];
      let added = 0;
      for (let i = 0; i < 400; i++) {
        const current = new Set(pool.servers().map((s) => s.url));
        const pick = pool.pick(v.ctx(i));
        assert.ok(pick, `pick ${i}`);
        assert.ok(current.has(pick.server.url), `${pick.server.url} is not in the pool`);
        held.push(pick);
        if (i % 10 === 3) pool.addServer(server(`n${added++}`));
        if (i % 10 === 7 && pool.servers().length > 2) {
          const victim = pool.servers()[(i >> 3) % pool.servers().length];
          assert.ok(victim);
          assert.equal(pool.removeServer(victim.url), true);
        }
        if (i % 3 === 0) held.shift()?.release({ status: 200 });
      }
      for (const p of held) p.release(mixedOutcome(p));
      assert.equal(pool.active, 0);
      for (const s of pool.status().servers) assert.equal(s.active, 0, s.url);
    });

    it('counts a release once: active returns to 0 and a second release is a no-op', () => {
      const { pool } = make(['a', 'b', 'c']);
      const held = Array.from({ length: 10 }, (_, i) => pool.pick(v.ctx(i)));
      assert.equal(pool.active, 10);
      for (const p of held) {
        p?.release({ status: 200 });
        p?.release({ status: 500 });
        p?.release({ failure: 'error' });
      }
      assert.equal(pool.active, 0);
      const servers = pool.status().servers;
      assert.equal(
        servers.reduce((n, s) => n + s.requests, 0),
        10,
      );
      assert.equal(
        servers.reduce((n, s) => n + s.responses['2xx'], 0),
        10,
      );
      assert.equal(
        servers.reduce((n, s) => n + s.responses['5xx'] + s.fails, 0),
        0,
      );
      assert.deepEqual(
        servers.map((s) => s.state),
        ['up', 'up', 'up'],
      );
    });

    it('answers undefined and emits no-live-upstream when no server is live', () => {
      const t = make([
        { url: 'a', down: true },
        { url: 'b', down: true },
      ]);
      assert.equal(t.pool.pick(v.ctx(0)), undefined);
      assert.deepEqual(t.emitted('no-live-upstream'), [{ upstream: 'pool' }]);
    });

    it(v.sticky ? 'still sends keys bound to a draining server there' : 'sends nothing new to a draining server', () => {
      const before = sequence(make(['a', 'b', 'c']).pool, 200, v.ctx);
      const { pool } = make(['a', { url: 'b', drain: true }, 'c']);
      const after = sequence(pool, 200, v.ctx);
      if (v.sticky) assert.deepEqual(after, before);
      else assert.equal(after.includes('b'), false);
    });
  });
}

/** Mixed outcomes for the in-flight picks released at the end. */
function mixedOutcome(p: Pick): { status: number } | { aborted: true } {
  return p.server.hostname.length % 2 === 0 ? { status: 204 } : { aborted: true };
}
