/** @module Balancer apps for the sticky-session tests: each adapter, with the pool behind a configured location or a `proxyTo` route. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import Fastify from 'fastify';
import express from 'express';
import fastifySwitchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import type { Switchyard, UpstreamOptions } from '@switchyard/core';

export type AdapterName = 'fastify' | 'express';
export type Via = 'location' | 'proxyTo';

export const ADAPTERS: readonly AdapterName[] = ['fastify', 'express'];
export const VIAS: readonly Via[] = ['location', 'proxyTo'];

export interface Balancer {
  readonly url: string;
  readonly switchyard: Switchyard;
  close(): Promise<void>;
}

/**
 * One upstream `pool` served under `prefix` (e.g. `/socket.io/`): through `locations` or through an
 * app route calling proxyTo (Fastify `app.all(prefix + '*')`, Express `app.use(prefix, lb.proxyTo())`).
 */
export async function startBalancer(adapter: AdapterName, via: Via, pool: UpstreamOptions, prefix = '/'): Promise<Balancer> {
  const input = via === 'location' ? { upstreams: { pool }, locations: { [prefix]: 'pool' } } : { upstreams: { pool } };
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(fastifySwitchyard, input);
    if (via === 'proxyTo') app.all(`${prefix}*`, (_req, reply) => reply.proxyTo('pool'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, switchyard: app.switchyard, close: () => app.close() };
  }
  const lb = expressSwitchyard(input);
  const app = express();
  if (via === 'proxyTo') app.use(prefix.replace(/\/$/, '') || '/', lb.proxyTo('pool'));
  else app.use(lb);
  const server = createServer(app);
  server.on('upgrade', lb.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    switchyard: lb.switchyard,
    async close() {
      await lb.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** startBalancer, closed after the test. */
export async function balancerFor(t: TestContext, adapter: AdapterName, via: Via, pool: UpstreamOptions, prefix = '/'): Promise<Balancer> {
  const lb = await startBalancer(adapter, via, pool, prefix);
  t.after(() => lb.close());
  return lb;
}
