/** @module Load during a DNS change (pnpm bench:dns): 50 connections through each adapter while the name moves from 3 addresses to 3 others, then the old backends stop; counts non-2xx and socket errors. */
import { join } from 'node:path';
import { startDns } from '../test/discovery/support/dnsmasq.js';
import { startAddressBackends } from '../test/discovery/support/address-backends.js';
import { wrk } from './lib/wrk.js';
import { startProxyApp } from './lib/proxy-app.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DNS_SECONDS ?? 12);
const CHANGE_AT_S = Number(process.env.BENCH_DNS_CHANGE_AT ?? 4);
/** After the change: TTL (1 s) + the 1 s floor + slack, then the old backends go away (a rolling deploy's end). */
const STOP_OLD_AFTER_S = 4;
const OLD = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const NEW = ['127.0.0.5', '127.0.0.6', '127.0.0.7'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const rows: string[] = [];
for (const adapter of ['fastify', 'express'] as const) {
  const backends = await startAddressBackends([...OLD, ...NEW]);
  const hosts = (addresses: string[]): string[] => addresses.map((a) => `${a} app.test`);
  const dns = await startDns({ hosts: hosts(OLD) });
  const p = await startProxyApp(adapter, {
    upstreams: { app: { servers: [{ url: `http://app.test:${backends.port}`, resolve: true }], resolver: { servers: [dns.address], timeout: '1s' } } },
    locations: { '/': 'app' },
  });
  const served = new Map<string, number>();
  for (const [address, b] of backends.byAddress) {
    b.handle((_req, res) => {
      served.set(address, (served.get(address) ?? 0) + 1);
      res.setHeader('content-type', 'text/plain');
      res.end(address);
    });
  }
  await wrk({ url: p.url, core: null, connections: 50, durationS: 1 });
  served.clear();
  const load = wrk({ url: p.url, core: null, connections: 50, durationS: DURATION_S, script: join(ROOT, 'bench', 'wrk', 'count-status.lua') });
  await sleep(CHANGE_AT_S * 1000);
  await dns.setHosts(hosts(NEW));
  await sleep(STOP_OLD_AFTER_S * 1000);
  const beforeStop = OLD.reduce((n, a) => n + (served.get(a) ?? 0), 0);
  await Promise.all(OLD.map((a) => backends.byAddress.get(a)!.stop()));
  const r = await load;
  const s = r.socketErrors;
  const socketErrors = s.connect + s.read + s.write + s.timeout;
  const oldServed = OLD.reduce((n, a) => n + (served.get(a) ?? 0), 0);
  const newServed = NEW.reduce((n, a) => n + (served.get(a) ?? 0), 0);
  rows.push(
    `${adapter.padEnd(8)} ${String(r.requests).padStart(7)} requests  ${r.rps.toFixed(0).padStart(6)} req/s  non-2xx ${r.non2xx}  socket errors ${socketErrors}  ` +
      `old addresses served ${oldServed} (${oldServed - beforeStop} after they were stopped)  new ${newServed}  statuses ${JSON.stringify(r.statuses)}`,
  );
  await p.close();
  await dns.stop();
  await backends.close();
}
console.log(
  `\n50 connections, ${DURATION_S}s; at ${CHANGE_AT_S}s app.test moves from ${OLD.join(',')} to ${NEW.join(',')} (TTL 1s); ${STOP_OLD_AFTER_S}s later the old backends stop`,
);
for (const row of rows) console.log(row);
