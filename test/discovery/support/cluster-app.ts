/** @module Child script for the cluster test: a node:cluster primary with two Fastify workers sharing one port, each following a name through dnsmasq. */
import cluster from 'node:cluster';
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';

const port = Number(process.env.SY_PORT);
if (cluster.isPrimary) {
  let listening = 0;
  const workers = [cluster.fork(), cluster.fork()];
  cluster.on('listening', () => {
    if (++listening === workers.length) console.log(`ready ${port}`);
  });
  process.once('SIGTERM', () => {
    for (const w of workers) w.kill('SIGTERM');
    cluster.disconnect();
  });
} else {
  const app = Fastify();
  await app.register(switchyard, {
    upstreams: {
      api: { servers: [{ url: `http://${process.env.SY_NAME}:${process.env.SY_BACKEND_PORT}`, resolve: true }], resolver: { servers: [process.env.SY_DNS!] } },
    },
    locations: { '/': 'api' },
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-worker', String(process.pid));
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
