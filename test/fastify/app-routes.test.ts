/** @module The plugin leaves the app alone: its routes keep priority and parse bodies as before; unmatched paths get the app's 404. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendsFor } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';

describe('app routes next to locations', () => {
  it('keeps the app routes and body parsers, proxies the rest', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { url } = await startApp(t, { upstreams: { api: [backend!.url] }, locations: { '/api/': 'api', '~ \\.php$': 'api' } }, (app) => {
      app.addContentTypeParser('application/x-custom', { parseAs: 'string' }, (_req, body, done) => done(null, { custom: body }));
      app.post('/api/local', async (req) => ({ parsed: req.body }));
      app.post('/custom', async (req) => ({ parsed: req.body }));
      app.setNotFoundHandler((_req, reply) => reply.code(404).send('app 404'));
    });
    const json = await call(`${url}/api/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.deepEqual(JSON.parse(json.body), { parsed: { a: 1 } });
    const custom = await call(`${url}/custom`, { method: 'POST', headers: { 'content-type': 'application/x-custom' }, body: 'hi' });
    assert.deepEqual(JSON.parse(custom.body), { parsed: { custom: 'hi' } });
    assert.equal((await call(`${url}/api/other`)).body, 'Server 1');
    assert.equal((await call(`${url}/index.php`)).body, 'Server 1');
    const missing = await call(`${url}/nowhere`);
    assert.deepEqual([missing.status, missing.body], [404, 'app 404']);
    assert.deepEqual(
      backend!.seen.map((s) => s.url),
      ['/api/other', '/index.php'],
    );
  });

  it('rejects register with the core message for an invalid configuration', async () => {
    const { default: Fastify } = await import('fastify');
    const { default: switchyard } = await import('@switchyard/fastify');
    const app = Fastify();
    try {
      await assert.rejects(
        async () => {
          await app.register(switchyard, { upstreams: { app: [{ url: 'http://127.0.0.1:1', weight: -1 }] } });
          await app.ready();
        },
        (err: Error) => err.message.includes('upstreams.app.servers[0].weight'),
      );
    } finally {
      await app.close().catch(() => {});
    }
  });
});
