/** @module close() of the WebSocket tunnel also ends handshakes still waiting for their upstream, releasing their tries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';
import { createSwitchyard, createWebSocketProxy } from '@switchyard/core';

test('close() ends a handshake the upstream never answers; the try is released and the upstream socket closed', async (t) => {
  const held = new Set<Socket>();
  const silent = createTcpServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
    s.resume(); // read (and drop) the handshake, so the proxy closing its side is noticed
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const sy = createSwitchyard({ upstreams: { ws: [`http://127.0.0.1:${(silent.address() as AddressInfo).port}`] }, locations: { '/': 'ws' } });
  const tunnel = createWebSocketProxy(sy);
  const front = createHttpServer((_req, res) => res.end());
  front.on('upgrade', (req, socket, head) => {
    if (!tunnel.handle(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await sy.close();
    front.closeAllConnections();
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => front.close(() => resolve()));
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const client = connect((front.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  client.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  const activeOf = (): number | undefined => sy.status().upstreams.ws?.servers[0]?.active;
  for (let i = 0; i < 250 && (held.size === 0 || activeOf() !== 1); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(activeOf(), 1, 'the handshake is in flight');
  const clientClosed = new Promise<void>((resolve) => client.on('close', () => resolve()));
  tunnel.close();
  await clientClosed;
  for (let i = 0; i < 250 && held.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(held.size, 0, 'the upstream connection was closed');
  assert.equal(activeOf(), 0);
  assert.equal(sy.status().upstreams.ws?.servers[0]?.fails, 0, 'closing is not a server failure');
});
