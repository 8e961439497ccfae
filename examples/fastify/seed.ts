/** @module The seed scenario on Fastify: three servers answering "Server 1/2/3" and a round-robin balancer in front. */
// Run from the repository root:
//   node --conditions=switchyard-source --import tsx examples/fastify/seed.ts
// then: curl http://127.0.0.1:8080/  (repeat: Server 1, Server 2, Server 3, Server 1, ...)
// Ports: BASE_PORT (first server, default 8000; the others follow) and PORT (balancer, default 8080).
import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';

const basePort = Number(process.env.BASE_PORT ?? 8000);
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

const servers: Server[] = [];
for (let i = 0; i < 3; i++) {
  const name = `Server ${i + 1}`;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${name}\n`);
  });
  await new Promise<void>((resolve) => server.listen(basePort + i, host, resolve));
  servers.push(server);
}

// Warnings only: a server going down is logged once, requests are not.
const app = Fastify({ logger: { level: 'warn' } });
await app.register(switchyard, {
  upstreams: {
    seed: [0, 1, 2].map((i) => `http://${host}:${basePort + i}`),
  },
  locations: { '/': 'seed' },
  status: { path: '/_status' },
});
await app.listen({ port, host });
console.log(`switchyard/fastify: balancing http://${host}:${port}/ over ports ${basePort}-${basePort + 2}; status at /_status`);

async function shutdown(): Promise<void> {
  await app.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
