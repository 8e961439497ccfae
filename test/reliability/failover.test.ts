/** @module Reliability: failover under load, what may and may not be replayed, partial responses, and exact bounds on tries (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startBackends, stopAll } from '../helpers/backends.js';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { behaviours, startRawBackend, type RawBackend, type RawBehaviour } from './support/raw-backend.js';
import { rawSend } from './support/raw-client.js';
import { pool, refusedPort, send, startProxy, sumOf, totalRequests } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

async function rawBackends(t: { after(fn: () => Promise<void>): void }, behaviour: RawBehaviour, count: number): Promise<RawBackend[]> {
  const list: RawBackend[] = [];
  for (let i = 0; i < count; i++) list.push(await startRawBackend(`B${i + 1}`, behaviour));
  t.after(async () => {
    await Promise.all(list.map((b) => b.stop()));
  });
  return list;
}

/** Every byte value, so any re-encoding or truncation shows. */
function binaryBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + 3) & 0xff;
  return body;
}

for (const driver of drivers) {
  describe(`failover (${driver.name})`, () => {
    test('a server that dies under a concurrent GET loop costs zero failed GETs', async (t) => {
      const backends = await startBackends(3);
      t.after(() => stopAll(backends));
      for (const b of backends) {
        b.handle((_req, res, backend) => {
          setTimeout(() => res.end(backend.name), 2).unref();
        });
      }
      const proxy = await startProxy(t, driver, { upstreams: { pool: backends.map((b) => b.url) }, locations: { '/': 'pool' } });
      const total = 300;
      const killAt = 100;
      let issued = 0;
      let completed = 0;
      let killed = false;
      let killing: Promise<void> | undefined;
      const failures: string[] = [];
      const afterKill: string[] = [];
      const worker = async (): Promise<void> => {
        while (issued < total) {
          issued++;
          // Only requests issued once the server is gone prove it is no longer used.
          const issuedAfterKill = killed;
          try {
            const res = await send(`${proxy.url}/item`);
            const body = res.body.toString();
            if (res.status !== 200) failures.push(`${res.status} ${body}`);
            else if (issuedAfterKill) afterKill.push(body);
          } catch (err) {
            failures.push(String(err));
          }
          if (++completed === killAt) {
            killing = backends[1]!.stop().then(() => {
              killed = true;
            });
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await killing;
      assert.deepEqual(failures, [], 'no GET may fail while one server dies');
      assert.equal(completed, total);
      assert.ok(afterKill.length > 0);
      assert.ok(!afterKill.includes('Server 2'), 'the dead server answered after it died');
      const server2 = proxy.switchyard.status().upstreams.pool!.servers[1]!;
      assert.ok(server2.fails >= 1, `the dead server's failures are counted (fails=${server2.fails})`);
    });

    test('POST and PATCH that reached a server are not replayed; GET is, once per server', async (t) => {
      const list = await rawBackends(t, behaviours.closeWithoutAnswer(), 2);
      const proxy = await startProxy(t, driver, { upstreams: { pool: pool(list) }, locations: { '/': 'pool' } });
      for (const method of ['POST', 'PATCH']) {
        list.forEach((b) => b.resetCounts());
        const res = await send(`${proxy.url}/write`, { method, body: 'payload', headers: { 'content-type': 'text/plain' } });
        assert.equal(res.status, 502, method);
        assert.equal(totalRequests(list), 1, `${method} must reach exactly one server`);
      }
      list.forEach((b) => b.resetCounts());
      const res = await send(`${proxy.url}/read`);
      assert.equal(res.status, 502);
      assert.deepEqual(
        list.map((b) => b.requests.length),
        [1, 1],
        'GET goes to each server once',
      );
    });

    test('with nonIdempotent, a POST is replayed to the next server with the same body', async (t) => {
      const list = await rawBackends(t, behaviours.closeWithoutAnswer(), 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: pool(list) },
        locations: { '/': { upstream: 'pool', retry: { nonIdempotent: true } } },
      });
      const res = await send(`${proxy.url}/write`, { method: 'POST', body: 'payload-1', headers: { 'content-type': 'text/plain' } });
      assert.equal(res.status, 502);
      assert.deepEqual(
        list.map((b) => b.requests.length),
        [1, 1],
      );
      assert.deepEqual(
        list.map((b) => b.requests[0]!.body.toString()),
        ['payload-1', 'payload-1'],
      );
    });

    test('connection refused is retried whatever the method, with a byte-identical body', async (t) => {
      const [ok] = await rawBackends(t, behaviours.ok('ok'), 1);
      const refused = `http://127.0.0.1:${await refusedPort()}`;
      // Weight 100 makes the refused server the first pick of every request (smooth weighted round robin).
      const proxy = await startProxy(t, driver, {
        upstreams: {
          pool: [
            { url: refused, weight: 100, maxFails: 0 },
            { url: ok!.url, maxFails: 0 },
          ],
        },
        locations: { '/': 'pool' },
      });
      let retries = 0;
      proxy.switchyard.on('retry', () => retries++);
      const small = binaryBody(1000);
      const large = binaryBody(200 * 1024); // above the 64 KiB replay buffer: streamed, yet never sent
      const cases: Array<[string, Buffer]> = [
        ['POST', small],
        ['PATCH', small],
        ['PUT', small],
        ['DELETE', small],
        ['POST', large],
      ];
      for (const [method, body] of cases) {
        const res = await send(`${proxy.url}/up`, { method, body, headers: { 'content-type': 'application/octet-stream' } });
        assert.equal(res.status, 200, `${method} ${body.length}: ${res.body.toString()}`);
      }
      assert.equal(retries, cases.length, 'each request was retried exactly once');
      assert.equal(ok!.requests.length, cases.length);
      cases.forEach(([method, body], i) => {
        const got = ok!.requests[i]!;
        assert.equal(got.method, method);
        assert.ok(got.body.equals(body), `${method} body of ${body.length} bytes arrives byte-identical (got ${got.body.length})`);
      });
    });

    test('a server that sent part of a response is never retried: the client sees it truncated, not spliced', async (t) => {
      const a = await startRawBackend('A', behaviours.resetMidBody(1000, 300, 'a'));
      const b = await startRawBackend('B', behaviours.resetMidBody(1000, 300, 'b'));
      t.after(async () => {
        await Promise.all([a.stop(), b.stop()]);
      });
      const proxy = await startProxy(t, driver, { upstreams: { pool: pool([a, b]) }, locations: { '/': 'pool' } });
      const ex = await rawSend(proxy.port, 'GET /big HTTP/1.1\r\nHost: proxy\r\n\r\n', { maxMs: 5000 });
      assert.equal(totalRequests([a, b]), 1, 'never retried once the response started');
      assert.equal(ex.closed, true, 'the proxy closes the client connection to signal the cut');
      assert.equal(ex.responses.length, 1, ex.data.toString('latin1').slice(0, 300));
      const res = ex.responses[0]!;
      assert.equal(res.status, 200);
      assert.equal(res.truncated, true, 'the client can tell the body is incomplete');
      const text = res.body.toString('latin1');
      assert.ok(text.length <= 300);
      assert.ok(/^(a*|b*)$/.test(text), "not spliced with another server's bytes");
    });

    test('a chunked response cut mid-body reaches the client truncated', async (t) => {
      const chunkedCut: RawBehaviour = (_req, conn) => {
        conn.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n12c\r\n${'c'.repeat(300)}\r\n`);
        setTimeout(() => conn.reset(), 50).unref();
      };
      const list = await rawBackends(t, chunkedCut, 2);
      const proxy = await startProxy(t, driver, { upstreams: { pool: pool(list) }, locations: { '/': 'pool' } });
      const ex = await rawSend(proxy.port, 'GET /chunks HTTP/1.1\r\nHost: proxy\r\n\r\n', { maxMs: 5000 });
      assert.equal(totalRequests(list), 1);
      assert.equal(ex.closed, true);
      assert.equal(ex.responses.length, 1);
      assert.equal(ex.responses[0]!.status, 200);
      assert.equal(ex.responses[0]!.truncated, true);
    });

    for (const [tries, expected] of [
      [0, 3],
      [2, 2],
      [1, 1],
    ] as const) {
      test(`tries=${tries}: exactly ${expected} attempt(s), each server at most once`, async (t) => {
        const list = await rawBackends(t, behaviours.closeWithoutAnswer(), 3);
        const proxy = await startProxy(t, driver, {
          upstreams: { pool: { servers: pool(list, { maxFails: 1 }), retry: { tries } } },
          locations: { '/': 'pool' },
        });
        const res = await send(`${proxy.url}/x`);
        assert.equal(res.status, 502);
        assert.equal(totalRequests(list), expected);
        assert.ok(
          list.every((b) => b.requests.length <= 1),
          'no server twice',
        );
        assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), expected, 'every failed try is counted');
      });
    }

    test('the retry timeout stops new tries: a first try failing at once and a second outlasting the 500 ms timeout give exactly 2', async (t) => {
      // The first try to arrive fails at once (far inside the timeout: a second try is due); the second
      // closes only after the retry timeout has passed (event-loop lag only makes that later: no third).
      let arrived = 0;
      const slowClose: RawBehaviour = async (_req, conn) => {
        if (arrived++ > 0) {
          // sleep-ok: time is the subject here: this try must outlast the proxy's 500 ms retry timeout.
          await delay(700);
        }
        conn.end();
      };
      const list = await rawBackends(t, slowClose, 3);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list), retry: { timeout: 500 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/x`);
      assert.equal(res.status, 502);
      assert.equal(totalRequests(list), 2);
    });
  });
}
