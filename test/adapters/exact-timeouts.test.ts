/** @module Scenario: connect and read timeouts are the adapters' own timers (undici's 0.5 s ticks made Fastify's late by up to ~0.8 s, so its are off), and the read timer stops while the client reads slowly. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: exact timeouts`, () => {
    it('read 200 ms: a server that never answers gives 504 and its upstream request is closed; one answering at once gives 200', async (t) => {
      const [silent, quick] = await backendsFor(t, 2);
      let upstreamClosed = false;
      silent!.handle((_req, res) => {
        // Never answers: only the proxy's own read timer can end this request (undici's are off).
        res.on('close', () => (upstreamClosed = !res.writableFinished));
      });
      quick!.handle((_req, res) => res.end('in time'));
      const proxy = await startProxy(t, driver, {
        upstreams: { silent: { servers: [silent!.url], timeouts: { read: 200 } }, quick: { servers: [quick!.url], timeouts: { read: 200 } } },
        locations: { '/silent': 'silent', '/quick': 'quick' },
      });
      const answer = await call(`${proxy.url}/silent`);
      assert.equal(answer.status, 504);
      await waitFor(() => upstreamClosed);
      const ok = await call(`${proxy.url}/quick`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'in time');
      assert.equal(totalActive(proxy), 0);
    });

    it('read 200 ms does not run while the client reads slowly: a client that stops reading for 1 s mid-body gets the whole body', async (t) => {
      const [big] = await backendsFor(t, 1);
      const CHUNK = Buffer.alloc(1 << 20, 'x');
      const TOTAL = 32 * CHUNK.length; // far beyond every socket and stream buffer on the way
      let written = 0;
      big!.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': TOTAL });
        const write = (): void => {
          while (written < TOTAL) {
            written += CHUNK.length;
            if (!res.write(CHUNK)) {
              res.once('drain', write);
              return;
            }
          }
          res.end();
        };
        write();
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { big: { servers: [big!.url], timeouts: { read: 200 } } },
        locations: { '/': 'big' },
      });
      let heldBack = false;
      const received = await new Promise<{ bytes: number; complete: boolean }>((resolve, reject) => {
        const req = httpRequest(`${proxy.url}/big`, { agent: false }, (res) => {
          let bytes = 0;
          let paused = false;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (paused || bytes < CHUNK.length) return;
            paused = true;
            // The client stops reading: the response and its socket are paused, the buffers fill, the upstream is held back.
            res.pause();
            res.socket.pause();
            // Time is the subject: a pause five times the read timeout, on real sockets.
            const timer = setTimeout(() => {
              heldBack = written < TOTAL;
              res.socket.resume();
              res.resume();
            }, 1000);
            t.after(() => clearTimeout(timer));
          });
          res.on('error', () => undefined);
          res.on('close', () => resolve({ bytes, complete: res.complete }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.ok(heldBack, 'the upstream was still writing when the client resumed (the pause held it back)');
      assert.deepEqual(received, { bytes: TOTAL, complete: true });
      assert.equal(totalActive(proxy), 0);
    });

    it('connect 200 ms covers the TLS handshake: a server that never answers it gives 504', async (t) => {
      // A TCP server that accepts and never speaks TLS: the connection is up, the handshake never ends.
      const sockets = new Set<Socket>();
      const mute = createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
      t.after(async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => mute.close(() => resolve()));
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { mute: { servers: [`https://127.0.0.1:${(mute.address() as AddressInfo).port}`], timeouts: { connect: 200, read: 0 } } },
        locations: { '/': 'mute' },
      });
      // No read timeout: only the connect timer can end this request.
      const answer = await call(`${proxy.url}/`);
      assert.equal(answer.status, 504);
      assert.equal(proxy.switchyard.status().upstreams.mute!.servers[0]!.fails, 1);
    });
  });
}
