/** @module The seed scenario on Fastify: three servers answering "Server 1/2/3" and a round-robin balancer in front. */
// Run from the repository root:  npx pnpm@9.15.9 example:fastify
// then: curl http://127.0.0.1:8080/  (repeat: Server 1, Server 2, Server 3, Server 1, ...)
// Ports: PORT (balancer, default 8080) and BACKEND_PORTS (default 8000,8001,8002); SEED_ONCE=1 exits after the sequence.
import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';

const port = Number(process.env.PORT ?? 8080);
const backendPorts = (process.env.BACKEND_PORTS ?? '8000,8001,8002').split(',').map(Number);
const host = '127.0.0.1';

function listen(server: Server, p: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${p} (${what}) is taken; set PORT / BACKEND_PORTS`) : err),
    );
    server.listen(p, host, () => resolve());
  });
}

const servers: Server[] = [];
for (const [i, p] of backendPorts.entries()) {
  const name = `Server ${i + 1}`;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  await listen(server, p, name);
  servers.push(server);
}

// Warnings only: a server going down is logged once, requests are not.
const app = Fastify({ logger: { level: 'warn' } });
await app.register(switchyard, {
  upstreams: { seed: backendPorts.map((p) => `http://${host}:${p}`) },
  locations: { '/': 'seed' },
  status: { path: '/switchyard/status' },
});
await app.listen({ port, host });
console.log(`balancer on http://${host}:${port} -> ${backendPorts.map((p, i) => `Server ${i + 1} :${p}`).join(', ')}`);
const seen: string[] = [];
for (let i = 0; i < 6; i++) seen.push((await (await fetch(`http://${host}:${port}/`)).text()).trim());
console.log(`six requests: ${seen.join(', ')}`);
console.log(`status page: http://${host}:${port}/switchyard/status (Ctrl-C to stop)`);

async function shutdown(): Promise<void> {
  await app.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
if (process.env.SEED_ONCE === '1') await shutdown();
