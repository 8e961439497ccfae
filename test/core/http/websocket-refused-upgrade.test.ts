/** @module An upgrade the upstream refuses with a streamed answer: relayed to the client, and the upstream request ends when the client leaves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSwitchyard } from '@switchyard/core';
import { startFront } from './tunnel-harness.js';

test('a client leaving during a refused handshake answer closes the upstream request too', async (t) => {
  const upstreamSockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const upstream = createHttpServer((_req, res: ServerResponse) => {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.write('refused, and more to come\n');
    const timer = setInterval(() => res.write('.'), 20);
    timers.add(timer);
    res.on('close', () => clearInterval(timer));
  });
  upstream.on('connection', (s) => {
    upstreamSockets.add(s);
    s.on('close', () => upstreamSockets.delete(s));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const sy = createSwitchyard({ upstreams: { ws: [`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`] }, locations: { '/': 'ws' } });
  const front = await startFront(sy);
  t.after(async () => {
    for (const timer of timers) clearInterval(timer);
    await front.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const client = front.upgrade();
  const first = await new Promise<string>((resolve) => client.once('data', (c: Buffer) => resolve(c.toString())));
  assert.match(first, /^HTTP\/1\.1 403 /);
  assert.equal(upstreamSockets.size, 1);
  client.destroy();
  const deadline = Date.now() + 5000;
  while (upstreamSockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(upstreamSockets.size, 0, 'the upstream connection was left open after the client left');
});
