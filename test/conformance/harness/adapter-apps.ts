/** @module The two adapters under comparison, as a user builds them: a Fastify app with @switchyard/fastify and an Express app with @switchyard/express, given a parseNginxConfig result (or any input they accept). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyardFastify from '@switchyard/fastify';
import { switchyard as switchyardExpress } from '@switchyard/express';
import type { SwitchyardInput } from '@switchyard/core';

export interface RunningApp {
  readonly port: number;
  close(): Promise<void>;
}

export interface AdapterApp {
  readonly name: 'fastify' | 'express';
  /** A parseNginxConfig result, usually; `{ nginx: text }` to see an adapter refuse a config itself. */
  start(input: SwitchyardInput): Promise<RunningApp>;
}

/** Fastify's logger is off by default: the suite's output stays the diff. */
const fastifyApp: AdapterApp = {
  name: 'fastify',
  async start(input) {
    const app = Fastify();
    try {
      await app.register(switchyardFastify, input);
      await app.listen({ port: 0, host: '127.0.0.1' });
    } catch (err) {
      await app.close();
      throw err;
    }
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
};

/** Express logs upstream errors on the console by default; `logger: false` keeps the suite's output the diff. */
const expressApp: AdapterApp = {
  name: 'express',
  async start(input) {
    const lb = switchyardExpress(input, { logger: false });
    const app = express();
    app.use(lb);
    const server = createServer(app);
    server.on('upgrade', lb.upgrade);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await lb.close();
      throw err;
    }
    return {
      port: (server.address() as AddressInfo).port,
      async close() {
        await lb.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      },
    };
  },
};

export const ADAPTERS: readonly AdapterApp[] = [fastifyApp, expressApp];
