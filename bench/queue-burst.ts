/** @module A burst over maxConns (pnpm bench:queue): 3x the pool's connection slots through each adapter, with and without the upstream queue; counts failed requests and the latency tail. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensureTools } from './lib/tools.js';
import { wrk } from './lib/wrk.js';
import { startProxyApp } from './lib/proxy-app.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_QUEUE_SECONDS ?? 8);
const SERVERS = 2;
const MAX_CONNS = 4;
/** Each backend answer takes this long: the work that makes slots scarce. */
const WORK_MS = 20;
const CONNECTIONS = 3 * SERVERS * MAX_CONNS;

async function backend(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    // Simulated application work (a benchmark, not a test): each request holds its slot WORK_MS.
    setTimeout(() => res.end('ok'), WORK_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

ensureTools();
const backends = await Promise.all(Array.from({ length: SERVERS }, () => backend()));
const rows: string[] = [];
for (const adapter of ['fastify', 'express'] as const) {
  for (const queued of [false, true]) {
    const p = await startProxyApp(adapter, {
      upstreams: {
        app: {
          servers: backends.map((b) => ({ url: b.url, maxConns: MAX_CONNS })),
          ...(queued ? { queue: { size: CONNECTIONS, timeout: '10s' } } : {}),
        },
      },
      locations: { '/': 'app' },
    });
    await wrk({ url: p.url, core: null, connections: CONNECTIONS, durationS: 1 });
    const r = await wrk({ url: p.url, core: null, connections: CONNECTIONS, durationS: DURATION_S, script: join(ROOT, 'bench', 'wrk', 'count-status.lua') });
    const s = r.socketErrors;
    rows.push(
      `| ${adapter} | ${queued ? 'on' : 'off'} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.non2xx + s.connect + s.read + s.write + s.timeout} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${JSON.stringify(r.statuses)} |`,
    );
    await p.close();
  }
}
await Promise.all(backends.map((b) => b.close()));
console.log(`\n${CONNECTIONS} connections (3x ${SERVERS} servers x maxConns ${MAX_CONNS}), ${DURATION_S}s, backends answer in ${WORK_MS} ms\n`);
console.log('| adapter | queue | requests | req/s | failed | p50 ms | p99 ms | statuses |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
