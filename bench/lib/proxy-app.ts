/** @module One switchyard proxy on 127.0.0.1 for the in-process benches: a Fastify app or a node:http server with the Express middleware. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import fastifySwitchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import type { SwitchyardOptions } from '@switchyard/core';

export interface ProxyApp {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startProxyApp(adapter: 'fastify' | 'express', options: SwitchyardOptions): Promise<ProxyApp> {
  if (adapter === 'fastify') {
    const app = Fastify({ logger: false });
    await app.register(fastifySwitchyard, options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, close: () => app.close() };
  }
  const lb = expressSwitchyard(options);
  const server: Server = createServer((req, res) => lb(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await lb.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
