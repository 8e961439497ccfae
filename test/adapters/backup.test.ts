/** @module Scenario: a backup server takes over while the primary is down and hands back once it recovers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { bodies, call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: backup`, () => {
    it('uses the backup only while the primary is unavailable', async (t) => {
      const [primary, backup] = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: {
          app: [
            { url: primary!.url, failTimeout: '300ms' },
            { url: backup!.url, backup: true },
          ],
        },
        locations: { '/': 'app' },
      });
      assert.deepEqual(await bodies(`${proxy.url}/`, 3), ['Server 1', 'Server 1', 'Server 1']);
      await primary!.stop();
      assert.deepEqual(await bodies(`${proxy.url}/`, 3), ['Server 2', 'Server 2', 'Server 2']);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.state, 'failed');
      await primary!.start();
      // After failTimeout one trial request goes to the primary; bounded wait for it.
      let answer = '';
      for (let i = 0; i < 50 && answer !== 'Server 1'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        answer = (await call(`${proxy.url}/`)).body;
      }
      assert.equal(answer, 'Server 1');
      assert.deepEqual(await bodies(`${proxy.url}/`, 3), ['Server 1', 'Server 1', 'Server 1']);
      assert.equal(backup!.seen.length >= 3, true);
    });
  });
}
