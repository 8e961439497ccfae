/** @module Scenario: least-conn keeps new requests off a server that holds a slow one. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { bodies, call, waitFor } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: least-conn`, () => {
    it('sends nothing to the busy server until its slow request ends', async (t) => {
      const backends = await backendsFor(t, 3);
      let release: (() => void) | undefined;
      backends[0]!.handle((req, res, backend) => {
        if (req.url === '/slow') {
          release = () => res.end(`${backend.name} slow`);
          return;
        }
        res.end(backend.name);
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { balance: 'least-conn', servers: backends.map((b) => b.url) } },
        locations: { '/': 'app' },
      });
      const slow = call(`${proxy.url}/slow`);
      await waitFor(() => release !== undefined);
      assert.equal(proxy.switchyard.status().upstreams.app?.servers[0]?.active, 1);
      const during = await bodies(`${proxy.url}/fast`, 6);
      assert.deepEqual([...during].sort(), ['Server 2', 'Server 2', 'Server 2', 'Server 3', 'Server 3', 'Server 3']);
      assert.equal(backends[0]!.seen.length, 1);
      release!();
      assert.equal((await slow).body, 'Server 1 slow');
      await waitFor(() => totalActive(proxy) === 0);
      // All idle again: the first server takes its share.
      const after = await bodies(`${proxy.url}/fast`, 3);
      assert.deepEqual([...after].sort(), ['Server 1', 'Server 2', 'Server 3']);
    });
  });
}
