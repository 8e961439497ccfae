/** @module Reliability: WebSocket upgrades fail over like requests, count as active while open, and are released when either side leaves (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { eventually, refusedPort, startProxy, sumOf } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

interface WsBackend {
  url: string;
  open(): number;
  server: WebSocketServer;
  close(): Promise<void>;
}

async function wsBackend(onConnection?: (ws: WebSocket) => void): Promise<WsBackend> {
  const http: Server = createServer((_req, res) => res.end('ws only'));
  const sockets = new Set<Socket>();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const server = new WebSocketServer({ server: http });
  server.on('connection', (ws) => {
    ws.on('error', () => undefined);
    if (onConnection) onConnection(ws);
    else ws.on('message', (data) => ws.send(data));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    open: () => sockets.size,
    server,
    async close() {
      for (const c of server.clients) c.terminate();
      server.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.send(text);
  });
}

for (const driver of drivers) {
  describe(`websocket (${driver.name})`, () => {
    test('an upgrade fails over from a refused server, counts as active while open, and is released on close', async (t) => {
      const live = await wsBackend();
      t.after(() => live.close());
      const refused = `http://127.0.0.1:${await refusedPort()}`;
      const proxy = await startProxy(t, driver, {
        upstreams: {
          ws: [
            { url: refused, weight: 100, maxFails: 0 },
            { url: live.url, maxFails: 0 },
          ],
        },
        locations: { '/': 'ws' },
      });
      const ws = await connect(`${proxy.url.replace('http', 'ws')}/chat`);
      ws.on('error', () => undefined);
      assert.equal(await echo(ws, 'one'), 'one');
      assert.equal(sumOf(proxy.switchyard, 'ws', 'active'), 1);
      ws.terminate();
      assert.ok(await eventually(() => sumOf(proxy.switchyard, 'ws', 'active') === 0), 'released after the client left');
      assert.ok(await eventually(() => live.open() === 0), 'the upstream side was closed too');
    });

    test('an upstream that closes right after the handshake closes the client side, and nothing stays active', async (t) => {
      const dying = await wsBackend((ws) => ws.terminate());
      t.after(() => dying.close());
      const proxy = await startProxy(t, driver, { upstreams: { ws: [{ url: dying.url, maxFails: 0 }] }, locations: { '/': 'ws' } });
      const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/chat`);
      ws.on('error', () => undefined);
      const closed = await new Promise<boolean>((resolve) => {
        ws.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 5000).unref();
      });
      assert.equal(closed, true, 'the client saw the connection end');
      assert.ok(await eventually(() => sumOf(proxy.switchyard, 'ws', 'active') === 0));
    });

    test('closing the proxy closes open WebSockets on both sides', async (t) => {
      const live = await wsBackend();
      t.after(() => live.close());
      const proxy = await driver.start({ upstreams: { ws: [live.url] }, locations: { '/': 'ws' } });
      const ws = await connect(`${proxy.url.replace('http', 'ws')}/chat`);
      ws.on('error', () => undefined);
      assert.equal(await echo(ws, 'x'), 'x');
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await proxy.close();
      await closed;
      assert.ok(await eventually(() => live.open() === 0), 'the upstream side was closed');
    });
  });
}
