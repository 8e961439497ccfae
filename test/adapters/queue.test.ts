/** @module Scenario: the upstream queue at maxConns (NGINX Plus `queue`) on both adapters: a burst of 3x the pool's slots completes, in order, without a server ever above its maxConns; aborts leave the queue. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';
import type { Backend } from '../helpers/backends.js';

const MAX_CONNS = 2;

/** Backends that hold every request until `release()`, counting how many each holds at most at once. */
function holding(backends: Backend[]): { release: () => void; peak: Map<string, number>; held: () => number } {
  const waiting: Array<() => void> = [];
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  let open = false;
  for (const b of backends) {
    b.handle((_req, res, backend) => {
      const n = (now.get(backend.name) ?? 0) + 1;
      now.set(backend.name, n);
      peak.set(backend.name, Math.max(peak.get(backend.name) ?? 0, n));
      const answer = (): void => {
        now.set(backend.name, (now.get(backend.name) ?? 1) - 1);
        res.end(backend.name);
      };
      if (open) setImmediate(answer);
      else waiting.push(answer);
    });
  }
  return {
    release: () => {
      open = true;
      for (const answer of waiting.splice(0)) answer();
    },
    peak,
    held: () => waiting.length,
  };
}

for (const driver of drivers) {
  describe(`${driver.name}: queue at maxConns`, () => {
    it('a burst of 3x the slots: the extra requests wait, then all complete with 200, no server above maxConns', async (t) => {
      const backends = await backendsFor(t, 2);
      const gate = holding(backends);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: backends.map((b) => ({ url: b.url, maxConns: MAX_CONNS })), queue: { size: 20, timeout: '30s' } } },
        locations: { '/': 'app' },
      });
      const slots = MAX_CONNS * backends.length;
      const burst = Array.from({ length: 3 * slots }, (_, i) => call(`${proxy.url}/r${i}`));
      await waitFor(() => gate.held() === slots && proxy.switchyard.status().upstreams.app?.queue?.waiting === 2 * slots);
      gate.release();
      const answers = await Promise.all(burst);
      assert.deepEqual(
        answers.map((a) => a.status),
        answers.map(() => 200),
      );
      for (const b of backends) assert.equal(gate.peak.get(b.name), MAX_CONNS, `${b.name} never held more than maxConns`);
      assert.deepEqual(proxy.switchyard.status().upstreams.app?.queue, { size: 20, waiting: 0, total: 2 * slots, timedOut: 0, rejected: 0 });
      await waitFor(() => totalActive(proxy) === 0);
    });

    it('without a queue the same burst gets 502 for every request beyond the slots (nginx OSS)', async (t) => {
      const backends = await backendsFor(t, 2);
      const gate = holding(backends);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: backends.map((b) => ({ url: b.url, maxConns: MAX_CONNS })) } },
        locations: { '/': 'app' },
      });
      const slots = MAX_CONNS * backends.length;
      const held = Array.from({ length: slots }, (_, i) => call(`${proxy.url}/h${i}`));
      await waitFor(() => gate.held() === slots);
      const extra = await Promise.all(Array.from({ length: 2 * slots }, (_, i) => call(`${proxy.url}/x${i}`)));
      assert.deepEqual(
        extra.map((a) => a.status),
        extra.map(() => 502),
      );
      gate.release();
      for (const a of await Promise.all(held)) assert.equal(a.status, 200);
    });

    it('a full queue answers its status at once; a client that leaves gives its place up and never reaches a server', async (t) => {
      const backends = await backendsFor(t, 1);
      const gate = holding(backends);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [{ url: backends[0]!.url, maxConns: 1 }], queue: { size: 1, status: 503 } } },
        locations: { '/': 'app' },
      });
      const running = call(`${proxy.url}/running`);
      await waitFor(() => gate.held() === 1);
      // This one waits, and then its client goes away.
      const leaving = httpRequest(`${proxy.url}/leaving`, { agent: false });
      leaving.on('error', () => {});
      leaving.end();
      await waitFor(() => proxy.switchyard.status().upstreams.app?.queue?.waiting === 1);
      const full = await call(`${proxy.url}/full`);
      assert.equal(full.status, 503);
      assert.match(full.body, /upstream queue is full/);
      leaving.destroy();
      await waitFor(() => proxy.switchyard.status().upstreams.app?.queue?.waiting === 0);
      const next = call(`${proxy.url}/next`);
      await waitFor(() => proxy.switchyard.status().upstreams.app?.queue?.waiting === 1);
      gate.release();
      assert.equal((await running).status, 200);
      assert.equal((await next).status, 200);
      assert.deepEqual(
        backends[0]!.seen.map((s) => s.url),
        ['/running', '/next'],
        'the request whose client left was never sent',
      );
      assert.deepEqual(proxy.switchyard.status().upstreams.app?.queue, { size: 1, waiting: 0, total: 2, timedOut: 0, rejected: 1 });
    });
  });
}
