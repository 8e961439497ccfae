/** @module Scenario: a dead server is skipped without a single failed GET; all dead gives 502. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: failover`, () => {
    it('skips a stopped server: every GET answers 200 from the others', async (t) => {
      const backends = await backendsFor(t, 3);
      await backends[1]!.stop();
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
      });
      const answers = [];
      for (let i = 0; i < 9; i++) answers.push(await call(`${proxy.url}/`));
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(9).fill(200),
      );
      assert.ok(!answers.some((a) => a.body === 'Server 2'));
      const servers = proxy.switchyard.status().upstreams.app!.servers;
      assert.equal(servers[1]!.state, 'failed');
      assert.equal(servers[1]!.fails, 1);
      assert.equal(servers[0]!.requests + servers[2]!.requests, 9);
      assert.equal(totalActive(proxy), 0);
    });

    it('answers 502 with a short body when every server is down', async (t) => {
      const backends = await backendsFor(t, 2);
      await Promise.all(backends.map((b) => b.stop()));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
      });
      const first = await call(`${proxy.url}/x`);
      assert.equal(first.status, 502);
      assert.match(first.body, /^502 Bad Gateway/);
      assert.ok(!first.body.includes('127.0.0.1'), first.body);
      // Both are now failed: no live upstream at all.
      const second = await call(`${proxy.url}/x`);
      assert.equal(second.status, 502);
      assert.match(second.body, /no live upstream/);
      assert.equal(totalActive(proxy), 0);
    });
  });
}
