/** @module Scenario: a WebSocket echo through the balancer, counted as active while open. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { drivers } from './drivers/index.js';
import { startProxy, totalActive } from './support/setup.js';
import { waitFor } from './support/http.js';

async function startEchoServer(t: TestContext, name: string): Promise<{ url: string; paths: string[]; headers: IncomingHttpHeaders[] }> {
  const server = createServer((_req, res) => res.end(name));
  const wss = new WebSocketServer({ server });
  const paths: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  wss.on('connection', (socket, req) => {
    paths.push(req.url ?? '');
    headers.push(req.headers);
    socket.on('message', (data) => socket.send(`${name} echo: ${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, headers };
}

function open(url: string, headers?: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, headers === undefined ? undefined : { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
}

for (const driver of drivers) {
  describe(`${driver.name}: WebSocket`, () => {
    it('echoes through the balancer, round robin per connection, active until closed', async (t) => {
      const one = await startEchoServer(t, 'Server 1');
      const two = await startEchoServer(t, 'Server 2');
      const proxy = await startProxy(t, driver, {
        upstreams: { ws: [one.url, two.url] },
        locations: { '/chat/': { upstream: 'ws', rewritePrefix: '/room/' } },
      });
      const base = proxy.url.replace('http://', 'ws://');
      const a = await open(`${base}/chat/a?x=1`);
      const b = await open(`${base}/chat/b`);
      a.send('hello');
      assert.equal(await nextMessage(a), 'Server 1 echo: hello');
      b.send('there');
      assert.equal(await nextMessage(b), 'Server 2 echo: there');
      assert.deepEqual([one.paths, two.paths], [['/room/a?x=1'], ['/room/b']]);
      assert.equal(totalActive(proxy), 2);
      a.close();
      b.close();
      await waitFor(() => totalActive(proxy) === 0);
    });

    it('underscoresInHeaders: false drops client headers named with an underscore from the upgrade too', async (t) => {
      const one = await startEchoServer(t, 'Server 1');
      const proxy = await startProxy(t, driver, { upstreams: { ws: [one.url] }, locations: { '/chat/': 'ws' }, underscoresInHeaders: false });
      const ws = await open(`${proxy.url.replace('http://', 'ws://')}/chat/a`, { x_under: 'u', 'x-dash': 'd' });
      ws.close();
      assert.deepEqual([one.headers[0]?.['x_under'], one.headers[0]?.['x-dash']], [undefined, 'd']);
    });

    it('refuses an upgrade outside every location', async (t) => {
      const one = await startEchoServer(t, 'Server 1');
      const proxy = await startProxy(t, driver, { upstreams: { ws: [one.url] }, locations: { '/chat/': 'ws' } });
      await assert.rejects(open(`${proxy.url.replace('http://', 'ws://')}/other`), /404/);
      assert.deepEqual(one.paths, []);
    });

    it('refuses an upgrade to an internal location with 404 (nginx `internal`)', async (t) => {
      const one = await startEchoServer(t, 'Server 1');
      const proxy = await startProxy(t, driver, { upstreams: { ws: [one.url] }, locations: { '/chat/': { upstream: 'ws', internal: true } } });
      await assert.rejects(open(`${proxy.url.replace('http://', 'ws://')}/chat/room`), /404/);
      assert.deepEqual(one.paths, []);
    });
  });
}
