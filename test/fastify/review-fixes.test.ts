/** @module Regressions from review: a 204 counts as a success; request bodies on GET/HEAD reach the upstream. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { backendsFor } from '../adapters/support/setup.js';
import { call, waitFor, type Answer } from '../adapters/support/http.js';
import { startApp } from './support.js';

/** Answers JSON describing the request body it received. */
function echoBody(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        body: body.length > 1000 ? `${body.length} bytes` : body.toString('utf8'),
        length: req.headers['content-length'],
        chunked: req.headers['transfer-encoding'],
        type: req.headers['content-type'],
      }),
    );
  });
}

interface Echo {
  method: string;
  url: string;
  body: string;
  length?: string;
  chunked?: string;
  type?: string;
}

/** A request whose body is sent chunked (no Content-Length; Node only chunks a GET when told). */
function chunked(url: string, method: string, parts: string[]): Promise<Answer> {
  return call(url, { method, headers: { 'transfer-encoding': 'chunked' }, parts });
}

describe('fastify review fixes', () => {
  describe('204 responses', () => {
    it('records a 204 as a 2xx success, not a client abort', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => {
        res.statusCode = 204;
        res.end();
      });
      const { url, app } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      for (let i = 0; i < 2; i++) {
        const answer = await call(`${url}/x`);
        assert.equal(answer.status, 204);
        assert.equal(answer.body, '');
      }
      const server = () => app.switchyard.status().upstreams.backend!.servers[0]!;
      await waitFor(() => server().active === 0);
      assert.equal(server().requests, 2);
      assert.equal(server().responses['2xx'], 2);
      assert.equal(server().fails, 0);
    });

    it('records the response times of a 204 (what least-time learns from)', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => {
        setTimeout(() => {
          res.statusCode = 204;
          res.end();
        }, 20);
      });
      const { url, app } = await startApp(t, {
        upstreams: { backend: { servers: [backend!.url], balance: 'least-time' } },
        locations: { '/': 'backend' },
      });
      assert.equal((await call(`${url}/x`)).status, 204);
      const server = () => app.switchyard.status().upstreams.backend!.servers[0]!;
      await waitFor(() => server().active === 0);
      // Averages over successes only: a 204 released as an abort leaves them at 0.
      assert.ok(server().headerMs > 0, `headerMs ${server().headerMs}`);
      assert.ok(server().totalMs > 0, `totalMs ${server().totalMs}`);
    });
  });

  describe('request bodies on bodyless methods', () => {
    it('forwards a GET body with its length (location route)', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const answer = await call(`${url}/x`, { body: 'hello' });
      assert.equal(answer.status, 200);
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.method, seen.url, seen.body, seen.length], ['GET', '/x', 'hello', '5']);
    });

    it('forwards a JSON GET body as is (search APIs)', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const query = '{"query":{"match_all":{}}}';
      const answer = await call(`${url}/idx/_search`, { headers: { 'content-type': 'application/json' }, body: query });
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.body, seen.length, seen.type], [query, String(query.length), 'application/json']);
    });

    it('forwards a chunked GET body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const answer = await chunked(`${url}/x`, 'GET', ['hel', 'lo ', 'world']);
      assert.equal(answer.status, 200);
      assert.equal((JSON.parse(answer.body) as Echo).body, 'hello world');
    });

    it('streams a GET body larger than 64 KiB', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url, app } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const big = Buffer.alloc(200 * 1024, 'a');
      const answer = await call(`${url}/x`, { body: big });
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.body, seen.length], [`${big.length} bytes`, String(big.length)]);
      await waitFor(() => app.switchyard.status().upstreams.backend!.servers[0]!.active === 0);
    });

    it('forwards a GET body through reply.proxyTo', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] } }, (app) => {
        app.get('/search/*', (_req, reply) => reply.proxyTo('backend', { rewritePrefix: '/' }));
      });
      const answer = await call(`${url}/search/idx`, { body: 'hello' });
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.url, seen.body, seen.length], ['/idx', 'hello', '5']);
    });

    it('resends a held GET body on a retry', async (t) => {
      const backends = await backendsFor(t, 2);
      for (const b of backends) b.handle(echoBody);
      await backends[0]!.stop();
      const { url } = await startApp(t, { upstreams: { backend: backends.map((b) => b.url) }, locations: { '/': 'backend' } });
      const answer = await call(`${url}/x`, { body: 'hello' });
      assert.equal(answer.status, 200);
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.body, seen.length], ['hello', '5']);
    });

    it('forwards a DELETE body without a content type', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const answer = await call(`${url}/x`, { method: 'DELETE', body: 'hello' });
      const seen = JSON.parse(answer.body) as Echo;
      assert.deepEqual([seen.method, seen.body, seen.length], ['DELETE', 'hello', '5']);
    });

    it('survives a client that aborts while sending a small GET body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url, app } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${url}/x`, { method: 'GET', agent: false, headers: { 'content-length': 10 } });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write('hello', () => setTimeout(() => req.destroy(), 20));
      });
      const answer = await call(`${url}/x`, { body: 'after' });
      assert.equal((JSON.parse(answer.body) as Echo).body, 'after');
      assert.deepEqual(backend!.seen.length, 1);
      assert.equal(app.switchyard.status().upstreams.backend!.servers[0]!.active, 0);
    });

    it('still sends a plain GET without any body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoBody);
      const { url } = await startApp(t, { upstreams: { backend: [backend!.url] }, locations: { '/': 'backend' } });
      const seen = JSON.parse((await call(`${url}/x`)).body) as Echo;
      assert.deepEqual([seen.body, seen.length, seen.chunked], ['', undefined, undefined]);
    });
  });
});
