/** @module The status history with a fake clock: one sample per interval, bounded length, interval counts and percentiles, state ticks, and nothing when status is off. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createSwitchyard, type StatusOptions, type StatusSnapshot, type Switchyard } from '@switchyard/core';
import { HISTORY_INTERVAL_MS, HISTORY_SAMPLES, LATENCY_BOUNDS, StatusHistory, percentileOf } from '../../../packages/core/src/admin/status-history.js';
import { renderStatusPage } from '../../../packages/core/src/admin/status-page.js';
import { mergeStatus } from '../../../packages/core/src/cluster/merge-status.js';

const A = 'http://127.0.0.1:9001';
const B = 'http://127.0.0.1:9002';

function setup(status: boolean | StatusOptions = true): { sy: Switchyard; clock: { now: number } } {
  const clock = { now: 1000 };
  const option = status === true ? { status: { path: '/_status' } } : status === false ? {} : { status };
  const sy = createSwitchyard({ upstreams: { app: [A, B] }, ...option }, { now: () => clock.now, random: () => 0.5 });
  return { sy, clock };
}

/** n requests through the pool, each taking totalMs (round-robin: alternately on a and b). */
function load(sy: Switchyard, times: readonly number[]): void {
  for (const totalMs of times)
    sy.upstream('app')
      .pick()
      ?.release({ status: 200, headerMs: totalMs / 2, totalMs });
}

const server = (snap: StatusSnapshot, url: string) => snap.upstreams.app!.servers.find((s) => s.url === url)!.history!;

it('one sample per interval: the interval requests and p50/p99 from the bucket histogram, nothing before the interval ends', async () => {
  const { sy, clock } = setup();
  // 200 requests, 100 per server: on each, 98 at 3 ms and 2 at 800 ms.
  const times = [...new Array<number>(196).fill(3), 800, 800, 800, 800];
  load(sy, times);
  clock.now += HISTORY_INTERVAL_MS - 1;
  assert.deepEqual(sy.status().history, { intervalMs: HISTORY_INTERVAL_MS, samples: 0, keep: HISTORY_SAMPLES, total: 0 });
  assert.deepEqual(server(sy.status(), A).requests, []);
  clock.now += 1;
  const snap = sy.status();
  assert.deepEqual(snap.history, { intervalMs: HISTORY_INTERVAL_MS, samples: 1, keep: HISTORY_SAMPLES, total: 1 });
  const a = server(snap, A);
  assert.deepEqual(a.requests, [100]);
  // A percentile is its bucket's upper bound: the first bound at or above the time.
  assert.deepEqual(a.p50, [LATENCY_BOUNDS.find((b) => b >= 3)]);
  assert.deepEqual(a.p99, [LATENCY_BOUNDS.find((b) => b >= 800)]);
  assert.ok(a.p50[0]! >= 3 && a.p50[0]! < 3 * 1.42, `p50 ${a.p50[0]}`);
  assert.ok(a.p99[0]! >= 800 && a.p99[0]! < 800 * 1.42, `p99 ${a.p99[0]}`);
  assert.deepEqual(a.states, ['up']);
  assert.deepEqual(snap.upstreams.app!.history, { retries: [0], noLive: [0] });

  // The next interval counts only its own requests.
  load(sy, [10, 10, 10, 10]);
  clock.now += HISTORY_INTERVAL_MS;
  const next = server(sy.status(), A);
  assert.deepEqual(next.requests, [100, 2]);
  assert.deepEqual(next.p99.slice(1), [LATENCY_BOUNDS.find((b) => b >= 10)]);
  await sy.close();
});

it('keeps the last 60 samples; a clock jump closes the missed intervals as idle ones', async () => {
  const { sy, clock } = setup();
  for (let i = 0; i < HISTORY_SAMPLES + 15; i++) {
    load(sy, new Array<number>(2 * (i + 1)).fill(5));
    clock.now += HISTORY_INTERVAL_MS;
    sy.status();
  }
  const h = server(sy.status(), A);
  assert.equal(h.requests.length, HISTORY_SAMPLES);
  assert.equal(h.p50.length, HISTORY_SAMPLES);
  assert.equal(h.states.length, HISTORY_SAMPLES);
  // The oldest kept is interval 16 (of 75): i + 1 requests each on a.
  assert.deepEqual([h.requests[0], h.requests.at(-1)], [16, HISTORY_SAMPLES + 15]);
  assert.deepEqual(sy.status().history?.samples, HISTORY_SAMPLES);

  load(sy, [5, 5]);
  clock.now += 3 * HISTORY_INTERVAL_MS;
  const jumped = server(sy.status(), A);
  assert.deepEqual(jumped.requests.slice(-3), [1, 0, 0]);
  assert.deepEqual(jumped.p50.slice(-3), [LATENCY_BOUNDS.find((b) => b >= 5), 0, 0]);
  // A jump of hours costs at most 60 samples.
  clock.now += 1000 * HISTORY_INTERVAL_MS;
  assert.equal(server(sy.status(), A).requests.length, HISTORY_SAMPLES);
  // `total` still counts every interval, sampled or skipped: 75 + 3 + 1000.
  assert.equal(sy.status().history?.total, HISTORY_SAMPLES + 15 + 3 + 1000);
  assert.ok(server(sy.status(), A).requests.every((n) => n === 0));
  await sy.close();
});

