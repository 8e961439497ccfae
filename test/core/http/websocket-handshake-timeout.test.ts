/** @module The WebSocket tunnel applies the read timeout to the upstream's handshake answer (504, counted as a failure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect, type Socket, type AddressInfo } from 'node:net';
import { createSwitchyard, createWebSocketProxy } from '@switchyard/core';

test('an upstream that accepts the upgrade and never answers gets 504 after the read timeout', async (t) => {
  const held = new Set<Socket>();
  const silent = createTcpServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    for (const s of held) s.destroy();
    silent.close(() => resolve());
  }));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const sy = createSwitchyard({
    upstreams: { ws: { servers: [{ url, maxFails: 0 }], timeouts: { connect: 1000, read: 200 } } },
    locations: { '/': 'ws' },
  });
  const tunnel = createWebSocketProxy(sy);
  const front = createHttpServer((_req, res) => res.end());
  front.on('upgrade', (req, socket, head) => {
    if (!tunnel.handle(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    tunnel.close();
    await sy.close();
    front.closeAllConnections();
    await new Promise<void>((resolve) => front.close(() => resolve()));
  });

  const client = connect((front.address() as AddressInfo).port, '127.0.0.1');
  client.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let answer = '';
  client.on('data', (c: Buffer) => (answer += c.toString()));
  const guard = setTimeout(() => client.destroy(), 10_000);
  await new Promise<void>((resolve) => client.on('close', () => resolve()));
  clearTimeout(guard);
  assert.match(answer, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
  const server = sy.status().upstreams.ws?.servers[0];
  assert.equal(server?.fails, 1);
  assert.equal(server?.active, 0);
});
