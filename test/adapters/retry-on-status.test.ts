/** @module Scenario: statuses listed in retry.on move to the next server; others (and the transport) never retry. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';
import type { BackendHandler } from '../helpers/backends.js';

const unavailable: BackendHandler = (_req, res, backend) => {
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' });
  res.end(`${backend.name} busy`);
};

for (const driver of drivers) {
  describe(`${driver.name}: retries on a status`, () => {
    it('a 503 not listed in retry.on is delivered as is, with no hidden retry', async (t) => {
      const [one, two] = await backendsFor(t, 2);
      one!.handle(unavailable);
      const proxy = await startProxy(t, driver, { upstreams: { app: [one!.url, two!.url] }, locations: { '/': 'app' } });
      const answer = await call(`${proxy.url}/x`);
      assert.equal(answer.status, 503);
      assert.equal(answer.body, 'Server 1 busy');
      assert.equal(one!.seen.length, 1);
      assert.equal(two!.seen.length, 0);
    });

    it('a 503 listed in retry.on goes to the next server', async (t) => {
      const [one, two] = await backendsFor(t, 2);
      one!.handle(unavailable);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [one!.url, two!.url], retry: { on: ['error', 'timeout', 503] } } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/x`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'Server 2');
      assert.deepEqual([one!.seen.length, two!.seen.length], [1, 1]);
      assert.equal(totalActive(proxy), 0);
    });

    it('when every server answers a retryable status, the client gets the last real response', async (t) => {
      const backends = await backendsFor(t, 3);
      for (const b of backends) b.handle(unavailable);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: backends.map((b) => b.url), retry: { on: ['error', 503] } } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/x`);
      assert.equal(answer.status, 503);
      assert.equal(answer.body, 'Server 3 busy');
      assert.deepEqual(
        backends.map((b) => b.seen.length),
        [1, 1, 1],
      );
      assert.equal(totalActive(proxy), 0);
    });
  });
}
