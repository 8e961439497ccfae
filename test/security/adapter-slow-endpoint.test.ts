/**
 * @module Security: one GET to an endpoint slower than the read timeout is retried on every server
 * and, with nginx's defaults (maxFails 1), marks every server failed: the next requests get 502.
 * With passive.panic (or passive.maxEjectedPercent) the unrelated requests right after all succeed.
 * Both adapters, real slow backends.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import type { AdapterDriver } from '../adapters/driver.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import type { PassiveHealthOptions } from '@switchyard/core';

async function scenario(t: TestContext, driver: AdapterDriver, passive: PassiveHealthOptions | undefined): Promise<{ slow: number; after: number[] }> {
  const backends = await backendsFor(t, 3);
  for (const b of backends) {
    b.handle((req, res) => {
      // /slow never answers in time (stop() destroys the socket); everything else is fast.
      if (req.url === '/slow') return;
      res.end(b.name);
    });
  }
  const proxy = await startProxy(t, driver, {
    upstreams: { app: { servers: backends.map((b) => b.url), timeouts: { read: '200ms' }, ...(passive !== undefined ? { passive } : {}) } },
    locations: { '/': 'app' },
  });
  const slow = await call(`${proxy.url}/slow`);
  // Tried on every server, each try timed out.
  assert.deepEqual(
    backends.map((b) => b.seen.filter((r) => r.url === '/slow').length),
    [1, 1, 1],
  );
  const after: number[] = [];
  for (let i = 0; i < 6; i++) after.push((await call(`${proxy.url}/fast/${i}`)).status);
  return { slow: slow.status, after };
}

for (const driver of drivers) {
  describe(`${driver.name}: one slow request`, () => {
    it("with nginx's defaults it takes every server out: the six requests after get 502", async (t) => {
      const { slow, after } = await scenario(t, driver, undefined);
      assert.equal(slow, 504);
      assert.deepEqual(after, [502, 502, 502, 502, 502, 502]);
    });

    it('with passive.panic { belowPercent: 50 } the six unrelated requests after get 0 failures', async (t) => {
      const { slow, after } = await scenario(t, driver, { panic: { belowPercent: 50 } });
      assert.equal(slow, 504);
      assert.deepEqual(after, [200, 200, 200, 200, 200, 200]);
    });

    it('with passive.maxEjectedPercent 34 only one server is taken out: 0 failures after', async (t) => {
      const { slow, after } = await scenario(t, driver, { maxEjectedPercent: 34 });
      assert.equal(slow, 504);
      assert.deepEqual(after, [200, 200, 200, 200, 200, 200]);
    });
  });
}
