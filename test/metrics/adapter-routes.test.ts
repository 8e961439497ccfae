/** @module The status and metrics routes served by both adapters over HTTP: JSON, HTML with its headers, and a scraped, parsed exposition. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { bodies, call } from '../adapters/support/http.js';
import { parseExposition } from './exposition.js';

for (const driver of drivers) {
  describe(`${driver.name}: status and metrics routes`, () => {
    it('serves JSON by default, HTML to browsers, and Prometheus text that counts the requests sent', async (t) => {
      const [a, b] = await backendsFor(t, 2);
      if (!a || !b) throw new Error('backends');
      b.handle((_req, res) => {
        res.statusCode = 503;
        res.end('busy');
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [a.url, { url: b.url, maxFails: 0 }], retry: { on: ['error', 'timeout'] } } },
        locations: { '/': 'app' },
        status: { path: '/_status' },
        metrics: { path: '/_metrics' },
      });
      const sent = await bodies(`${proxy.url}/x`, 6);
      assert.deepEqual(sent, ['Server 1', 'busy', 'Server 1', 'busy', 'Server 1', 'busy']);

      const json = await call(`${proxy.url}/_status`);
      assert.equal(json.status, 200);
      assert.match(String(json.headers['content-type']), /^application\/json/);
      assert.equal(json.headers['cache-control'], 'no-store');
      assert.equal(json.headers['x-content-type-options'], 'nosniff');
      const snapshot = JSON.parse(json.body) as { upstreams: Record<string, { servers: Array<{ requests: number }> }> };
      assert.deepEqual(
        snapshot.upstreams.app?.servers.map((s) => s.requests),
        [3, 3],
      );

      const html = await call(`${proxy.url}/_status`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      assert.equal(html.status, 200);
      assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(String(html.headers['content-security-policy']), /^default-src 'none'; script-src 'sha256-/);
      assert.match(html.body, /<section class="pool" data-upstream="app">/);

      const scrape = await call(`${proxy.url}/_metrics`);
      assert.equal(scrape.status, 200);
      assert.match(String(scrape.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const m = parseExposition(scrape.body);
      const count = (server: string, code_class: string) => m.value('switchyard_upstream_requests_total', { upstream: 'app', server, code_class });
      assert.deepEqual([count(a.url, '2xx'), count(a.url, '5xx'), count(b.url, '2xx'), count(b.url, '5xx')], [3, 0, 0, 3]);
      assert.equal(m.value('switchyard_upstream_server_up', { upstream: 'app', server: b.url }), 1);
      assert.equal(m.value('switchyard_upstream_active', { upstream: 'app', server: a.url }), 0);
      // The backends never saw the admin routes.
      assert.equal(a.seen.length + b.seen.length, 6);
    });
  });
}
