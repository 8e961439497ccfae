/** @module Active health checks through both adapters: a server that dies under traffic leaves rotation with no failed request, and returns when it recovers; mandatory servers wait for their first pass. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { bodies, call } from '../adapters/support/http.js';
import { requestLoop } from '../runtime/holding-backends.js';
import { waitFor } from './fake-pool.js';

for (const driver of drivers) {
  describe(`${driver.name}: active health checks`, () => {
    it('a server that dies under traffic is marked unhealthy with zero failed requests, and takes traffic again once it recovers', async (t) => {
      const [a, b] = await backendsFor(t, 2);
      if (!a || !b) throw new Error('backends');
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [a.url, b.url], healthCheck: { path: '/health', interval: 50, timeout: 500, passes: 2 } } },
        locations: { '/': 'app' },
      });
      const sy = proxy.switchyard;
      const stateOf = (url: string) => sy.status().upstreams.app!.servers.find((s) => s.url === url)!.state;
      const loop = requestLoop(proxy.url, 3, 5000);
      t.after(() => loop.stop());
      await loop.more(20);
      await b.stop();
      await waitFor(() => stateOf(b.url) === 'unhealthy', 'b unhealthy', 20000);
      await loop.more(20);
      await b.start();
      await waitFor(() => stateOf(b.url) === 'up', 'b up again', 20000);
      const bBefore = b.seen.filter((r) => r.url.startsWith('/loop/')).length;
      await loop.more(30);
      await loop.stop();
      assert.ok(b.seen.filter((r) => r.url.startsWith('/loop/')).length > bBefore, 'b takes traffic again');
      assert.deepEqual(loop.errors, []);
      assert.deepEqual(
        loop.answers.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.body}`),
        [],
      );
      // Probes are not traffic: the proxy counted exactly the loop's requests.
      const servers = sy.status().upstreams.app!.servers;
      const loopSeen = [a, b].map((x) => x.seen.filter((r) => r.url.startsWith('/loop/')).length);
      assert.equal(
        loopSeen[0]! + loopSeen[1]!,
        servers.reduce((n, s) => n + s.responses['2xx'], 0),
      );
      assert.ok(a.seen.some((r) => r.url === '/health' && r.headers['user-agent'] === 'switchyard-health-check'));
    });

    it('mandatory: 502 until the first probe passes, then traffic', async (t) => {
      const [a] = await backendsFor(t, 1);
      if (!a) throw new Error('backend');
      let healthy = false;
      a.handle((req, res, backend) => {
        if (req.url === '/health') res.statusCode = healthy ? 200 : 503;
        res.end(backend.name);
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [a.url], healthCheck: { path: '/health', interval: 40, mandatory: true } } },
        locations: { '/': 'app' },
      });
      const probes: boolean[] = [];
      proxy.switchyard.on('health:probe', (p) => probes.push(p.ok));
      await waitFor(() => probes.length >= 2, 'two failing probes');
      assert.equal((await call(`${proxy.url}/x`)).status, 502);
      assert.equal(a.seen.filter((r) => r.url === '/x').length, 0);
      healthy = true;
      await waitFor(() => probes.includes(true), 'a passing probe');
      assert.deepEqual(await bodies(`${proxy.url}/x`, 2), [a.name, a.name]);
    });
  });
}
