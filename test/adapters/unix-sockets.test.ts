/** @module Scenario: `unix:/path` servers in both adapters: round robin over two sockets, failover when a socket file is removed, health probes, WebSockets, Host and status names. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { drivers } from './drivers/index.js';
import { startProxy, totalActive } from './support/setup.js';
import { bodies, call, waitFor } from './support/http.js';

interface SocketBackend {
  readonly url: string;
  readonly path: string;
  readonly seen: Array<{ url: string; headers: IncomingHttpHeaders }>;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-unix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startSocketBackend(t: TestContext, dir: string, name: string): Promise<SocketBackend> {
  const path = join(dir, `${name}.sock`);
  const seen: SocketBackend['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.end(name);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`${name} echo: ${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `unix:${path}`, path, seen };
}

for (const driver of drivers) {
  describe(`${driver.name}: unix socket servers`, () => {
    it('round robin over two sockets; Host is the upstream name; the status names them unix:/path', async (t) => {
      const dir = tempDir(t);
      const a = await startSocketBackend(t, dir, 'a');
      const b = await startSocketBackend(t, dir, 'b');
      const proxy = await startProxy(t, driver, { upstreams: { app: [a.url, b.url] }, locations: { '/': 'app' } });
      assert.deepEqual(await bodies(`${proxy.url}/x?y=1`, 4), ['a', 'b', 'a', 'b']);
      assert.equal(a.seen[0]!.url, '/x?y=1');
      assert.equal(a.seen[0]!.headers.host, 'app');
      assert.deepEqual(
        proxy.switchyard.status().upstreams.app!.servers.map((s) => [s.url, s.requests]),
        [
          [a.url, 2],
          [b.url, 2],
        ],
      );
    });

    it('a removed socket file fails over to the other server (a connection error, retried even for a POST)', async (t) => {
      const dir = tempDir(t);
      const a = await startSocketBackend(t, dir, 'a');
      const b = await startSocketBackend(t, dir, 'b');
      const proxy = await startProxy(t, driver, { upstreams: { app: [a.url, b.url] }, locations: { '/': 'app' } });
      unlinkSync(a.path);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await call(`${proxy.url}/write`, { method: 'POST', body: `n=${i}`, headers: { 'content-type': 'text/plain' } }));
      assert.deepEqual(
        answers.map((r) => [r.status, r.body]),
        [
          [200, 'b'],
          [200, 'b'],
          [200, 'b'],
        ],
      );
      assert.equal(a.seen.length, 0);
      const first = proxy.switchyard.status().upstreams.app!.servers[0]!;
      assert.equal(first.fails, 1);
      assert.equal(first.state, 'failed');
    });

    it('health probes reach the socket (and mark it unhealthy once the file is gone)', async (t) => {
      const dir = tempDir(t);
      const a = await startSocketBackend(t, dir, 'a');
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [a.url], healthCheck: { path: '/healthz', interval: '200ms' } } },
        locations: { '/': 'app' },
      });
      const server = () => proxy.switchyard.status().upstreams.app!.servers[0]!;
      await waitFor(() => server().health?.ok === true);
      assert.ok(a.seen.some((s) => s.url === '/healthz' && s.headers.host === 'app'));
      unlinkSync(a.path);
      await waitFor(() => server().state === 'unhealthy');
      assert.match(server().health!.error ?? '', /ENOENT/);
    });

    it('a WebSocket through a unix socket server echoes', async (t) => {
      const dir = tempDir(t);
      const a = await startSocketBackend(t, dir, 'a');
      const proxy = await startProxy(t, driver, { upstreams: { ws: [a.url] }, locations: { '/ws/': 'ws' } });
      const ws = new WebSocket(`${proxy.url.replace('http://', 'ws://')}/ws/room`);
      t.after(() => ws.terminate());
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
      ws.send('hi');
      assert.equal(await reply, 'a echo: hi');
      ws.close();
      await waitFor(() => totalActive(proxy) === 0);
    });
  });
}
