/** @module The upstream queue at maxConns (NGINX Plus `queue`), driven through the core API on a fake clock: FIFO, bounded, timed out, left by aborts, woken by every way a slot frees. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type Attempt, type QueueOptions, type QueueRefusal, type QueueTicket, type Switchyard } from '@switchyard/core';

const DONE = { requestSent: true, responseStarted: true };

/** A fake clock whose timers fire when `advance` passes them. */
class FakeClock {
  now = 0;
  #timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  setTimer = (fn: () => void, ms: number): (() => void) => {
    const t = { at: this.now + ms, fn, live: true };
    this.#timers.push(t);
    return () => {
      t.live = false;
    };
  };
  advance(ms: number): void {
    this.now += ms;
    for (const t of this.#timers) {
      if (t.live && t.at <= this.now) {
        t.live = false;
        t.fn();
      }
    }
  }
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

function setup(queue: QueueOptions, servers = 2, maxConns = 1): { sy: Switchyard; clock: FakeClock } {
  const clock = new FakeClock();
  const sy = createSwitchyard(
    {
      upstreams: {
        pool: { servers: Array.from({ length: servers }, (_, i) => ({ url: `http://10.0.0.${i + 1}:80`, maxConns })), queue },
      },
      locations: { '/': 'pool' },
    },
    { now: () => clock.now, setTimer: clock.setTimer },
  );
  return { sy, clock };
}

type Result = Attempt | QueueRefusal;

/** One request: its first try now, or its ticket and the result it is later given. */
function request(sy: Switchyard, n: number): { now: Attempt | undefined; ticket: QueueTicket | QueueRefusal | undefined; later: Result[] } {
  const route = sy.match('GET', `/r${n}`);
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const forwarding = sy.forward(route, { method: 'GET', url: `/r${n}`, headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true, queue: true });
  const later: Result[] = [];
  const now = forwarding.first();
  return { now, ticket: now === undefined ? forwarding.wait((r) => later.push(r)) : undefined, later };
}

const microtasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('every server at maxConns: requests wait in arrival order and each freed slot goes to the oldest, by the pool strategy', async () => {
  const { sy } = setup({ size: 10 });
  const a = request(sy, 1);
  const b = request(sy, 2);
  assert.ok(a.now && b.now, 'two servers, one slot each');
  const waiting = [request(sy, 3), request(sy, 4), request(sy, 5)];
  for (const w of waiting) assert.ok(w.ticket && 'cancel' in w.ticket);
  assert.equal(sy.status().upstreams.pool?.queue?.waiting, 3);

  b.now.end({ status: 200 }, DONE);
  await microtasks();
  const third = waiting[0]?.later[0] as Attempt;
  assert.equal(third.server.url, 'http://10.0.0.2:80', 'the freed server takes the oldest waiter');
  assert.equal(waiting[1]?.later.length, 0);

  // A newcomer does not overtake the two still waiting even when a slot is free at that moment.
  a.now.end({ status: 200 }, DONE);
  const newcomer = request(sy, 6);
  assert.equal(newcomer.now, undefined);
  await microtasks();
  assert.equal((waiting[1]?.later[0] as Attempt).server.url, 'http://10.0.0.1:80');
  assert.equal(waiting[2]?.later.length, 0);
  assert.equal(newcomer.later.length, 0);
  assert.deepEqual(sy.status().upstreams.pool?.queue, { size: 10, waiting: 2, total: 4, timedOut: 0, rejected: 0 });
});

test('a full queue refuses at once with the configured status; the default is 503', () => {
  const { sy } = setup({ size: 1 }, 1);
  assert.ok(request(sy, 1).now);
  assert.ok(request(sy, 2).ticket);
  assert.deepEqual(request(sy, 3).ticket, { action: 'fail', status: 503, reason: 'upstream queue is full' });
  const plus = setup({ size: 1, status: 502 }, 1).sy;
  request(plus, 1);
  request(plus, 2);
  assert.equal((request(plus, 3).ticket as QueueRefusal).status, 502);
  assert.equal(sy.status().upstreams.pool?.queue?.rejected, 1);
});

