/** @module Memory of `sticky learn` under 1M distinct session ids at maxSessions 100000 (run: node --expose-gc --conditions=switchyard-source --import tsx bench/sticky-learn-memory.ts). */
import { performance } from 'node:perf_hooks';
import { createSwitchyard, type RequestInfo } from '@switchyard/core';

const IDS = Number(process.env.IDS ?? 1_000_000);
const MAX = Number(process.env.MAX_SESSIONS ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;

function heapMiB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const sy = createSwitchyard({
  upstreams: {
    pool: {
      servers: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'],
      sticky: { learn: { create: '$upstream_cookie_sessionid', lookup: '$cookie_sessionid', timeout: '1h', maxSessions: MAX } },
    },
  },
});
const pool = sy.upstream('pool');
const request: RequestInfo = { method: 'GET', url: '/login', headers: {}, clientIp: '127.0.0.1' };

const before = heapMiB();
const started = performance.now();
let peak = 0;
let measuring = 0;
for (let i = 0; i < IDS; i++) {
  const pick = pool.pick({ request });
  if (pick === undefined) throw new Error('no server');
  // A 32-hex-char id, as express-session / socket.io style ids are.
  pick.responseCookie({ 'set-cookie': [`sessionid=${i.toString(16).padStart(32, '0')}; Path=/; HttpOnly`] });
  pick.release({ status: 200 });
  if (i % 100_000 === 99_999) {
    const t0 = performance.now();
    peak = Math.max(peak, heapMiB() - before);
    measuring += performance.now() - t0;
  }
}
const elapsed = performance.now() - started - measuring;
const sessions = sy.status().upstreams.pool?.sessions ?? 0;
const after = heapMiB();
console.log(
  JSON.stringify({
    ids: IDS,
    maxSessions: MAX,
    sessions,
    withinBound: sessions <= MAX,
    heapMiB: Number((after - before).toFixed(1)),
    peakHeapMiB: Number(peak.toFixed(1)),
    bytesPerSession: Math.round(((after - before) * 1024 * 1024) / Math.max(1, sessions)),
    pickLearnReleaseNs: Math.round((elapsed * 1e6) / IDS),
    gcExposed: gc !== undefined,
  }),
);
await sy.close();
