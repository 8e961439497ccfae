/** @module Reliability: connect/read timeouts against slow but working peers, silent peers, and clients that send headers byte by byte (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers, startWithServerTimeouts } from './support/drivers.js';
import { behaviours, response, startRawBackend, type RawBackend, type RawBehaviour } from './support/raw-backend.js';
import { rawSend } from './support/raw-client.js';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { eventually, pool, send, startProxy, sumOf, totalRequests } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

async function raw(t: { after(fn: () => Promise<void>): void }, behaviour: RawBehaviour, count = 1): Promise<RawBackend[]> {
  const list: RawBackend[] = [];
  for (let i = 0; i < count; i++) list.push(await startRawBackend(`T${i + 1}`, behaviour));
  t.after(async () => {
    await Promise.all(list.map((b) => b.stop()));
  });
  return list;
}

const BODY = 'x'.repeat(20);

/** Node's own defaults, for scenarios that only need the app's http.Server in hand. */
const NODE_DEFAULT_TIMEOUTS = { headersTimeout: 60_000, requestTimeout: 300_000, checkIntervalMs: 30_000 };

/** Resolves 'done' when `p` settles, or 'hung' after `ms` (a ref'd timer, so a hang is reported, not a silent empty loop). */
async function withGuard(p: Promise<unknown>, ms: number): Promise<'done' | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const result = await Promise.race([
    p.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    hung,
  ]);
  clearTimeout(timer);
  return result;
}

async function connectionCount(servers: ReadonlyArray<{ getConnections(cb: (err: Error | null, n: number) => void): void }>): Promise<number> {
  let n = 0;
  for (const s of servers) n += await new Promise<number>((resolve) => s.getConnections((_e, c) => resolve(c)));
  return n;
}

