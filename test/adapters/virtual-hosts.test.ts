/** @module Scenario: virtual hosts on both adapters: two hosts share a path, wildcards and the default server, a redirect-only host, HTTP/1.0 without Host. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call } from './support/http.js';

/** One HTTP/1.0 request without a Host header, read to the end (the server closes an HTTP/1.0 connection). */
function withoutHost(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: virtual hosts`, () => {
    it('sends the same path to the upstream of the host the Host names, nginx server_name rules', async (t) => {
      const [shop, blog, fallback] = await backendsFor(t, 3);
      const proxy = await startProxy(t, driver, {
        upstreams: { shop: [shop!.url], blog: [blog!.url], fallback: [fallback!.url] },
        servers: [
          { names: ['shop.test', '*.shop.test'], locations: { '/': 'shop' } },
          { names: ['blog.*', '~^news\\d+\\.test$'], locations: { '/': 'blog', '/api/': { upstream: 'shop', rewritePrefix: '/' } } },
          { names: ['catch.test'], default: true, locations: { '/': 'fallback' } },
          { names: ['old.test'], return: { status: 308, url: '$scheme://shop.test$request_uri' } },
        ],
      });
      const via = async (host: string, path = '/'): Promise<string> => (await call(`${proxy.url}${path}`, { headers: { host } })).body;
      assert.equal(await via('SHOP.test:8080'), 'Server 1');
      assert.equal(await via('a.b.shop.test'), 'Server 1');
      assert.equal(await via('blog.example'), 'Server 2');
      assert.equal(await via('news42.test'), 'Server 2');
      assert.equal(await via('news42.test', '/api/x'), 'Server 1');
      assert.equal(await via('nobody.test'), 'Server 3');
      assert.deepEqual(
        shop!.seen.map((s) => s.url),
        ['/', '/', '/x'],
      );
      const moved = await call(`${proxy.url}/a/b?c=1`, { headers: { host: 'old.test' } });
      assert.equal(moved.status, 308);
      assert.equal(moved.headers.location, 'http://shop.test/a/b?c=1');
      assert.equal(shop!.seen.length + blog!.seen.length + fallback!.seen.length, 6, 'the redirect reached no upstream');
      // HTTP/1.0 without Host: the default server.
      const raw = await withoutHost(proxy.port, '/plain');
      assert.match(raw, /^HTTP\/1\.[01] 200/);
      assert.match(raw, /Server 3$/);
    });

    it('a host whose server has no location for the path gets a 404, whatever other hosts have', async (t) => {
      const [a, b] = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { a: [a!.url], b: [b!.url] },
        servers: [
          { names: ['a.test'], locations: { '/only-a/': 'a' } },
          { names: ['b.test'], locations: { '= /b': 'b' } },
        ],
      });
      assert.equal((await call(`${proxy.url}/only-a/x`, { headers: { host: 'a.test' } })).body, 'Server 1');
      assert.equal((await call(`${proxy.url}/only-a/x`, { headers: { host: 'b.test' } })).status, 404);
      assert.equal((await call(`${proxy.url}/b`, { headers: { host: 'b.test' } })).body, 'Server 2');
      assert.equal((await call(`${proxy.url}/b`, { headers: { host: 'a.test' } })).status, 404);
      assert.equal(a!.seen.length + b!.seen.length, 2);
    });
  });
}