it('records the state at each sample, and the page draws a tick where it changed', async () => {
  const { sy, clock } = setup();
  // Each read closes the interval that ended (as the timer's tick does): the state is the one at that moment.
  load(sy, [4, 4]);
  clock.now += HISTORY_INTERVAL_MS;
  sy.status();
  sy.setServer('app', B, { down: true });
  clock.now += HISTORY_INTERVAL_MS;
  sy.status();
  sy.setServer('app', B, { down: false });
  clock.now += HISTORY_INTERVAL_MS;
  const snap = sy.status();
  assert.deepEqual(server(snap, B).states, ['up', 'down', 'up']);
  assert.deepEqual(server(snap, A).states, ['up', 'up', 'up']);
  const html = renderStatusPage(snap, 0);
  const row = (url: string): string => html.slice(html.indexOf(`data-url="${url}"`)).split('</tr>')[0]!;
  assert.equal(row(B).match(/<line class="mark m-down"/g)?.length, 2, 'down tick on both graphs');
  assert.equal(row(B).match(/<line class="mark m-up"/g)?.length, 2, 'up tick on both graphs');
  assert.equal(row(A).match(/<line class="mark/g), null);
  assert.equal(row(A).match(/<polyline class="line-(req|p50|p99)"/g)?.length, 3);
  await sy.close();
});

it('counts retries (not budget refusals) and no-live-upstream per interval, from the events', () => {
  const events = new EventEmitter();
  let now = 0;
  const snap: StatusSnapshot = { upstreams: { app: { balance: 'round-robin', servers: [] } } };
  const history = new StatusHistory({ on: (e, l) => events.on(e, l), off: (e, l) => events.off(e, l), snapshot: () => snap, now: () => now }, { timer: false });
  events.emit('retry', { upstream: 'app', from: A, to: B, attempt: 2, reason: 'error' });
  events.emit('retry', { upstream: 'app', from: A, to: B, attempt: 2, reason: 'error' });
  events.emit('retry', { upstream: 'app', from: A, attempt: 2, reason: 'error', refused: 'budget' });
  events.emit('no-live-upstream', { upstream: 'app' });
  events.emit('no-live-upstream', { upstream: 'other' });
  now += HISTORY_INTERVAL_MS;
  history.advance();
  events.emit('no-live-upstream', { upstream: 'app' });
  now += HISTORY_INTERVAL_MS;
  assert.deepEqual(history.decorate(snap).upstreams.app!.history, { retries: [2, 0], noLive: [1, 1] });
  history.stop();
  assert.equal(events.listenerCount('response') + events.listenerCount('retry') + events.listenerCount('no-live-upstream'), 0);
});

it('percentileOf: empty is 0, the rank rounds up, the last bucket takes the slowest', () => {
  const counts = new Array<number>(LATENCY_BOUNDS.length).fill(0);
  assert.equal(percentileOf(counts, 0, 0.5), 0);
  counts[0] = 1;
  counts[LATENCY_BOUNDS.length - 1] = 1;
  assert.equal(percentileOf(counts, 2, 0.5), LATENCY_BOUNDS[0]);
  assert.equal(percentileOf(counts, 2, 0.99), LATENCY_BOUNDS.at(-1));
});

it('without status: no history and no response listener (nothing costs)', async () => {
  const { sy, clock } = setup(false);
  load(sy, [4, 4]);
  clock.now += HISTORY_INTERVAL_MS;
  const snap = sy.status();
  assert.equal(snap.history, undefined);
  assert.equal(snap.upstreams.app!.history, undefined);
  assert.equal(snap.upstreams.app!.servers[0]!.history, undefined);
  await sy.close();
});

it('status.history sets the interval and the samples kept: 1 s samples, the last 5, the rate is per interval', async () => {
  const { sy, clock } = setup({ path: '/_status', history: { interval: '1s', samples: 5 } });
  for (let i = 1; i <= 8; i++) {
    load(sy, new Array<number>(2 * i).fill(5));
    clock.now += 1000;
    sy.status();
  }
  const snap = sy.status();
  assert.deepEqual(snap.history, { intervalMs: 1000, samples: 5, keep: 5, total: 8 });
  // Only the last 5 of 8 intervals: i requests each on a.
  assert.deepEqual(server(snap, A).requests, [4, 5, 6, 7, 8]);
  assert.deepEqual(snap.upstreams.app!.history!.retries.length, 5);
  // The page spreads the 5 samples over the whole sparkline and says what they cover.
  const html = renderStatusPage(snap, 0);
  const points = /<polyline class="line-req" points="([^"]+)"/.exec(html)![1]!.split(' ');
  assert.deepEqual(
    points.map((p) => Number(p.split(',')[0])),
    [0, 29.5, 59, 88.5, 118],
  );
  // The highest point (8 requests) is at the top of the graph, the lowest (4) halfway down.
  assert.deepEqual(
    points.map((p) => Number(p.split(',')[1])),
    [12, 9.5, 7, 4.5, 2],
  );
  assert.match(html, /\(5 s\)<\/span>/);
  await sy.close();
});

