/** @module lb.upgrade specifics: other `upgrade` listeners keep unmatched sockets, lb.close() ends open tunnels, a client error before the upgrade is harmless. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackends, stopAll } from '../helpers/backends.js';
import { activeIn, startApp, waitFor } from './support.js';

test('an upgrade outside every location is left to another upgrade listener', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const app = await startApp({ upstreams: { ws: backends.map((b) => b.url) }, locations: { '/ws/': 'ws' } });
  t.after(() => app.close());
  const local = new WebSocketServer({ noServer: true });
  app.server.on('upgrade', (req, socket, head) => {
    if (req.url === '/local') local.handleUpgrade(req, socket, head, (ws) => ws.send('local socket'));
  });
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/local`);
  const message = await new Promise<string>((resolve, reject) => {
    ws.once('message', (m: Buffer) => resolve(m.toString()));
    ws.once('error', reject);
  });
  assert.equal(message, 'local socket');
  ws.terminate();
  assert.equal(backends[0]?.seen.length, 0);
});

test('lb.close() ends open WebSocket tunnels and releases their servers', async (t) => {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (sock) => sock.on('message', (m: Buffer) => sock.send(`echo ${m.toString()}`)));
  const upstream = createServer();
  upstream.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (c) => wss.emit('connection', c, req)));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    return new Promise<void>((resolve) => upstream.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const app = await startApp({ upstreams: { ws: { servers: [url], balance: 'least-conn' } }, locations: { '/': 'ws' } });
  let appClosed = false;
  t.after(() => (appClosed ? undefined : app.close()));
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/chat`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send('hi');
  const echoed = await new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString())));
  assert.equal(echoed, 'echo hi');
  assert.equal(activeIn(app.lb, 'ws'), 1);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  appClosed = true;
  await app.close();
  assert.equal(await closed, 1006);
  await waitFor(() => activeIn(app.lb, 'ws') === 0, 'the tunnel to be released');
});

test('a client that sends half an upgrade and resets is harmless', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  backends[0]?.handle(() => {});
  const app = await startApp({ upstreams: { ws: backends.map((b) => b.url) }, locations: { '/': 'ws' } });
  t.after(() => app.close());
  const accepted: Socket[] = [];
  app.server.on('connection', (s: Socket) => accepted.push(s));
  const requests = (): number => app.lb.switchyard.status().upstreams.ws!.servers[0]!.requests;

  // Half a head: the request line and part of the headers, no blank line; read by the server, then reset.
  const half = 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: webso';
  const socket = connect(app.port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(half);
  await waitFor(() => accepted[0] !== undefined && accepted[0].bytesRead === half.length, 'the half head to be read by the server');
  const gone = new Promise<void>((resolve) => accepted[0]!.once('close', () => resolve()));
  socket.resetAndDestroy();
  await gone;
  assert.equal(requests(), 0, 'half a head is never a try');
  assert.equal(activeIn(app.lb, 'ws'), 0);
  assert.equal(backends[0]?.seen.length, 0);

  // The app still takes a complete upgrade, and a reset after it releases the try.
  const whole = connect(app.port, '127.0.0.1');
  whole.on('error', () => {});
  await new Promise<void>((resolve) => whole.once('connect', () => resolve()));
  whole.write(
    'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  await waitFor(() => activeIn(app.lb, 'ws') === 1, 'the upgrade to reach the pool');
  assert.equal(requests(), 1);
  whole.resetAndDestroy();
  await waitFor(() => activeIn(app.lb, 'ws') === 0, 'the try to be released');
});
