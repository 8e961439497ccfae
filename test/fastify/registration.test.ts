/** @module Registering the plugin more than once: a second registration in one scope says what to do; instances in sibling encapsulated plugins each serve their own routes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import switchyard from '@switchyard/fastify';
import { backendsFor } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';

test('a second registration in the same scope is refused with what to do instead (not FST_ERR_DEC_ALREADY_PRESENT alone)', async (t) => {
  const [a, b] = await backendsFor(t, 2);
  const app = Fastify();
  t.after(() => app.close());
  await app.register(switchyard, { upstreams: { a: [a!.url] }, locations: { '/a/': 'a' } });
  await assert.rejects(
    async () => {
      await app.register(switchyard, { upstreams: { b: [b!.url] }, locations: { '/b/': 'b' } });
    },
    (err: Error) => {
      assert.equal(err.name, 'SwitchyardConfigError');
      assert.match(err.message, /^@switchyard\/fastify is already registered in this scope/);
      assert.match(err.message, /register it once with all your pools/);
      assert.match(err.message, /its own encapsulated plugin/);
      return true;
    },
  );
});

test('two instances in sibling encapsulated plugins: each serves its locations and proxyTo routes, and both close', async (t) => {
  const [a, b] = await backendsFor(t, 2);
  const app = Fastify();
  t.after(() => app.close());
  await app.register(async (scope) => {
    await scope.register(switchyard, { upstreams: { pool: [a!.url] }, locations: { '/a/': 'pool' } });
    scope.get('/to-a/*', (_req, reply) => reply.proxyTo('pool', { rewritePrefix: '/' }));
  });
  await app.register(async (scope) => {
    await scope.register(switchyard, { upstreams: { pool: [b!.url] }, locations: { '/b/': 'pool' } });
    scope.get('/to-b/*', (_req, reply) => reply.proxyTo('pool', { rewritePrefix: '/' }));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  assert.equal((await call(`${url}/a/x`)).body, a!.name);
  assert.equal((await call(`${url}/b/x`)).body, b!.name);
  assert.equal((await call(`${url}/to-a/y`)).body, a!.name);
  assert.equal((await call(`${url}/to-b/y`)).body, b!.name);
  assert.deepEqual([...a!.seen.map((s) => s.url), ...b!.seen.map((s) => s.url)], ['/a/x', '/y', '/b/x', '/y']);
});
