/** @module Scenario: smooth weighted round robin, weights 5:1:1 give a a b a c a a. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { bodies } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: weights`, () => {
    it('5:1:1 picks a a b a c a a, twice', async (t) => {
      const [a, b, c] = await backendsFor(t, 3);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [{ url: a!.url, weight: 5 }, b!.url, { url: c!.url, weight: 1 }] } },
        locations: { '/': 'app' },
      });
      const once = ['Server 1', 'Server 1', 'Server 2', 'Server 1', 'Server 3', 'Server 1', 'Server 1'];
      assert.deepEqual(await bodies(`${proxy.url}/w`, 14), [...once, ...once]);
      assert.deepEqual([a!.seen.length, b!.seen.length, c!.seen.length], [10, 2, 2]);
    });
  });
}
