/** @module Nothing printed while proxying: no deprecation or other process warning, no unhandled rejection, no uncaught exception (http-proxy 1.18.1 on this Node). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import express from 'express';
import { WebSocket } from 'ws';
import { startBackends, stopAll } from '../helpers/backends.js';
import { send, startApp, waitFor, activeIn } from './support.js';

const warnings: string[] = [];
const rejections: unknown[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));
process.on('unhandledRejection', (reason) => rejections.push(reason));

test('a mix of successes, failures, aborts, TLS and WebSockets prints no warning', async (t) => {
  const backends = await startBackends(3);
  t.after(() => stopAll(backends));
  const [ok, slow, gone] = backends as [(typeof backends)[0], (typeof backends)[0], (typeof backends)[0]];
  slow.handle(() => {});
  await gone.stop();
  // Reads (and ignores) what arrives, so it also sees the balancer close the connection.
  const silent = createTcpServer((s) => s.on('error', () => {}).resume());
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const tlsUrl = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;

  const app = await startApp(
    {
      upstreams: {
        mixed: { servers: [ok.url, slow.url, gone.url], timeouts: { read: '100ms' }, retry: { tries: 1 } },
        tls: { servers: [tlsUrl], timeouts: { connect: '100ms' } },
        good: [ok.url],
      },
      locations: { '/tls/': 'tls', '/good/': 'good', '/': 'mixed' },
    },
    (a, lb) => {
      a.use(express.json());
      a.use(lb);
    },
  );
  t.after(() => app.close());

  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await send(`${app.url}/r${i}`)).status);
  assert.deepEqual(statuses.sort(), [200, 502, 504]);
  assert.equal((await send(`${app.url}/tls/x`)).status, 504);
  const posted = await send(`${app.url}/good/p`, { method: 'POST', headers: { 'content-type': 'application/json', expect: '100-continue' }, body: '{"a":1}' });
  assert.equal(posted.status, 200);

  slow.handle(() => {});
  const aborted = request({ host: '127.0.0.1', port: app.port, path: '/good/abort', agent: false });
  aborted.on('error', () => {});
  ok.handle(() => {});
  aborted.end();
  await waitFor(() => activeIn(app.lb, 'good') === 1, 'the request to be in flight');
  aborted.destroy();
  await waitFor(() => activeIn(app.lb, 'good') === 0, 'the abort to release the server');

  ok.handle(undefined);
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/good/ws`);
  const wsError = await new Promise<unknown>((resolve) => {
    ws.once('error', resolve);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
  });
  // The backend is not a WebSocket server: its plain 200 is relayed and the socket closed.
  assert.equal(wsError, 200);
  ws.terminate();

  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings, []);
  assert.deepEqual(rejections, []);
});
