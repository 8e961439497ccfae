/**
 * @module Micro-benchmark of the per-request facts in the core, in one process: a request's whole
 * core path (match, forward, first try, responded, end) on a base build and on this build with the
 * facts off, on, and on plus an access log line, in interleaved rounds. On a loaded machine this
 * tells more than whole-proxy runs: the difference it looks for is nanoseconds.
 *
 * Run: node --import tsx bench/facts-overhead.ts [base=/path/to/base/packages/core/dist/index.js]
 * Env: FACTS_BENCH_OPS (per round, default 200000), FACTS_BENCH_ROUNDS (default 9).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

type Core = typeof import('@switchyard/core');
const OPS = Number(process.env.FACTS_BENCH_OPS ?? 200_000);
const ROUNDS = Number(process.env.FACTS_BENCH_ROUNDS ?? 9);
const SENT = { requestSent: true, responseStarted: false };
const DONE = { requestSent: true, responseStarted: true };
const headers = { host: 'example.test', 'user-agent': 'bench' };
const raw = { method: 'GET', url: '/api/x?y=1', httpVersion: '1.1', remoteAddr: '127.0.0.1', headers };

type Variant = { name: string; run: () => void };

function variants(name: string, core: Core, facts: 'off' | 'on' | 'line'): Variant {
  const sy = core.createSwitchyard({
    upstreams: { app: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'] },
    locations: { '/': 'app' },
  });
  const format = facts === 'line' ? core.compileLogFormat('upstream') : undefined;
  const info = { method: 'GET', url: '/api/x?y=1', headers, clientIp: '127.0.0.1' };
  let sink = 0;
  const run = (): void => {
    const route = sy.match('GET', '/api/x?y=1');
    if (route === undefined || route.redirect !== undefined || route.internal !== undefined) throw new Error('no route');
    const f = facts === 'off' ? undefined : core.createRequestFacts(raw);
    const attempt = sy.forward(route, info, facts === 'off' ? { replayableBody: true } : { replayableBody: true, facts: f }).first();
    if (attempt === undefined) throw new Error('no attempt');
    attempt.responded(200, 1, SENT);
    attempt.end({ status: 200, headerMs: 1, totalMs: 2 }, DONE);
    if (f !== undefined) {
      core.finishRequestFacts(f, 200, 10);
      if (format !== undefined) sink += format.line({ facts: f }).length;
    }
  };
  // `sink` keeps the formatted line from being optimised away.
  return {
    name,
    run: () => {
      run();
      if (sink < 0) console.log(sink);
    },
  };
}

function measure(v: Variant): number {
  const start = process.cpuUsage();
  for (let i = 0; i < OPS; i++) v.run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / OPS;
}

const arg = process.argv.find((a) => a.startsWith('base='));
const list: Variant[] = [];
if (arg !== undefined) {
  const base = (await import(pathToFileURL(resolve(arg.slice(5))).href)) as Core;
  list.push(variants('base build', base, 'off'));
}
const here = (await import(pathToFileURL(resolve('packages/core/dist/index.js')).href)) as Core;
list.push(
  variants('this build, facts off', here, 'off'),
  variants('this build, facts on', here, 'on'),
  variants('this build, facts + upstream line', here, 'line'),
);
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
