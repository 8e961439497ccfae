/** @module A node:cluster app for the cluster tests: the primary runs clusterPrimary() and forks two workers (Fastify or Express) on one port; stdin commands kill a worker. */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { clusterPrimary, type SwitchyardOptions } from '@switchyard/core';

const WORKERS = Number(process.env.WORKERS ?? 2);
const adapter = process.env.ADAPTER ?? 'fastify';
/** SHARED=0: no clusterPrimary() and no `cluster: true` (each worker alone, for the figures' baseline). */
const shared = process.env.SHARED !== '0';

if (cluster.isPrimary) {
  if (shared) clusterPrimary();
  const ready = new Map<number, number>();
  let port = 0;
  let stopping = false;
  let reforking = false;
  const fork = (): void => {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => {
      const msg = m as { ready?: number };
      if (typeof msg?.ready !== 'number') return;
      port = msg.ready;
      ready.set(worker.id, worker.process.pid ?? 0);
      if (reforking) {
        reforking = false;
        console.log(`REFORKED ${worker.process.pid ?? 0}`);
      } else if (ready.size === WORKERS) {
        console.log(`READY ${port} ${[...ready.values()].join(' ')}`);
      }
    });
  };
  cluster.on('exit', (worker) => {
    ready.delete(worker.id);
    if (!stopping) fork();
  });
  for (let i = 0; i < WORKERS; i++) fork();
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'kill-worker') {
      reforking = true;
      Object.values(cluster.workers ?? {})[0]?.process.kill('SIGKILL');
    } else if (line === 'stop') {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      setTimeout(() => process.exit(0), 200).unref();
    }
  });
  // The test going away ends the primary and its workers.
  process.stdin.on('end', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    process.exit(0);
  });
} else {
  const options = { ...(JSON.parse(process.env.SWITCHYARD_OPTIONS ?? '{}') as SwitchyardOptions), cluster: shared };
  const pid = String(process.pid);
  if (adapter === 'express') {
    const { default: express } = await import('express');
    const { switchyard } = await import('@switchyard/express');
    const lb = switchyard(options, { logger: false });
    const app = express();
    app.use((_req, res, next) => {
      res.setHeader('x-worker', pid);
      next();
    });
    // A change made in code (not through the admin API) in whichever worker takes this request.
    app.get('/__js/set', (req, res) => {
      lb.switchyard.setServer('app', String(req.query.url), { down: req.query.down === '1' });
      res.end('ok');
    });
    app.use(lb);
    const server = createServer(app);
    server.listen(0, '127.0.0.1', () => process.send?.({ ready: (server.address() as AddressInfo).port }));
  } else {
    const { default: Fastify } = await import('fastify');
    const { default: switchyard } = await import('@switchyard/fastify');
    const app = Fastify();
    app.addHook('onRequest', async (_req, reply) => {
      reply.raw.setHeader('x-worker', pid);
    });
    await app.register(switchyard, options);
    // A change made in code (not through the admin API) in whichever worker takes this request.
    app.get('/__js/set', async (req) => {
      const q = req.query as { url: string; down: string };
      app.switchyard.setServer('app', q.url, { down: q.down === '1' });
      return 'ok';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.send?.({ ready: (app.server.address() as AddressInfo).port });
  }
}
