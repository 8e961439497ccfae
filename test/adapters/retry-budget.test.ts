/** @module Scenario: a pool where every server answers 503 (retried on 503): the retry budget keeps the retries the backends see within 20% of the requests plus the reserve, in both adapters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: retry budget`, () => {
    it('every server answers 503: retries stay within 20% of requests + 1/s x 60 s, and refusals are reported', async (t) => {
      const backends = await backendsFor(t, 3);
      for (const b of backends) {
        b.handle((_req, res) => {
          res.statusCode = 503;
          res.end('busy');
        });
      }
      const proxy = await startProxy(t, driver, {
        // The longest window (60 s) and a small reserve: the run counts as one window by a wide margin (no bucket
        // leaves it), and the reserve (60) stays below the 600 retries an unbudgeted pool would send.
        upstreams: {
          pool: {
            servers: backends.map((b) => ({ url: b.url, maxFails: 0 })),
            retry: { on: ['error', 'timeout', 503], budget: { percent: 20, window: '60s', minPerSecond: 1 } },
          },
        },
        locations: { '/': 'pool' },
      });
      let refused = 0;
      let retried = 0;
      proxy.switchyard.on('retry', (e) => {
        if (e.refused === 'budget') refused++;
        else retried++;
      });
      const requests = 300;
      let issued = 0;
      const statuses = new Map<number, number>();
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (issued < requests) {
            issued++;
            const res = await call(`${proxy.url}/x`);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      const seen = backends.reduce((n, b) => n + b.seen.length, 0);
      const retries = seen - requests;
      // Without a budget every request would try all three servers: 600 retries.
      assert.ok(retries <= 0.2 * requests + 60, `retries counted on the backends: ${retries}`);
      assert.ok(retries >= 0.2 * requests, `the budget is spent, not refused outright: ${retries}`);
      assert.equal(retried, retries, 'every retry the backends saw was announced');
      // A request that did not get both retries was refused once: at least requests - retries/2 refusals.
      assert.ok(refused >= requests - retries / 2 && refused <= requests, `refusals reported: ${refused}`);
      assert.deepEqual([...statuses], [[503, requests]], 'clients get the real 503, never a made-up 502');
      assert.equal(totalActive(proxy), 0);
    });
  });
}
