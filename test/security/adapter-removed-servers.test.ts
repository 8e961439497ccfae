/** @module A removed server's connections are freed once its requests in flight are done (the Express adapter used to keep their agents and idle sockets), on both adapters. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { response, startRawBackend, type RawBackend } from '../reliability/support/raw-backend.js';
import { rawSend } from '../reliability/support/raw-client.js';

guardProcess();
const drivers = await loadDrivers();

async function waitUntil(what: string, check: () => boolean, maxMs = 2000): Promise<void> {
  const until = Date.now() + maxMs;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const driver of drivers) {
  describe(`removed servers, ${driver.name}`, () => {
    test('a request in flight to a removed server completes, then its upstream connection is closed (not kept idle)', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const removed = await startRawBackend('removed', async (_req, conn) => {
        await gate;
        conn.write(response(200, 'removed'));
      });
      const kept = await startRawBackend('kept');
      const proxy = await driver.start({ upstreams: { app: [removed.url] }, locations: { '/': 'app' } });
      try {
        const pending = rawSend(proxy.port, 'GET /slow HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n', { responses: 1, maxMs: 4000 });
        await waitUntil('the request reached the server', () => removed.requests.length === 1);
        proxy.switchyard.addServer('app', kept.url);
        proxy.switchyard.removeServer('app', removed.url);
        release();
        const out = await pending;
        assert.equal(out.responses[0]?.body.toString(), 'removed', 'the request in flight completed');
        await waitUntil('the removed server has no connection left', () => removed.openConnections === 0);
        const next = await rawSend(proxy.port, 'GET /next HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n', { responses: 1 });
        assert.equal(next.responses[0]?.body.toString(), 'kept');
        assert.equal(removed.requests.length, 1);
      } finally {
        await proxy.close();
        await removed.stop();
        await kept.stop();
      }
    });

    test('50 servers added, used and removed leave no upstream connection open', async () => {
      const backends: RawBackend[] = [];
      for (let i = 0; i < 4; i++) backends.push(await startRawBackend(`b${i}`));
      const proxy = await driver.start({ upstreams: { app: [backends[0]!.url] }, locations: { '/': 'app' } });
      try {
        for (let round = 0; round < 50; round++) {
          // Same backend, a distinct URL each time (a path suffix makes a new server).
          const url = `${backends[1 + (round % 3)]!.url}/r${round}`;
          proxy.switchyard.addServer('app', url);
          proxy.switchyard.setServer('app', backends[0]!.url, { down: true });
          const out = await rawSend(proxy.port, 'GET /x HTTP/1.1\r\nHost: proxy\r\n\r\n', { responses: 1 });
          assert.equal(out.responses[0]?.status, 200);
          proxy.switchyard.removeServer('app', url);
          proxy.switchyard.setServer('app', backends[0]!.url, { down: false });
        }
        await waitUntil('no connection to a removed server is left', () => backends.slice(1).every((b) => b.openConnections === 0));
      } finally {
        await proxy.close();
        for (const b of backends) await b.stop();
      }
    });
  });
}