it('status.history false: the status page without graphs', async () => {
  const { sy, clock } = setup({ path: '/_status', history: false });
  load(sy, [4, 4]);
  clock.now += HISTORY_INTERVAL_MS;
  const snap = sy.status();
  assert.equal(snap.history, undefined);
  assert.equal(snap.upstreams.app!.servers[0]!.history, undefined);
  assert.deepEqual(sy.config.status, { path: '/_status', history: undefined });
  const html = renderStatusPage(snap, 0);
  assert.doesNotMatch(html, /<svg/);
  await sy.close();
});

it("the timer's tick a little early still closes the interval (no empty sample after a full one)", () => {
  const events = new EventEmitter();
  let now = 0;
  const snap: StatusSnapshot = { upstreams: { app: { balance: 'round-robin', servers: [] } } };
  const history = new StatusHistory({ on: (e, l) => events.on(e, l), off: (e, l) => events.off(e, l), snapshot: () => snap, now: () => now }, { timer: false });
  events.emit('no-live-upstream', { upstream: 'app' });
  now = HISTORY_INTERVAL_MS - 3;
  history.advance();
  assert.deepEqual(history.upstream('app'), { retries: [], noLive: [] }, 'a read before the end closes nothing');
  history.advance(HISTORY_INTERVAL_MS / 4);
  assert.deepEqual(history.upstream('app'), { retries: [0], noLive: [1] }, 'the early tick closes it');
  // The next interval ends at 2 intervals, not 2 intervals after the early tick; a read just after it closes it once.
  events.emit('no-live-upstream', { upstream: 'app' });
  events.emit('no-live-upstream', { upstream: 'app' });
  now = 2 * HISTORY_INTERVAL_MS + 1;
  history.advance();
  history.advance(HISTORY_INTERVAL_MS / 4);
  assert.deepEqual(history.upstream('app'), { retries: [0, 0], noLive: [1, 2] });
  history.stop();
});

it("cluster: the workers' series are summed (requests, retries, no-live) or maxed (p50/p99), aligned on the newest sample", () => {
  const at = (snapshot: StatusSnapshot, url: string) => snapshot.upstreams.app!.servers.find((s) => s.url === url)!;
  const worker = (requests: number[], p99: number[], retries: number[], noLive: number[]): StatusSnapshot => ({
    upstreams: {
      app: {
        balance: 'round-robin',
        servers: [
          {
            url: A,
            state: 'up',
            backup: false,
            weight: 1,
            active: 0,
            requests: requests.reduce((x, y) => x + y, 0),
            responses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
            fails: 0,
            unavailable: 0,
            headerMs: 1,
            totalMs: 1,
            history: { requests, p50: p99.map((v) => v / 2), p99, states: requests.map(() => 'up' as const) },
          },
        ],
        history: { retries, noLive },
      },
    },
    history: { intervalMs: HISTORY_INTERVAL_MS, samples: requests.length, keep: HISTORY_SAMPLES, total: requests.length },
  });
  // The second worker started later: 2 samples against 3; a hostile third sends garbage.
  const first = worker([1, 2, 3], [4, 8, 2], [0, 1, 0], [0, 0, 1]);
  const second = worker([10, 20], [1, 16], [2, 2], [0, 5]);
  const hostile = JSON.parse(
    `{"upstreams":{"app":{"servers":[{"url":"${A}","requests":0,"responses":{},"history":{"requests":["x",-1,null],"p99":[1e9]}}],"history":{"retries":"no"}}}}`,
  ) as StatusSnapshot;
  const merged = mergeStatus(first, [second, hostile]);
  const h = at(merged, A).history!;
  assert.deepEqual(h.requests, [1, 12, 23]);
  assert.deepEqual(h.p99, [4, 8, 1e9]);
  assert.deepEqual(h.p50, [2, 4, 8]);
  assert.deepEqual(h.states, ['up', 'up', 'up']);
  assert.deepEqual(merged.upstreams.app!.history, { retries: [0, 3, 2], noLive: [0, 0, 6] });
  assert.deepEqual(merged.history, first.history);
});
