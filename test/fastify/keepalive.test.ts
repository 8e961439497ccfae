/** @module Upstream connections: kept alive and reused per server, or closed after each request with keepalive 0. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bodies } from '../adapters/support/http.js';
import { startApp } from './support.js';

/** A backend that answers with the client port of the connection, and counts connections. */
async function portEcho(t: TestContext): Promise<{ url: string; connections: number; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const state = { url: '', connections: 0, open };
  const server = createServer((req, res) => res.end(String(req.socket.remotePort)));
  server.on('connection', (socket) => {
    state.connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

describe('upstream keep-alive', () => {
  it('reuses one connection for sequential requests and closes it with the app', async (t) => {
    const backend = await portEcho(t);
    const { url, app } = await startApp(t, { upstreams: { app: [backend.url] }, locations: { '/': 'app' } });
    const ports = await bodies(`${url}/`, 5);
    assert.equal(new Set(ports).size, 1);
    assert.equal(backend.connections, 1);
    await app.close();
    // The pool was destroyed: the backend sees its connection go away.
    const deadline = Date.now() + 5000;
    while (backend.open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(backend.open.size, 0);
  });

  it('opens a new connection per request with keepalive 0', async (t) => {
    const backend = await portEcho(t);
    const { url } = await startApp(t, { upstreams: { app: { servers: [backend.url], keepalive: 0 } }, locations: { '/': 'app' } });
    const ports = await bodies(`${url}/`, 4);
    assert.equal(new Set(ports).size, 4);
    assert.equal(backend.connections, 4);
  });

  it('keeps the per-server in-flight count exact through failed tries (keepalive 1 still reuses afterwards)', async (t) => {
    const open = new Set<Socket>();
    let connections = 0;
    // Resets the connection for /boom (a failed try on this very pool), echoes the client port otherwise.
    const server = createServer((req, res) => {
      if (req.url === '/boom') req.socket.destroy();
      else res.end(String(req.socket.remotePort));
    });
    server.on('connection', (socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { url } = await startApp(t, { upstreams: { app: { servers: [backend], keepalive: 1 } }, locations: { '/': 'app' } });
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${url}/boom`)).status, 502);
    // Had a failed try leaked its count, keepalive 1 would now close the connection after every request.
    const before = connections;
    const ports = await bodies(`${url}/`, 6);
    assert.equal(new Set(ports).size, 1, `ports: ${ports.join(',')}`);
    assert.ok(connections - before <= 1, `${connections - before} new connections for 6 requests`);
  });
});
