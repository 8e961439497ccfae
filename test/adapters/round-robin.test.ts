/** @module Scenario: equal weights give 1-2-3-1-2-3 over three servers (the seed scenario). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { bodies } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: round robin`, () => {
    it('sends GETs to Server 1, 2, 3, 1, 2, 3', async (t) => {
      const backends = await backendsFor(t, 3);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
      });
      assert.deepEqual(await bodies(`${proxy.url}/`, 6), ['Server 1', 'Server 2', 'Server 3', 'Server 1', 'Server 2', 'Server 3']);
      const status = proxy.switchyard.status().upstreams.app;
      assert.deepEqual(
        status?.servers.map((s) => s.requests),
        [2, 2, 2],
      );
      assert.deepEqual(
        status?.servers.map((s) => s.responses['2xx']),
        [2, 2, 2],
      );
      assert.deepEqual(
        status?.servers.map((s) => s.active),
        [0, 0, 0],
      );
      assert.deepEqual(
        backends.map((b) => b.seen.length),
        [2, 2, 2],
      );
    });
  });
}
