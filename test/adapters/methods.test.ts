/** @module Scenario: every method reaches the upstream with its body; HEAD and 204 answers pass without a body. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: methods`, () => {
    it('forwards method, path and body for PUT, PATCH, DELETE, OPTIONS; HEAD and 204 carry no body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => {
          if (req.url === '/empty') {
            res.statusCode = 204;
            res.end();
            return;
          }
          res.setHeader('content-type', 'text/plain');
          res.end(`${req.method} ${req.url} [${body}]`);
        });
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } });
      const text = { 'content-type': 'text/plain' };
      assert.equal((await call(`${proxy.url}/p?q=1`, { method: 'PUT', headers: text, body: 'put-body' })).body, 'PUT /p?q=1 [put-body]');
      assert.equal((await call(`${proxy.url}/p`, { method: 'PATCH', headers: text, body: 'patch' })).body, 'PATCH /p [patch]');
      assert.equal((await call(`${proxy.url}/d`, { method: 'DELETE', headers: text, body: 'gone' })).body, 'DELETE /d [gone]');
      assert.equal((await call(`${proxy.url}/o`, { method: 'OPTIONS' })).body, 'OPTIONS /o []');
      assert.equal((await call(`${proxy.url}/raw`, { method: 'POST', body: 'no type' })).body, 'POST /raw [no type]');
      const head = await call(`${proxy.url}/h`, { method: 'HEAD' });
      assert.deepEqual([head.status, head.body], [200, '']);
      const empty = await call(`${proxy.url}/empty`, { method: 'POST', headers: text, body: 'x' });
      assert.deepEqual([empty.status, empty.body], [204, '']);
      assert.equal(totalActive(proxy), 0);
    });

    it('forwards WebDAV methods with their bodies (PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK, SEARCH, REPORT)', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => res.end(`${req.method} ${req.url} [${body}]`));
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/dav/': 'app' } });
      const xml = { 'content-type': 'application/xml' };
      for (const method of ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT']) {
        const answer = await call(`${proxy.url}/dav/f`, { method, headers: xml, body: '<x/>' });
        assert.deepEqual([answer.status, answer.body], [200, `${method} /dav/f [<x/>]`], method);
      }
      assert.equal(totalActive(proxy), 0);
    });
  });
}
