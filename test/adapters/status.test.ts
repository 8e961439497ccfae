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

    it('status.history: the JSON shows the samples of the requests sent, the HTML page their graphs', async (t) => {
      const backends = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
        status: { path: '/_switchyard', history: { interval: '100ms', samples: 200 } },
      });
      await bodies(`${proxy.url}/a`, 6);
      // The next sample (at most 100 ms away) holds them: wait for it in the JSON, bounded.
      const deadline = Date.now() + 10_000;
      let served: ReturnType<typeof proxy.switchyard.status> | undefined;
      for (let i = 0; i < 5000 && Date.now() < deadline; i++) {
        const route = await call(`${proxy.url}/_switchyard`, { headers: { accept: 'application/json' } });
        const snap = JSON.parse(route.body) as ReturnType<typeof proxy.switchyard.status>;
        if (
          snap.history !== undefined &&
          snap.history.total >= 1 &&
          snap.upstreams.app!.servers.every((s) => s.history!.requests.reduce((x, y) => x + y, 0) === 3)
        ) {
          served = snap;
          break;
        }
      }
      assert.ok(served !== undefined, 'a sample with the 6 requests within 10 s');
      assert.equal(served.history!.intervalMs, 100);
      assert.equal(served.history!.keep, 200);
      for (const s of served.upstreams.app!.servers) {
        assert.equal(s.history!.requests.length, served.history!.samples);
        assert.ok(s.history!.p50.some((ms) => ms > 0));
        assert.ok(s.history!.states.every((state) => state === 'up'));
      }
      assert.deepEqual(served.upstreams.app!.history!.noLive.length, served.history!.samples);
      const page = await call(`${proxy.url}/_switchyard`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200);
      assert.equal(page.body.match(/<polyline class="line-(req|p50|p99)"/g)?.length, 6, 'three lines per server');
      assert.equal(page.body.match(/<polyline class="line-(retry|nolive)"/g)?.length, 2, 'two lines for the pool');
    });
  });
}
