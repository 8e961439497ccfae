/** @module reply.proxyTo from the app's own routes: prefix stripping, parsed bodies, scope, errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendsFor } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';

describe('reply.proxyTo', () => {
  it('proxies an app route to a pool, stripping the route prefix, round robin', async (t) => {
    const backends = await backendsFor(t, 2);
    const { url, app } = await startApp(t, { upstreams: { backend: backends.map((b) => b.url) } }, (app) => {
      app.get('/api/*', (_req, reply) => reply.proxyTo('backend', { rewritePrefix: '/' }));
      app.get('/keep/*', async (_req, reply) => reply.proxyTo('backend'));
    });
    assert.equal((await call(`${url}/api/users?id=7`)).body, 'Server 1');
    assert.equal((await call(`${url}/api/users/9`)).body, 'Server 2');
    assert.equal((await call(`${url}/keep/x?y=1`)).body, 'Server 1');
    assert.deepEqual(backends.flatMap((b) => b.seen.map((s) => `${b.name} ${s.url}`)).sort(), [
      'Server 1 /keep/x?y=1',
      'Server 1 /users?id=7',
      'Server 2 /users/9',
    ]);
    const servers = app.switchyard.status().upstreams.backend!.servers;
    assert.deepEqual(
      servers.map((s) => s.requests),
      [2, 1],
    );
  });

  it('forwards a body the app parsed (JSON) as the client sent it, with a correct length', async (t) => {
    const [backend] = await backendsFor(t, 1);
    backend!.handle((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => res.end(JSON.stringify({ body, length: req.headers['content-length'], type: req.headers['content-type'] })));
    });
    const { url } = await startApp(t, { upstreams: { backend: [backend!.url] } }, (app) => {
      app.post('/orders', (req, reply) => {
        assert.deepEqual(req.body, { id: 1, items: ['a', 'b'] });
        return reply.proxyTo('backend');
      });
    });
    const answer = await call(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ "id": 1,\n "items": ["a", "b"] }' });
    const seen = JSON.parse(answer.body) as { body: string; length: string; type: string };
    assert.equal(seen.body, '{ "id": 1,\n "items": ["a", "b"] }');
    assert.equal(Number(seen.length), Buffer.byteLength(seen.body));
    assert.equal(seen.type, 'application/json');
  });

  it('refuses a path that leaves the route prefix once normalised', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { url } = await startApp(t, { upstreams: { backend: [backend!.url] } }, (app) => {
      app.get('/api/*', (_req, reply) => reply.proxyTo('backend', { rewritePrefix: '/' }));
    });
    const answer = await call(`${url}/api/%2e%2e/admin`);
    assert.equal(answer.status, 404);
    assert.equal(backend!.seen.length, 0);
  });

  it('answers an unknown upstream with a plain 500, the pool names only in the log', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const logged: string[] = [];
    const stream = { write: (line: string) => void logged.push(line) };
    const { url } = await startApp(
      t,
      { upstreams: { backend: [backend!.url] } },
      (app) => {
        app.get('/x', (_req, reply) => reply.proxyTo('nope'));
      },
      { logger: { level: 'info', stream } },
    );
    const answer = await call(`${url}/x`);
    assert.equal(answer.status, 500);
    assert.equal(answer.body, 'Internal Server Error\n');
    const errors = logged.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.msg, /unknown upstream "nope" \(known: backend\)/);
  });
});
