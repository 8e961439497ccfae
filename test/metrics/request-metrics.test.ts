/** @module The request series fed by the per-request facts, scraped from both adapters: duration per upstream and status class, tries per request, sticky hits and misses. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { parseExposition } from './exposition.js';

for (const driver of drivers) {
  describe(`${driver.name}: request metrics`, () => {
    it('a retried request, a direct one and two sticky ones, counted once each', async (t) => {
      const [down, up, s1, s2] = await backendsFor(t, 4);
      if (!down || !up || !s1 || !s2) throw new Error('backends');
      await down.stop();
      const proxy = await startProxy(t, driver, {
        upstreams: {
          app: [down.url, up.url],
          st: {
            servers: [
              { url: s1.url, route: 'a' },
              { url: s2.url, route: 'b' },
            ],
            sticky: { cookie: { name: 'srv' } },
          },
        },
        locations: { '/': 'app', '/st/': 'st' },
        metrics: { path: '/_metrics' },
      });
      // Express loads prom-client in the background: a first scrape waits for the metrics to exist.
      assert.equal((await call(`${proxy.url}/_metrics`)).status, 200);
      assert.equal((await call(`${proxy.url}/one`)).status, 200);
      assert.equal((await call(`${proxy.url}/two`)).status, 200);
      assert.equal((await call(`${proxy.url}/st/x`)).status, 200);
      assert.equal((await call(`${proxy.url}/st/x`, { headers: { cookie: 'srv=b' } })).body, s2.name);
      const m = parseExposition((await call(`${proxy.url}/_metrics`)).body);
      assert.equal(m.types.get('switchyard_request_duration_seconds'), 'histogram');
      assert.equal(m.value('switchyard_request_duration_seconds_count', { upstream: 'app', code_class: '2xx' }), 2);
      assert.equal(m.value('switchyard_request_duration_seconds_count', { upstream: 'st', code_class: '2xx' }), 2);
      assert.equal(m.value('switchyard_request_tries_bucket', { upstream: 'app', le: '1' }), 1);
      assert.equal(m.value('switchyard_request_tries_bucket', { upstream: 'app', le: '2' }), 2);
      assert.equal(m.value('switchyard_request_tries_sum', { upstream: 'app' }), 3);
      assert.equal(m.value('switchyard_sticky_total', { upstream: 'st', result: 'hit' }), 1);
      assert.equal(m.value('switchyard_sticky_total', { upstream: 'st', result: 'miss' }), 1);
      assert.equal(m.find('switchyard_sticky_total', { upstream: 'app' }).length, 0);
    });
  });
}
