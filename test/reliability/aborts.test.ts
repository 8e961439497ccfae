/** @module Reliability: a client that goes away releases its upstream connection and its server's active count at once (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { behaviours, response, startRawBackend, type RawBehaviour } from './support/raw-backend.js';
import { openSocket } from './support/raw-client.js';
import { eventually, send, startProxy, sumOf } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

/** Headers for 1 MB, 1000 bytes of it, then nothing more (until the connection goes). */
const stalledBody: RawBehaviour = (req, conn) => {
  if (req.target === '/long') conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1024 * 1024}\r\n\r\n${'l'.repeat(1000)}`);
  else conn.write(response(200, `fresh ${req.target}`));
};

for (const driver of drivers) {
  describe(`client aborts (${driver.name})`, () => {
    for (const [name, behaviour, waitForData] of [
      ['before the upstream answered', behaviours.hang(), false],
      ['in the middle of the body', stalledBody, true],
    ] as const) {
      test(`a client leaving ${name} frees the upstream connection and the active count`, async (t) => {
        const up = await startRawBackend('A', behaviour);
        t.after(() => up.stop());
        // Long timeouts: only the client's leaving may end the upstream request here.
        const proxy = await startProxy(t, driver, {
          upstreams: { pool: { servers: [{ url: up.url, maxFails: 0 }], timeouts: { read: 30_000, send: 30_000 } } },
          locations: { '/': 'pool' },
        });
        const client = await openSocket(proxy.port);
        const gotData = new Promise<void>((resolve) => client.once('data', () => resolve()));
        client.write('GET /long HTTP/1.1\r\nHost: p\r\n\r\n');
        if (waitForData) await gotData;
        else assert.ok(await eventually(() => up.requests.length === 1), 'the request reached the upstream');
        assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 1);
        client.destroy();
        assert.ok(await eventually(() => sumOf(proxy.switchyard, 'pool', 'active') === 0), 'active count back to 0');
        const carrier = up.requests[0]!.connection;
        assert.ok(await eventually(() => !up.isOpen(carrier)), 'the upstream connection that carried the abandoned request was closed');
        assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 0, 'a client abort is not a server failure');
        // The next request gets its own answer, not leftovers of the abandoned one.
        up.behave(stalledBody);
        const next = await send(`${proxy.url}/next`);
        assert.equal(next.body.toString(), 'fresh /next');
      });
    }

    test('the late answer to an abandoned request is never delivered to the next request', async (t) => {
      // The late answer is held until the test releases it: after the client left and two fresh requests were answered.
      let releaseLate: () => void = () => undefined;
      const late = new Promise<void>((resolve) => (releaseLate = resolve));
      let lateWritten: () => void = () => undefined;
      const written = new Promise<void>((resolve) => (lateWritten = resolve));
      t.after(() => releaseLate());
      const up = await startRawBackend('late', async (req, conn) => {
        if (req.target === '/late') {
          await late;
          conn.write(response(200, 'LATE'));
          lateWritten();
          return;
        }
        conn.write(response(200, `fresh ${req.target}`));
      });
      t.after(() => up.stop());
      const proxy = await startProxy(t, driver, { upstreams: { pool: [{ url: up.url, maxFails: 0 }] }, locations: { '/': 'pool' } });
      const client = await openSocket(proxy.port);
      client.write('GET /late HTTP/1.1\r\nHost: p\r\n\r\n');
      assert.ok(await eventually(() => up.requests.length === 1));
      client.destroy();
      assert.ok(await eventually(() => sumOf(proxy.switchyard, 'pool', 'active') === 0), 'the abandoned try was released');
      const bodies = [];
      for (const path of ['/a', '/b']) bodies.push((await send(`${proxy.url}${path}`)).body.toString());
      releaseLate();
      await written;
      bodies.push((await send(`${proxy.url}/c`)).body.toString());
      assert.deepEqual(bodies, ['fresh /a', 'fresh /b', 'fresh /c']);
      assert.ok(await eventually(() => sumOf(proxy.switchyard, 'pool', 'active') === 0));
    });
  });
}
