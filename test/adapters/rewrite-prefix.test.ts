/** @module Scenario: locations strip and replace their prefix, redirect the bare prefix, and leave other paths alone (404). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: prefixes`, () => {
    it('maps /api/users?id=1 to /users?id=1 with rewritePrefix "/"', async (t) => {
      const [api, files] = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { api: [api!.url], files: [files!.url] },
        locations: {
          '/api/': { upstream: 'api', rewritePrefix: '/' },
          '/static/': { upstream: 'files', rewritePrefix: '/v2/assets/' },
          '= /exact': { upstream: 'files', rewritePrefix: '/other' },
          '/raw/': 'api',
        },
      });
      assert.equal((await call(`${proxy.url}/api/users?id=1`)).body, 'Server 1');
      assert.equal((await call(`${proxy.url}/static/css/site.css`)).body, 'Server 2');
      assert.equal((await call(`${proxy.url}/exact?q=2`)).body, 'Server 2');
      assert.equal((await call(`${proxy.url}/raw/a%2Fb?x=1`)).body, 'Server 1');
      assert.deepEqual(
        api!.seen.map((s) => s.url),
        ['/users?id=1', '/raw/a%2Fb?x=1'],
      );
      assert.deepEqual(
        files!.seen.map((s) => s.url),
        ['/v2/assets/css/site.css', '/other?q=2'],
      );
    });

    it('answers 301 for the prefix without its slash and 404 outside every location', async (t) => {
      const [api] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { api: [api!.url] },
        locations: { '/api/': { upstream: 'api', rewritePrefix: '/' } },
      });
      const redirect = await call(`${proxy.url}/api?x=1`);
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.location, '/api/?x=1');
      assert.equal((await call(`${proxy.url}/elsewhere`)).status, 404);
      assert.equal((await call(`${proxy.url}/apix`)).status, 404);
      assert.equal(api!.seen.length, 0);
    });
  });
}