for (const driver of drivers) {
  describe(`timeouts (${driver.name})`, () => {
    test('the connect timeout does not cap a slow but working response', async (t) => {
      const slow: RawBehaviour = async (_req, conn) => {
        // sleep-ok: time is the subject: a response far slower than the 100 ms connect timeout.
        await delay(600);
        conn.write(response(200, 'late but fine'));
      };
      const list = await raw(t, slow);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list), timeouts: { connect: 100, read: 5000 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/slow`);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'late but fine');
      assert.equal(totalRequests(list), 1);
    });

    test('the read timeout is between two reads: a trickle longer than it completes', async (t) => {
      // 20 body bytes, 2 per 100 ms: about 1 s in total against a 400 ms read timeout.
      const trickle: RawBehaviour = async (_req, conn) => {
        const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n`;
        conn.write(head);
        await conn.trickle(BODY, 2, 100);
      };
      const list = await raw(t, trickle);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list), timeouts: { connect: 1000, read: 400 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/trickle`);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), BODY);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 0);
    });

    test('a trickled status line and headers (slower than the read timeout in total) complete', async (t) => {
      const list = await raw(t, behaviours.trickle('head-trickled', 8, 100));
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list), timeouts: { connect: 1000, read: 400 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/trickle-head`);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'head-trickled');
    });

    test('silence longer than the read timeout gets 504 and counts as a failure', async (t) => {
      const list = await raw(t, behaviours.hang(), 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list, { maxFails: 1 }), timeouts: { connect: 1000, read: 300 }, retry: { tries: 1 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/silent`);
      assert.equal(res.status, 504);
      assert.equal(totalRequests(list), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
    });

    test('a GET that times out on a silent server fails over to the next one', async (t) => {
      const [silent] = await raw(t, behaviours.hang());
      const [ok] = await raw(t, behaviours.ok('second'));
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: [{ url: silent!.url, weight: 100 }, { url: ok!.url }], timeouts: { connect: 1000, read: 300 } } },
        locations: { '/': 'pool' },
      });
      const res = await send(`${proxy.url}/x`);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'second');
      assert.deepEqual([silent!.requests.length, ok!.requests.length], [1, 1]);
      assert.equal(proxy.switchyard.status().upstreams.pool!.servers[0]!.fails, 1);
    });

    test('silence in the middle of a body cuts the response and counts as a failure', async (t) => {
      const stall: RawBehaviour = (_req, conn) => conn.write(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'s'.repeat(10)}`);
      const list = await raw(t, stall, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list, { maxFails: 1 }), timeouts: { connect: 1000, read: 300 }, retry: { tries: 1 } } },
        locations: { '/': 'pool' },
      });
      const ex = await rawSend(proxy.port, 'GET /stall HTTP/1.1\r\nHost: proxy\r\n\r\n', { maxMs: 5000 });
      assert.equal(ex.closed, true, 'the client connection is closed, not left hanging');
      assert.equal(ex.responses.length, 1);
      assert.equal(ex.responses[0]!.truncated, true);
      assert.equal(totalRequests(list), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
    });

    // Regression: a failed try used to leave the client's half-read upload paused, so the proxy never
    // noticed the client leaving (Fastify's close() then hung). Adapters now answer with
    // `Connection: close` and discard the rest of the body.
    test('an upstream that stops reading the request body hits the send timeout: 504, counted as a failure, client connection released', async (t) => {
      // Accepts connections and never reads a byte: the proxy's writes stall once the socket buffers fill.
      const sockets = new Set<Socket>();
      let closing = false;
      const deaf = createTcpServer((s) => {
        s.on('error', () => undefined);
        // A paused socket does not keep the event loop alive: connections arriving while closing go at once.
        if (closing) return void s.destroy();
        s.pause();
        sockets.add(s);
      });
      await new Promise<void>((resolve) => deaf.listen(0, '127.0.0.1', resolve));
      t.after(async () => {
        closing = true;
        const closed = new Promise<void>((resolve) => deaf.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await closed;
      });
      const url = `http://127.0.0.1:${(deaf.address() as AddressInfo).port}`;
      const { proxy, servers } = await startWithServerTimeouts(
        driver,
        { upstreams: { pool: { servers: [{ url, maxFails: 0 }], timeouts: { connect: 1000, send: 300, read: 60_000 } } }, locations: { '/': 'pool' } },
        NODE_DEFAULT_TIMEOUTS,
      );
      let closed = false;
      t.after(async () => {
        if (!closed) await withGuard(proxy.close(), 5000);
      });
      const size = 32 * 1024 * 1024;
      const head = `POST /upload HTTP/1.1\r\nHost: p\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`;
      const ex = await rawSend(proxy.port, [head, Buffer.alloc(size, 0x75)], { responses: 1, maxMs: 15_000 });
      assert.equal(ex.responses[0]?.status, 504, `got ${ex.responses[0]?.status ?? (ex.closed ? 'a closed connection' : 'nothing')}`);
      assert.ok(await eventually(() => sumOf(proxy.switchyard, 'pool', 'active') === 0));
      assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 1);
      // The client has gone (rawSend closed its socket): the proxy must notice, even with the body half read.
      assert.ok(
        await eventually(async () => (await connectionCount(servers)) === 0),
        `the proxy still holds ${await connectionCount(servers)} client connection(s) after the client left`,
      );
      assert.equal(await withGuard(proxy.close(), 10_000), 'done', 'close() must complete');
      closed = true;
    });

    test('a client sending headers one byte at a time is dropped by the header timeout without an upstream connection', async (t) => {
      const list = await raw(t, behaviours.ok());
      const { proxy } = await startWithServerTimeouts(
        driver,
        { upstreams: { pool: pool(list) }, locations: { '/': 'pool' } },
        { headersTimeout: 1500, requestTimeout: 3000, checkIntervalMs: 250 },
      );
      t.after(() => proxy.close());
      const head = 'GET /slowloris HTTP/1.1\r\nHost: proxy\r\nX-Padding: ' + 'p'.repeat(60) + '\r\n\r\n';
      const ex = await rawSend(proxy.port, [...head], { pauseMs: 250, maxMs: 15_000 });
      assert.equal(ex.closed, true, 'the server dropped the slow client');
      assert.ok(
        ex.responses.every((r) => r.status === 408),
        `only a 408 may be sent: ${ex.data.toString('latin1')}`,
      );
      assert.equal(list[0]!.connections, 0, 'no upstream connection was taken');
      // The server keeps serving everyone else.
      const res = await send(`${proxy.url}/after`);
      assert.equal(res.status, 200);
    });
  });
}