test('a request waits at most `timeout`, then gets the refusal; its timer is gone when it is served or leaves', async () => {
  const { sy, clock } = setup({ size: 5, timeout: '2s' }, 1);
  const first = request(sy, 1);
  const late = request(sy, 2);
  clock.advance(1999);
  assert.equal(late.later.length, 0);
  clock.advance(1);
  assert.deepEqual(late.later, [{ action: 'fail', status: 503, reason: 'timed out in the upstream queue' }]);
  assert.equal(sy.status().upstreams.pool?.queue?.timedOut, 1);

  const served = request(sy, 3);
  const leaving = request(sy, 4);
  (leaving.ticket as QueueTicket).cancel();
  assert.equal(sy.status().upstreams.pool?.queue?.waiting, 1, 'a cancelled request leaves at once');
  first.now?.end({ status: 200 }, DONE);
  await microtasks();
  assert.equal(served.later.length, 1);
  assert.equal(leaving.later.length, 0, 'nothing is settled after cancel');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('a client that aborts while its try runs frees the slot for the queue too (an abort is a release)', async () => {
  const { sy } = setup({ size: 5 }, 1);
  const running = request(sy, 1);
  const waiting = request(sy, 2);
  running.now?.end({ aborted: true }, { requestSent: true, responseStarted: false });
  await microtasks();
  assert.equal(waiting.later.length, 1);
});

test('raising maxConns, adding a server or bringing one back serves waiters without any release', async () => {
  const { sy } = setup({ size: 5 }, 1);
  request(sy, 1);
  const w1 = request(sy, 2);
  sy.setServer('pool', 'http://10.0.0.1:80', { maxConns: 2 });
  await microtasks();
  assert.equal(w1.later.length, 1);
  const w2 = request(sy, 3);
  sy.addServer('pool', { url: 'http://10.0.0.9:80', maxConns: 1 });
  await microtasks();
  assert.equal((w2.later[0] as Attempt).server.url, 'http://10.0.0.9:80');
});

test('nothing to wait for: no queue, or every server down, answers at once (undefined: 502 no live upstream)', async () => {
  const { sy } = setup({ size: 5 }, 1);
  sy.setServer('pool', 'http://10.0.0.1:80', { down: true });
  const r = request(sy, 1);
  assert.equal(r.now, undefined);
  assert.equal(r.ticket, undefined);

  const plain = createSwitchyard({ upstreams: { pool: [{ url: 'http://10.0.0.1:80', maxConns: 1 }] }, locations: { '/': 'pool' } });
  assert.ok(request(plain, 1).now);
  const second = request(plain, 2);
  assert.equal(second.now, undefined);
  assert.equal(second.ticket, undefined, 'without `queue` a pool at maxConns answers 502 at once, as nginx OSS');

  // Waiting when the last server goes down: the waiters are answered at the next wake, not left to time out.
  const live = setup({ size: 5 }, 1).sy;
  const running = request(live, 1);
  const waiter = request(live, 2);
  live.setServer('pool', 'http://10.0.0.1:80', { down: true });
  running.now?.end({ status: 200 }, DONE);
  await microtasks();
  assert.deepEqual(waiter.later, [{ action: 'fail', status: 502, reason: 'no live upstream' }]);
});

test('configuration errors name the field', () => {
  const make =
    (queue: unknown, maxConns = 1): unknown =>
    () =>
      createSwitchyard({ upstreams: { pool: { servers: [{ url: 'http://10.0.0.1:80', maxConns }], queue: queue as QueueOptions } } });
  assert.throws(make({ size: 0 }) as () => void, /upstreams\.pool\.queue\.size must be an integer from 1 to 100000, got 0/);
  assert.throws(make({ size: 1, timeout: 0 }) as () => void, /upstreams\.pool\.queue\.timeout must be more than 0/);
  assert.throws(make({ size: 1, status: 500 }) as () => void, /upstreams\.pool\.queue\.status must be 502 .* or 503/);
  assert.throws(make({ size: 1, tiemout: '1s' }) as () => void, /upstreams\.pool\.queue\.tiemout is not a known option \(did you mean timeout\?\)/);
  assert.throws(make({ size: 1 }, 0) as () => void, /upstreams\.pool\.queue needs at least one server with maxConns/);
});

test('the queue shows in Prometheus metrics and in a cluster-merged status, summed over workers', async () => {
  const { mergeStatus } = await import('../../../packages/core/src/cluster/merge-status.js');
  const { sy } = setup({ size: 4 }, 1);
  request(sy, 1);
  request(sy, 2);
  const one = sy.status();
  const merged = mergeStatus(one, [one]);
  assert.deepEqual(merged.upstreams.pool?.queue, { size: 8, waiting: 2, total: 2, timedOut: 0, rejected: 0 });

  const promClient = await import('prom-client');
  const { createPrometheusMetrics } = await import('@switchyard/core');
  const metrics = createPrometheusMetrics(sy, promClient);
  const text = await metrics.render();
  assert.match(text, /^switchyard_upstream_queue_waiting\{upstream="pool"\} 1$/m);
  assert.match(text, /^switchyard_upstream_queue_total\{upstream="pool"\} 1$/m);
  metrics.stop();
});
