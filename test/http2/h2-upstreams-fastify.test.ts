/** @module HTTP/2 upstreams (h2c) through the Fastify adapter: the shared scenarios (round robin, failover, retries, timeouts, least-conn, max_conns, health probes) on node:http2 backends, one connection per server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import type { SwitchyardOptions } from '@switchyard/core';
import { call, waitFor } from '../adapters/support/http.js';
import { startH2Backend, type H2Backend } from './h2-backends.js';

async function setup(t: import('node:test').TestContext, count: number, options: (b: H2Backend[]) => SwitchyardOptions) {
  const backends: H2Backend[] = [];
  for (let i = 1; i <= count; i++) backends.push(await startH2Backend(`h2-${i}`));
  const app = Fastify();
  await app.register(switchyard, options(backends));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(async () => {
    await app.close();
    await Promise.all(backends.map((b) => b.close()));
  });
  return { backends, app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const pool = (backends: H2Backend[], extra: object = {}): SwitchyardOptions => ({
  upstreams: { app: { protocol: 'h2c', servers: backends.map((b) => b.url), ...extra } },
  locations: { '/': 'app' },
});

test('round robin over h2c servers; every try of a server shares one HTTP/2 connection', async (t) => {
  const { backends, url } = await setup(t, 3, (b) => pool(b));
  const seq: string[] = [];
  for (let i = 0; i < 6; i++) seq.push((await call(`${url}/r${i}`)).body);
  assert.deepEqual(seq, ['h2-1', 'h2-2', 'h2-3', 'h2-1', 'h2-2', 'h2-3']);
  const parallel = await Promise.all(Array.from({ length: 30 }, (_, i) => call(`${url}/p${i}`)));
  assert.ok(parallel.every((a) => a.status === 200));
  assert.deepEqual(
    backends.map((b) => b.sessions),
    [1, 1, 1],
  );
});

test('failover: a refused server is skipped and counted; a 503 is retried on the next server; both adapters of nginx rules hold', async (t) => {
  const { backends, url, app } = await setup(t, 3, (b) => pool(b, { retry: { on: ['error', 'timeout', 503] } }));
  await backends[0]!.close();
  backends[1]!.handle((_req, res) => {
    res.statusCode = 503;
    res.end('busy');
  });
  const a = await call(`${url}/x`);
  assert.equal(a.status, 200);
  assert.equal(a.body, 'h2-3');
  const status = app.switchyard.status().upstreams.app!;
  assert.equal(status.servers[0]!.fails, 1);
});

test('read timeout: a server that never answers gives 504', async (t) => {
  const { backends, url } = await setup(t, 1, (b) => pool(b, { timeouts: { read: '300ms' } }));
  backends[0]!.handle(() => {
    // never answers: the read timeout is the subject
  });
  const a = await call(`${url}/hang`);
  assert.equal(a.status, 504);
});

test('maxConns counts open streams: a held stream sends the next request to the other server', async (t) => {
  let release: (() => void) | undefined;
  const { backends, url, app } = await setup(t, 2, (b) => ({
    upstreams: { app: { protocol: 'h2c', servers: b.map((x) => ({ url: x.url, maxConns: 1 })) } },
    locations: { '/': 'app' },
  }));
  backends[0]!.handle((_req, res) => {
    release = () => res.end('held');
  });
  const held = call(`${url}/held`);
  await waitFor(() => release !== undefined);
  assert.equal(app.switchyard.status().upstreams.app!.servers[0]!.active, 1);
  for (let i = 0; i < 3; i++) assert.equal((await call(`${url}/n${i}`)).body, 'h2-2');
  release!();
  assert.equal((await held).body, 'held');
});

test('least-conn keeps new requests off the server holding a stream', async (t) => {
  let release: (() => void) | undefined;
  const { backends, url } = await setup(t, 2, (b) => pool(b, { balance: 'least-conn' }));
  backends[0]!.handle((req, res, backend) => {
    if (req.url === '/slow') release = () => res.end('slow');
    else res.end(backend.name);
  });
  const slow = call(`${url}/slow`);
  await waitFor(() => release !== undefined);
  const during = [];
  for (let i = 0; i < 4; i++) during.push((await call(`${url}/f${i}`)).body);
  assert.deepEqual(during, ['h2-2', 'h2-2', 'h2-2', 'h2-2']);
  release!();
  assert.equal((await slow).body, 'slow');
});

test('active health probes speak HTTP/2 to an h2c server: a failing /health takes it out, a passing one brings it back', async (t) => {
  let healthy = true;
  const { backends, app, url } = await setup(t, 2, (b) => pool(b, { healthCheck: { path: '/health', interval: '100ms', timeout: '1s' } }));
  backends[0]!.handle((req, res, backend) => {
    res.statusCode = req.url === '/health' && !healthy ? 500 : 200;
    res.end(backend.name);
  });
  const events: string[] = [];
  app.switchyard.on('server:down', (e) => events.push(`down ${e.url}`));
  app.switchyard.on('server:up', (e) => events.push(`up ${e.url}`));
  healthy = false;
  await waitFor(() => events.includes(`down ${backends[0]!.url}`));
  for (let i = 0; i < 3; i++) assert.equal((await call(`${url}/x${i}`)).body, 'h2-2');
  healthy = true;
  await waitFor(() => events.includes(`up ${backends[0]!.url}`));
  assert.ok(backends[0]!.seen.includes('/health'));
});
