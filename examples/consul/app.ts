/** @module Runnable example: a Fastify app whose `api` pool follows a Consul service (CONSUL=http://127.0.0.1:8500 SERVICE=api PORT=3000). */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { consulDiscover } from './consul-discover.js';

const app = Fastify({ logger: true });
await app.register(switchyard, {
  upstreams: {
    api: {
      discover: consulDiscover({
        consul: process.env.CONSUL ?? 'http://127.0.0.1:8500',
        service: process.env.SERVICE ?? 'api',
        onError: (err) => app.log.warn(`consul: ${String(err)}`),
      }),
    },
  },
  locations: { '/': 'api' },
  status: { path: '/_status' },
});
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
