/** @module The seed scenario on Express: "Server 1/2/3" on 8000-8002 and a balancer on 8080 (ports from env), round robin until Ctrl-C. */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { switchyard } from '@switchyard/express';

const PORT = Number(process.env.PORT ?? 8080);
const BACKEND_PORTS = (process.env.BACKEND_PORTS ?? '8000,8001,8002').split(',').map(Number);

function listen(server: Server, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} (${what}) is taken; set PORT / BACKEND_PORTS`) : err),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

const backends = BACKEND_PORTS.map((port, i) => {
  const name = `Server ${i + 1}`;
  return { name, port, server: createServer((_req, res) => res.end(`${name}\n`)) };
});
for (const b of backends) await listen(b.server, b.port, b.name);

const lb = switchyard(
  {
    upstreams: { seed: backends.map((b) => `http://127.0.0.1:${b.port}`) },
    locations: { '/': 'seed' },
    status: { path: '/switchyard/status' },
  },
  { logger: console },
);
const app = express();
app.use(lb);
const balancer = createServer(app);
balancer.on('upgrade', lb.upgrade);
await listen(balancer, PORT, 'balancer');

console.log(`balancer on http://127.0.0.1:${PORT} -> ${backends.map((b) => `${b.name} :${b.port}`).join(', ')}`);
const seen: string[] = [];
for (let i = 0; i < 6; i++) seen.push((await (await fetch(`http://127.0.0.1:${PORT}/`)).text()).trim());
console.log(`six requests: ${seen.join(', ')}`);
console.log(`status page: http://127.0.0.1:${PORT}/switchyard/status (Ctrl-C to stop)`);

async function shutdown(): Promise<void> {
  await lb.close();
  balancer.closeAllConnections();
  balancer.close();
  for (const b of backends) {
    b.server.closeAllConnections();
    b.server.close();
  }
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
if (process.env.SEED_ONCE === '1') await shutdown();
