/** @module Scenario: connect and read timeouts fire on time in both adapters (undici's 0.5 s timer ticks made Fastify's late by up to ~0.8 s); order of events, not wall time. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: exact timeouts`, () => {
    it('read 200 ms: a server answering at 600 ms gives 504 before it answers; one answering at 100 ms gives 200', async (t) => {
      const [slow, quick] = await backendsFor(t, 2);
      const events: string[] = [];
      slow!.handle((_req, res) => {
        const timer = setTimeout(() => {
          events.push('slow server answers');
          if (!res.destroyed) res.end('late');
        }, 600);
        res.on('close', () => {
          // The proxy gave up: note it, and let the timer still mark when the answer would have come.
          if (!res.writableFinished) events.push('proxy closed the upstream request');
        });
        t.after(() => clearTimeout(timer));
      });
      quick!.handle((_req, res) => {
        setTimeout(() => res.end('in time'), 100).unref();
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { slow: { servers: [slow!.url], timeouts: { read: 200 } }, quick: { servers: [quick!.url], timeouts: { read: 200 } } },
        locations: { '/slow': 'slow', '/quick': 'quick' },
      });
      const answer = await call(`${proxy.url}/slow`);
      events.push(`client got ${answer.status}`);
      // Wait for the slow server's own answer time, so the order below is complete.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (events.includes('slow server answers')) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
        t.after(() => clearInterval(poll));
      });
      assert.deepEqual(
        events.filter((e) => !e.startsWith('proxy')),
        ['client got 504', 'slow server answers'],
      );
      assert.ok(events.indexOf('proxy closed the upstream request') < events.indexOf('slow server answers'), events.join(', '));
      const ok = await call(`${proxy.url}/quick`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'in time');
      assert.equal(totalActive(proxy), 0);
    });

    it('connect 200 ms covers the TLS handshake: a server that never answers it gives 504 before a 600 ms mark', async (t) => {
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
        upstreams: { mute: { servers: [`https://127.0.0.1:${(mute.address() as AddressInfo).port}`], timeouts: { connect: 200, read: 5000 } } },
        locations: { '/': 'mute' },
      });
      const events: string[] = [];
      const mark = setTimeout(() => events.push('600 ms mark'), 600);
      t.after(() => clearTimeout(mark));
      const answer = await call(`${proxy.url}/`);
      events.push(`client got ${answer.status}`);
      assert.deepEqual(events, ['client got 504']);
      assert.equal(proxy.switchyard.status().upstreams.mute!.servers[0]!.fails, 1);
    });
  });
}
