/** @module Scenario: onError answers switchyard's own errors (no live server 502, timeout 504, connection failure 502) with the app's JSON. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorHookContext, LocationHooks } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

function jsonErrors(log: ErrorHookContext[]): Pick<LocationHooks, 'onError'> {
  return {
    onError(ctx) {
      log.push(ctx);
      return {
        status: ctx.status === 504 ? 504 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'Content-Length': '1' },
        body: JSON.stringify({ error: ctx.reason, upstreamStatus: ctx.status }),
      };
    },
  };
}

for (const driver of drivers) {
  describe(`${driver.name}: onError hook`, () => {
    it('answers no live server with its JSON (reason no-live-upstream)', async (t) => {
      const log: ErrorHookContext[] = [];
      const [backend] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [{ url: backend!.url, down: true }], ...jsonErrors(log) } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/x`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      assert.equal(answer.status, 503);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.deepEqual(JSON.parse(answer.body), { error: 'no-live-upstream', upstreamStatus: 502 });
      assert.deepEqual(
        log.map((c) => [c.reason, c.status, c.request.method, c.request.url]),
        [['no-live-upstream', 502, 'POST', '/x']],
      );
      assert.equal(backend!.seen.length, 0);
    });

    it('answers an upstream timeout with its JSON (reason timeout, 504)', async (t) => {
      const log: ErrorHookContext[] = [];
      const [slow] = await backendsFor(t, 1);
      slow!.handle(() => {
        /* never answers; the test's cleanup destroys the socket */
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [slow!.url], timeouts: { read: '200ms' } } },
        locations: { '/': { upstream: 'app', ...jsonErrors(log) } },
      });
      const answer = await call(`${proxy.url}/slow`);
      assert.equal(answer.status, 504);
      assert.deepEqual(JSON.parse(answer.body), { error: 'timeout', upstreamStatus: 504 });
      assert.deepEqual(
        log.map((c) => c.reason),
        ['timeout'],
      );
      assert.equal(totalActive(proxy), 0);
    });

    it('answers a refused connection with its JSON (reason error, 502); without the hook the plain line stays', async (t) => {
      const log: ErrorHookContext[] = [];
      const [gone] = await backendsFor(t, 1);
      await gone!.stop();
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [gone!.url] },
        locations: { '/json/': { upstream: 'app', ...jsonErrors(log) }, '/plain/': 'app' },
      });
      const answer = await call(`${proxy.url}/json/x`);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers['content-length'], String(Buffer.byteLength(answer.body)));
      assert.deepEqual(JSON.parse(answer.body), { error: 'error', upstreamStatus: 502 });
      assert.deepEqual(
        log.map((c) => [c.reason, c.status]),
        [['error', 502]],
      );
      const plain = await call(`${proxy.url}/plain/x`);
      assert.equal(plain.status, 502);
      assert.match(plain.body, /^502 Bad Gateway/);
    });

    it('keeps the plain answer when onError returns undefined or throws', async (t) => {
      const [gone] = await backendsFor(t, 1);
      await gone!.stop();
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [gone!.url] },
        locations: {
          '/undefined/': { upstream: 'app', onError: () => undefined },
          '/throws/': {
            upstream: 'app',
            onError() {
              throw new Error('bad hook');
            },
          },
        },
      });
      for (const path of ['/undefined/x', '/throws/x']) {
        const answer = await call(`${proxy.url}${path}`);
        assert.equal(answer.status, 502, path);
        assert.match(answer.body, /^502 Bad Gateway/);
      }
    });
  });
}
