/** @module Scenario: maxBodySize (nginx client_max_body_size) on both adapters: 413 before any upstream, for a Content-Length and for a chunked body, inherited and overridden. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BODY_TOO_LARGE_PAGE } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: maxBodySize`, () => {
    it('answers 413 with nginx page for a Content-Length over the limit; no upstream sees it', async (t) => {
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        maxBodySize: '1k',
        locations: { '/': 'app', '/upload/': { upstream: 'app', maxBodySize: '2m' }, '/free/': { upstream: 'app', maxBodySize: 0 } },
      });
      const big = 'x'.repeat(1025);
      const refused = await call(`${proxy.url}/api`, { method: 'POST', body: big });
      assert.equal(refused.status, 413);
      assert.equal(refused.body, BODY_TOO_LARGE_PAGE);
      assert.equal(refused.headers.connection, 'close');
      assert.equal((await call(`${proxy.url}/api`, { method: 'POST', body: 'x'.repeat(1024) })).status, 200);
      assert.equal((await call(`${proxy.url}/upload/a`, { method: 'POST', body: big })).status, 200);
      assert.equal((await call(`${proxy.url}/free/a`, { method: 'POST', body: 'y'.repeat(3 * 1024 * 1024) })).status, 200);
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/api', '/upload/a', '/free/a'],
      );
      assert.equal(totalActive(proxy), 0);
    });

    it('a chunked body is answered 413 once it crosses the limit, before any upstream is picked; one within it is sent whole', async (t) => {
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        servers: [{ names: ['a.test'], maxBodySize: 100, locations: { '/': 'app' } }],
      });
      // Echoes the body and how it was framed.
      app!.handle((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => res.end(`${req.headers['content-length'] ?? 'chunked'}:${Buffer.concat(chunks).toString()}`));
      });
      const chunked = { 'transfer-encoding': 'chunked', host: 'a.test' };
      const over = await call(`${proxy.url}/up`, { method: 'POST', headers: chunked, parts: ['a'.repeat(60), 'b'.repeat(60)] });
      assert.equal(over.status, 413);
      assert.equal(over.body, BODY_TOO_LARGE_PAGE);
      assert.equal(app!.seen.length, 0, 'no upstream saw the request');
      const within = await call(`${proxy.url}/up`, { method: 'POST', headers: chunked, parts: ['a'.repeat(50), 'b'.repeat(50)] });
      assert.equal(within.status, 200);
      assert.equal(app!.seen.length, 1);
      // Read whole before the upstream was picked, so it is sent with its length, as nginx does.
      assert.equal(within.body, `100:${'a'.repeat(50)}${'b'.repeat(50)}`);
      const status = proxy.switchyard.status().upstreams.app!.servers[0]!;
      assert.equal(status.fails, 0, 'a 413 is no failure of the server');
      assert.equal(totalActive(proxy), 0);
    });
  });
}
