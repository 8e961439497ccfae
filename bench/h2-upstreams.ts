/** @module h2c vs HTTP/1.1 keep-alive upstreams on both adapters (pnpm bench:h2): proxy CPU per request, latency tail and upstream connections, side by side in one run. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureTools } from './lib/tools.js';
import { wrk } from './lib/wrk.js';
import { startProxyApp } from './lib/proxy-app.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_H2_SECONDS ?? 5);
const SERVERS = 2;
const CONNECTIONS = 32;

interface Backends {
  readonly child: ChildProcess;
  readonly h1Ports: number[];
  readonly h2Ports: number[];
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
}

async function startBackends(): Promise<Backends> {
  const child = fork(join(ROOT, 'bench', 'servers', 'h1-h2c-backends.mjs'), [String(SERVERS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { h1Ports, h2Ports } = await nextMessage<{ h1Ports: number[]; h2Ports: number[] }>(child);
  return { child, h1Ports, h2Ports };
}

async function connectionCounts(b: Backends): Promise<{ h1: number; h2c: number }> {
  const reply = nextMessage<{ counts: { h1: number; h2c: number } }>(b.child);
  b.child.send('counts');
  return (await reply).counts;
}

ensureTools();
const backends = await startBackends();
const rows: string[] = [];
for (const adapter of ['fastify', 'express'] as const) {
  for (const protocol of ['h1', 'h2c'] as const) {
    const ports = protocol === 'h1' ? backends.h1Ports : backends.h2Ports;
    const start = await connectionCounts(backends);
    const p = await startProxyApp(adapter, {
      upstreams: { app: { protocol, servers: ports.map((port) => `http://127.0.0.1:${port}`) } },
      locations: { '/': 'app' },
    });
    // Warm-up (JIT, connections), then the measured run; the proxy runs in this process, the backends in their own.
    await wrk({ url: p.url, core: null, connections: CONNECTIONS, durationS: 1 });
    const cpu = process.cpuUsage();
    const r = await wrk({ url: p.url, core: null, connections: CONNECTIONS, durationS: DURATION_S });
    const used = process.cpuUsage(cpu);
    await p.close();
    const end = await connectionCounts(backends);
    const s = r.socketErrors;
    const opened = protocol === 'h1' ? end.h1 - start.h1 : end.h2c - start.h2c;
    const usPerRequest = (used.user + used.system) / Math.max(r.requests, 1);
    rows.push(
      `| ${adapter} | ${protocol === 'h1' ? 'HTTP/1.1 keep-alive' : 'h2c'} | ${r.rps.toFixed(0)} | ${usPerRequest.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${opened} | ${r.non2xx + s.connect + s.read + s.write + s.timeout} |`,
    );
  }
}
backends.child.send('exit');
console.log(
  `\n${CONNECTIONS} client connections (wrk, 1 thread), ${SERVERS} upstream servers, ${DURATION_S}s per row after a 1 s warm-up, small text answers\n`,
);
console.log('| adapter | upstream protocol | req/s | proxy CPU µs/request | p50 ms | p99 ms | upstream connections opened (warm-up + run) | failed |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
