/**
 * @module Micro-benchmark of the status page's history in the core, in one process: a request's
 * whole core path (match, forward, first try, responded, end) with `status` off, on (history
 * sampled every 10 s) and on with `history: false`, in interleaved rounds; then what one sample
 * and one status read cost. A whole-proxy A/B (`bench/ab.ts`) cannot see nanoseconds on this
 * machine; this can.
 *
 * Run: node --import tsx bench/status-history-overhead.ts
 * Env: STATUS_BENCH_OPS (per round, default 200000), STATUS_BENCH_ROUNDS (default 9).
 */
import { createSwitchyard, type StatusOptions, type Switchyard } from '../packages/core/src/index.js';

const OPS = Number(process.env.STATUS_BENCH_OPS ?? 200_000);
const ROUNDS = Number(process.env.STATUS_BENCH_ROUNDS ?? 9);
const SENT = { requestSent: true, responseStarted: false };
const DONE = { requestSent: true, responseStarted: true };
const headers = { host: 'example.test', 'user-agent': 'bench' };
const info = { method: 'GET', url: '/api/x?y=1', headers, clientIp: '127.0.0.1' };
const SERVERS = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

type Variant = { name: string; sy: Switchyard; run: () => void };

function variant(name: string, status: StatusOptions | undefined): Variant {
  const sy = createSwitchyard({ upstreams: { app: SERVERS }, locations: { '/': 'app' }, ...(status !== undefined ? { status } : {}) });
  let n = 0;
  const run = (): void => {
    const route = sy.match('GET', '/api/x?y=1');
    if (route === undefined || route.redirect !== undefined || route.internal !== undefined) throw new Error('no route');
    const attempt = sy.forward(route, info, { replayableBody: true }).first();
    if (attempt === undefined) throw new Error('no attempt');
    // Response times spread over a few histogram buckets.
    const ms = 1 + (n++ % 7) * 3;
    attempt.responded(200, ms, SENT);
    attempt.end({ status: 200, headerMs: ms, totalMs: ms + 1 }, DONE);
  };
  return { name, sy, run };
}

function measure(v: Variant): number {
  const start = process.cpuUsage();
  for (let i = 0; i < OPS; i++) v.run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / OPS;
}

const list = [
  variant('status off', undefined),
  variant('status on (history, 10 s samples)', { path: '/_status' }),
  variant('status on, history: false', { path: '/_status', history: false }),
];
for (const v of list) measure(v); // warm-up
const results = new Map<string, number[]>(list.map((v) => [v.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order: whichever runs first in a round does not always get the quieter moment.
  for (let i = 0; i < list.length; i++) {
    const v = list[(i + r) % list.length] as Variant;
    results.get(v.name)?.push(measure(v));
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const first = median(results.get((list[0] as Variant).name) ?? []);
console.log(`variant | median ns/request (core only) | ratio to ${(list[0] as Variant).name} | min–max ns`);
for (const [name, xs] of results) {
  console.log(`${name} | ${median(xs).toFixed(0)} | ${(median(xs) / first).toFixed(3)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`);
}

// One status read with a full history (what the page's refresh costs every 2 s), and one that
// also closes an interval (what the timer does every 10 s): 3 servers, 60 samples each, a fake clock.
const clock = { now: 0 };
const sampled = createSwitchyard({ upstreams: { app: SERVERS }, status: { path: '/_status' } }, { now: () => clock.now });
for (let i = 0; i < 60; i++) {
  for (let k = 0; k < 30; k++)
    sampled
      .upstream('app')
      .pick()
      ?.release({ status: 200, headerMs: 1 + k, totalMs: 2 + k });
  clock.now += 10_000;
  sampled.status();
}
const perCall = (fn: () => void, calls: number): number => {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
};
const plain = list[0] as Variant;
for (let w = 0; w < 4; w++) {
  const read = perCall(() => sampled.status(), 20_000);
  const withSample = perCall(() => {
    clock.now += 10_000;
    sampled.status();
  }, 20_000);
  const without = perCall(() => plain.sy.status(), 20_000);
  if (w === 3) {
    console.log(`status() without history, 3 servers | ${without.toFixed(1)} µs per read`);
    console.log(`status() with a full history (60 samples), 3 servers | ${read.toFixed(1)} µs per read`);
    console.log(`status() that also takes a sample | ${withSample.toFixed(1)} µs (the sample: ${(withSample - read).toFixed(1)} µs, once per interval)`);
  }
}
await Promise.all([...list.map((v) => v.sy.close()), sampled.close()]);
