/** @module Scenario: rewriteResponseHeaders (remove, add, hop-by-hop still stripped, a throwing hook) and interceptErrors replacing an upstream 503. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: response hooks`, () => {
    it('removes and adds response headers; hop-by-hop names added back are still stripped; the body streams as sent', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', server: 'internal/1.2', 'x-powered-by': 'php', 'set-cookie': ['a=1; Domain=internal.lan', 'b=2'] });
        // Two writes: the body arrives as the upstream sends it, nothing is buffered for the hook.
        res.write('part one, ');
        setImmediate(() => res.end('part two'));
      });
      const seen: Array<{ status: number; url: string }> = [];
      const proxy = await startProxy(t, driver, {
        upstreams: {
          app: {
            servers: [backend!.url],
            // An upstream default: the location below inherits it.
            rewriteResponseHeaders(headers, ctx) {
              seen.push({ status: ctx.status, url: ctx.request.url });
              delete headers.server;
              delete headers['x-powered-by'];
              headers['access-control-allow-origin'] = 'https://app.example';
              const cookies = headers['set-cookie'];
              if (Array.isArray(cookies)) headers['set-cookie'] = cookies.map((c) => c.replace('Domain=internal.lan', 'Domain=app.example'));
              headers['Keep-Alive'] = 'timeout=1';
              headers['proxy-connection'] = 'keep-alive';
              headers.upgrade = 'h2c';
              headers['x-named-hop'] = 'drop me';
              headers.connection = 'x-named-hop';
              // The body streams as sent: a length from the hook would cut it, so it is ignored.
              headers['Content-Length'] = '3';
            },
          },
        },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/page?q=1`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'part one, part two');
      assert.equal(answer.headers.server, undefined);
      assert.equal(answer.headers['x-powered-by'], undefined);
      assert.equal(answer.headers['access-control-allow-origin'], 'https://app.example');
      assert.deepEqual(answer.headers['set-cookie'], ['a=1; Domain=app.example', 'b=2']);
      assert.equal(answer.headers['proxy-connection'], undefined);
      assert.equal(answer.headers.upgrade, undefined);
      assert.equal(answer.headers['x-named-hop'], undefined);
      assert.notEqual(answer.headers['keep-alive'], 'timeout=1');
      assert.notEqual(answer.headers.connection, 'x-named-hop');
      assert.equal(answer.headers['content-length'], undefined);
      assert.deepEqual(seen, [{ status: 200, url: '/page?q=1' }]);
    });

    it("keeps the upstream's Content-Length whatever the hook does to it", async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => res.end('0123456789'));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/changed': {
            upstream: 'app',
            rewriteResponseHeaders(headers) {
              headers['Content-Length'] = '3';
            },
          },
          '/deleted': {
            upstream: 'app',
            rewriteResponseHeaders(headers) {
              delete headers['content-length'];
            },
          },
        },
      });
      for (const path of ['/changed', '/deleted']) {
        const answer = await call(`${proxy.url}${path}`);
        assert.equal(answer.status, 200, path);
        assert.equal(answer.headers['content-length'], '10', path);
        assert.equal(answer.body, '0123456789', path);
      }
    });

    it('streams with every hook set: the client reads the first chunk before the upstream ends the body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      backend!.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk;');
        // The rest only once the client has seen the first chunk: a buffering proxy would never get here.
        void released.then(() => res.end('rest'));
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/': {
            upstream: 'app',
            rewriteRequest(ctx) {
              ctx.headers['x-a'] = '1';
            },
            rewriteResponseHeaders(headers) {
              headers['x-b'] = '2';
            },
            onError: () => undefined,
            interceptErrors: [503],
          },
        },
      });
      t.after(() => release());
      const body = await new Promise<string>((resolve, reject) => {
        // Bounded: a proxy that buffered the body would never show the first chunk.
        const guard = setTimeout(() => reject(new Error('no first chunk while the upstream body was open: buffered?')), 10_000);
        t.after(() => clearTimeout(guard));
        const req = request(`${proxy.url}/stream`, { agent: false }, (res) => {
          assert.equal(res.headers['x-b'], '2');
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text === 'first chunk;') release();
          });
          res.on('end', () => resolve(text));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'first chunk;rest');
      assert.equal(backend!.seen[0]!.headers['x-a'], '1');
    });

    it('answers 500 when the header hook throws, and the try is released', async (t) => {
      const [backend] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/': {
            upstream: 'app',
            rewriteResponseHeaders() {
              throw new Error('bug in hook');
            },
          },
        },
      });
      const answer = await call(`${proxy.url}/x`);
      assert.equal(answer.status, 500);
      assert.match(answer.body, /^500 Internal Server Error/);
      assert.equal(backend!.seen.length, 1);
      assert.equal(totalActive(proxy), 0);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.responses['2xx'], 1);
    });

    it("interceptErrors replaces an upstream 503's body with onError's answer; other statuses pass", async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        const status = req.url === '/down' ? 503 : req.url === '/missing' ? 404 : 200;
        res.writeHead(status, { 'content-type': 'text/html', 'x-upstream': 'yes' });
        res.end(`<h1>upstream ${status} page with internal details</h1>`);
      });
      const reasons: string[] = [];
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/': {
            upstream: 'app',
            interceptErrors: [503, 404],
            onError(ctx) {
              reasons.push(`${ctx.reason} ${ctx.status} ${ctx.request.url}`);
              if (ctx.status === 404) return undefined;
              return {
                headers: { 'content-type': 'application/json', 'retry-after': '30' },
                body: JSON.stringify({ error: 'maintenance', status: ctx.status }),
              };
            },
          },
        },
      });
      // Twice: the discarded upstream answer leaves the connection usable (or closed), never stuck.
      for (let i = 0; i < 2; i++) {
        const answer = await call(`${proxy.url}/down`);
        assert.equal(answer.status, 503);
        assert.equal(answer.headers['content-type'], 'application/json');
        assert.equal(answer.headers['retry-after'], '30');
        assert.equal(answer.headers['x-upstream'], undefined);
        assert.deepEqual(JSON.parse(answer.body), { error: 'maintenance', status: 503 });
      }
      const missing = await call(`${proxy.url}/missing`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body, '<h1>upstream 404 page with internal details</h1>');
      const fine = await call(`${proxy.url}/ok`);
      assert.equal(fine.status, 200);
      assert.deepEqual(reasons, ['intercepted 503 /down', 'intercepted 503 /down', 'intercepted 404 /missing']);
      assert.equal(totalActive(proxy), 0);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.responses['5xx'], 2);
    });
  });
}
