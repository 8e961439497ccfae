/** @module Scenario: status() counts what was sent; the status route wins over a catch-all location. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { bodies, call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: status`, () => {
    it('counts requests and responses per server and serves them at status.path', async (t) => {
      const backends = await backendsFor(t, 2);
      backends[1]!.handle((_req, res) => {
        res.statusCode = 404;
        res.end('nope');
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
        status: { path: '/_switchyard' },
      });
      await bodies(`${proxy.url}/a`, 5);
      const snapshot = proxy.switchyard.status();
      const servers = snapshot.upstreams.app!.servers;
      assert.deepEqual(
        servers.map((s) => s.requests),
        [3, 2],
      );
      assert.deepEqual(
        servers.map((s) => s.responses['2xx']),
        [3, 0],
      );
      assert.deepEqual(
        servers.map((s) => s.responses['4xx']),
        [0, 2],
      );
      assert.deepEqual(
        servers.map((s) => s.fails),
        [0, 0],
      );
      assert.deepEqual(
        servers.map((s) => s.state),
        ['up', 'up'],
      );
      const route = await call(`${proxy.url}/_switchyard`, { headers: { accept: 'application/json' } });
      assert.equal(route.status, 200);
      assert.match(String(route.headers['content-type']), /application\/json/);
      const served = JSON.parse(route.body) as typeof snapshot;
      assert.deepEqual(
        served.upstreams.app!.servers.map((s) => s.requests),
        [3, 2],
      );
      assert.deepEqual(
        backends.map((b) => b.seen.length),
        [3, 2],
      );
    });
  });
}
