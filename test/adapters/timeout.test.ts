/** @module Scenario: an upstream that does not answer within the read timeout gives 504. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: timeouts`, () => {
    it('answers 504 when the upstream sends no response head in time', async (t) => {
      const [slow] = await backendsFor(t, 1);
      slow!.handle(() => {
        /* never answers; stop() destroys the socket */
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [slow!.url], timeouts: { read: '200ms' } } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/wait`);
      assert.equal(answer.status, 504);
      assert.match(answer.body, /^504 Gateway Timeout/);
      assert.equal(slow!.seen.length, 1);
      assert.equal(totalActive(proxy), 0);
    });

    it('retries a timed-out GET on the next server', async (t) => {
      const [slow, fast] = await backendsFor(t, 2);
      slow!.handle(() => {});
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [slow!.url, fast!.url], timeouts: { read: '200ms' } } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/wait`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'Server 2');
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 1);
    });
  });
}
