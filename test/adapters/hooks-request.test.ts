/** @module Scenario: rewriteRequest: a header from the app's auth state once per request (not per retry), a path function, a throwing hook, WebSocket upgrades. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { RequestHookContext } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import type { TestUser } from './driver.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';

/** The user the app's auth step put on its request (FastifyRequest, Express req or IncomingMessage). */
function userOf(ctx: RequestHookContext): TestUser | null | undefined {
  return (ctx.req as { user?: TestUser | null }).user;
}

async function startWsServer(t: TestContext): Promise<{ url: string; handshakes: IncomingHttpHeaders[] }> {
  const server = createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ server });
  const handshakes: IncomingHttpHeaders[] = [];
  wss.on('connection', (socket, req) => {
    handshakes.push(req.headers);
    socket.on('message', (data) => socket.send(`echo: ${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handshakes };
}

for (const driver of drivers) {
  describe(`${driver.name}: rewriteRequest hook`, () => {
    it("adds a header from the app's auth state once per request, not again on a retry", async (t) => {
      const [first, second] = await backendsFor(t, 2);
      first!.handle((_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('busy');
      });
      let calls = 0;
      const proxy = await startProxy(
        t,
        driver,
        {
          upstreams: { app: { servers: [first!.url, second!.url], retry: { on: ['error', 'timeout', 503] } } },
          locations: {
            '/api/': {
              upstream: 'app',
              rewriteRequest(ctx) {
                calls++;
                const user = userOf(ctx);
                if (user) ctx.headers['x-user-id'] = user.id;
                // Appending to a list proves the hook's result is applied once per try, not stacked.
                ctx.headers['x-hops'] = [...[ctx.headers['x-hops'] ?? []].flat(), 'hook'];
              },
            },
          },
        },
        { auth: true },
      );
      const answer = await call(`${proxy.url}/api/me`, { headers: { authorization: 'Bearer alice' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'Server 2');
      assert.equal(calls, 1);
      assert.equal(first!.seen.length, 1);
      assert.equal(second!.seen.length, 1);
      for (const seen of [first!.seen[0]!, second!.seen[0]!]) {
        assert.equal(seen.headers['x-user-id'], 'alice');
        assert.equal(seen.headers['x-hops'], 'hook');
        // switchyard's own headers were there before the hook and stay.
        assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
      }
      // A request without a user gets no header; the hook ran once more.
      await call(`${proxy.url}/api/me`);
      assert.equal(calls, 2);
      const anonymous = [...first!.seen, ...second!.seen].filter((s) => s.headers['x-user-id'] === undefined);
      assert.equal(anonymous.length, 1);
      assert.equal(totalActive(proxy), 0);
    });

    it('rewrites the path with a function and can remove a client header', async (t) => {
      const [backend] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/v1/': {
            upstream: 'app',
            rewritePrefix: '/',
            rewriteRequest(ctx) {
              // `/users/42?x=1` (after rewritePrefix) -> `/api/users/42?x=1&from=v1`
              ctx.path = `/api${ctx.path}${ctx.path.includes('?') ? '&' : '?'}from=v1`;
              delete ctx.headers.cookie;
            },
          },
        },
      });
      const answer = await call(`${proxy.url}/v1/users/42?x=1`, { headers: { cookie: 'session=secret', 'x-keep': 'yes' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(
        backend!.seen.map((s) => s.url),
        ['/api/users/42?x=1&from=v1'],
      );
      assert.equal(backend!.seen[0]!.headers.cookie, undefined);
      assert.equal(backend!.seen[0]!.headers['x-keep'], 'yes');
      assert.equal(backend!.seen[0]!.headers.host, new URL(backend!.url).host);
    });

    it('streams a large upload after an async hook', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => res.end(`${size} ${String(req.headers['x-signed'])}`));
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/upload/': {
            upstream: 'app',
            async rewriteRequest(ctx) {
              // sleep-ok: the hook's own latency is the subject (the upload arrives while it is pending); nothing waits on it.
              await new Promise((resolve) => setTimeout(resolve, 20));
              ctx.headers['x-signed'] = 'yes';
            },
          },
        },
      });
      const body = Buffer.alloc(300 * 1024, 'a');
      const answer = await call(`${proxy.url}/upload/file`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, `${body.length} yes`);
    });

    it('answers 500 and sends nothing upstream when the hook throws or rejects', async (t) => {
      const [backend] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/sync/': {
            upstream: 'app',
            rewriteRequest() {
              throw new Error('token service down');
            },
          },
          '/async/': {
            upstream: 'app',
            async rewriteRequest() {
              await new Promise((resolve) => setImmediate(resolve));
              throw new Error('token service down');
            },
          },
          '/badpath/': {
            upstream: 'app',
            rewriteRequest(ctx) {
              ctx.path = 'no-slash';
            },
          },
          // Node and undici refuse control characters: a 500 here, never a "failed" upstream.
          '/badheader/': {
            upstream: 'app',
            rewriteRequest(ctx) {
              ctx.headers['x-token'] = 'a\u0001b';
            },
          },
        },
      });
      for (const path of ['/sync/x', '/async/x', '/badpath/x', '/badheader/x']) {
        const answer = await call(`${proxy.url}${path}`, { method: 'POST', body: 'payload' });
        assert.equal(answer.status, 500, path);
        assert.match(answer.body, /^500 Internal Server Error/);
        assert.doesNotMatch(answer.body, /token service/);
      }
      assert.equal(backend!.seen.length, 0);
      assert.equal(totalActive(proxy), 0);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 0);
    });

    it('runs on WebSocket upgrades: the handshake carries the hook header', async (t) => {
      const ws = await startWsServer(t);
      let calls = 0;
      const proxy = await startProxy(t, driver, {
        upstreams: { ws: [ws.url] },
        locations: {
          '/chat/': {
            upstream: 'ws',
            async rewriteRequest(ctx) {
              calls++;
              const token = ctx.request.headers['sec-websocket-protocol'] === undefined ? 'signed-token' : 'other';
              await new Promise((resolve) => setImmediate(resolve));
              ctx.headers['x-internal-token'] = token;
            },
          },
        },
      });
      const client = new WebSocket(`${proxy.url.replace('http://', 'ws://')}/chat/room`);
      t.after(() => client.terminate());
      await new Promise<void>((resolve, reject) => {
        client.once('open', () => resolve());
        client.once('error', reject);
      });
      const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(data.toString())));
      client.send('hi');
      assert.equal(await reply, 'echo: hi');
      assert.equal(calls, 1);
      assert.equal(ws.handshakes.length, 1);
      assert.equal(ws.handshakes[0]!['x-internal-token'], 'signed-token');
      assert.equal(ws.handshakes[0]!.upgrade, 'websocket');
      client.close();
      await waitFor(() => totalActive(proxy) === 0);
    });

    it('refuses a WebSocket upgrade with 500 when the hook rejects; no handshake reaches the upstream', async (t) => {
      const ws = await startWsServer(t);
      const proxy = await startProxy(t, driver, {
        upstreams: { ws: [ws.url] },
        locations: {
          '/chat/': {
            upstream: 'ws',
            async rewriteRequest() {
              throw new Error('no token');
            },
          },
        },
      });
      const client = new WebSocket(`${proxy.url.replace('http://', 'ws://')}/chat/room`);
      // After a refused handshake `ws` reports the end of the attempt as an error: expected here.
      client.on('error', () => {});
      t.after(() => client.terminate());
      const status = await new Promise<number>((resolve, reject) => {
        client.once('unexpected-response', (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        client.once('open', () => reject(new Error('opened')));
      });
      assert.equal(status, 500);
      assert.equal(ws.handshakes.length, 0);
      assert.equal(totalActive(proxy), 0);
    });
  });
}
