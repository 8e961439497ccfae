/** @module Express middleware wiring: next() for unmatched requests, the slash 301, the status route, proxyTo on mounted prefixes, plain node:http, configuration errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { switchyard } from '@switchyard/express';
import { startBackends, stopAll } from '../helpers/backends.js';
import { echo, listen, send, startApp } from './support.js';

test('app.use(lb) serves its locations and calls next() for the rest', async (t) => {
  const backends = await startBackends(2);
  t.after(() => stopAll(backends));
  const app = await startApp({ upstreams: { api: backends.map((b) => b.url) }, locations: { '/api/': 'api' } }, (a, lb) => {
    a.use(lb);
    a.get('/local', (_req, res) => {
      res.type('text/plain').send('local route');
    });
  });
  t.after(() => app.close());

  assert.equal((await send(`${app.url}/local`)).text, 'local route');
  const missing = await send(`${app.url}/nowhere`);
  assert.equal(missing.status, 404);
  const names = [];
  for (let i = 0; i < 4; i++) names.push((await send(`${app.url}/api/x`)).text);
  assert.deepEqual(names, ['Server 1', 'Server 2', 'Server 1', 'Server 2']);
  assert.equal(backends[0]?.seen.length, 2);
  assert.equal(backends[0]?.seen[0]?.url, '/api/x');
});

test('a prefix location ending in / answers the path without the slash with a 301', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const app = await startApp({ upstreams: { api: backends.map((b) => b.url) }, locations: { '/api/': 'api' } });
  t.after(() => app.close());
  const res = await send(`${app.url}/api?x=1`);
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/api/?x=1');
  assert.equal(backends[0]?.seen.length, 0);
});

test('the status route wins over a location that covers it', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const app = await startApp({ upstreams: { all: backends.map((b) => b.url) }, locations: { '/': 'all' }, status: { path: '/switchyard/status' } });
  t.after(() => app.close());
  await send(`${app.url}/hello`);
  const res = await send(`${app.url}/switchyard/status`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /application\/json/);
  const status = JSON.parse(res.text) as { upstreams: { all: { servers: Array<{ url: string; requests: number }> } } };
  assert.equal(status.upstreams.all.servers[0]?.url, backends[0]?.url);
  assert.equal(status.upstreams.all.servers[0]?.requests, 1);
  assert.deepEqual(
    backends[0]?.seen.map((s) => s.url),
    ['/hello'],
  );
});

test('proxyTo on a mounted prefix: original path by default, rewritten with rewritePrefix, never outside the prefix', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const [backend] = backends as [(typeof backends)[0]];
  backend.handle(echo('Server 1'));
  const app = await startApp({ upstreams: { api: [backend.url] } }, (a, lb) => {
    a.use('/keep', lb.proxyTo('api'));
    a.use('/v2', lb.proxyTo('api', { rewritePrefix: '/' }));
    a.use('/v3', lb.proxyTo('api', { rewritePrefix: '/internal/' }));
    const router = express.Router();
    router.use('/deep', lb.proxyTo('api', { rewritePrefix: '/' }));
    a.use('/outer', router);
  });
  t.after(() => app.close());

  const urlOf = async (path: string): Promise<string> => (JSON.parse((await send(app.url + path)).text) as { url: string }).url;
  assert.equal(await urlOf('/keep/users?id=1'), '/keep/users?id=1');
  assert.equal(await urlOf('/v2/users?id=1'), '/users?id=1');
  assert.equal(await urlOf('/v2'), '/');
  assert.equal(await urlOf('/v3/a/b'), '/internal/a/b');
  assert.equal(await urlOf('/outer/deep/x'), '/x');
  const seenBefore = backend.seen.length;
  const escape = await send(`${app.url}/v2/%2e%2e/admin`);
  assert.equal(escape.status, 404, 'left to the app (next()), as Fastify does with callNotFound()');
  assert.equal(backend.seen.length, seenBefore);
});

test('proxyTo validates at call time', async (t) => {
  const lb = switchyard({ upstreams: { api: ['http://127.0.0.1:1'] } });
  t.after(() => lb.close());
  assert.throws(() => lb.proxyTo('nope'), /proxyTo\("nope"\).*unknown upstream "nope"/);
  assert.throws(() => lb.proxyTo('api', { rewritePrefix: 'relative' }), /proxyTo\("api"\)/);
});

test('configuration errors throw at switchyard(), naming the field', () => {
  assert.throws(
    () => switchyard({ upstreams: { backend: { servers: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:2', weight: -1 }] } } }),
    /upstreams\.backend\.servers\[1\]\.weight/,
  );
  assert.throws(() => switchyard({ upstreams: { a: ['http://127.0.0.1:1'] }, locations: { '/': 'missing' } }), /locations/);
});

test('works as a plain node:http handler (no next: 404 for the rest)', async (t) => {
  const backends = await startBackends(2);
  t.after(() => stopAll(backends));
  const lb = switchyard({ upstreams: { api: backends.map((b) => b.url) }, locations: { '/api/': 'api' } });
  const app = await listen((req, res) => lb(req, res), lb);
  t.after(() => app.close());
  assert.deepEqual([(await send(`${app.url}/api/1`)).text, (await send(`${app.url}/api/2`)).text], ['Server 1', 'Server 2']);
  assert.equal((await send(`${app.url}/other`)).status, 404);
});
