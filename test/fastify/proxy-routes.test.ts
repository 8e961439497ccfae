/** @module `app.switchyard.handler()` and `proxyBodies`: proxy routes that forward any body, checked when made, and the hint for a handler that forgets `return reply.proxyTo(...)`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import switchyard, { proxyBodies } from '@switchyard/fastify';
import { backendsFor } from '../adapters/support/setup.js';
import { call, waitFor } from '../adapters/support/http.js';
import { startApp } from './support.js';

/** The backend answers what it received: content type, length and SHA-256 of the body. */
function echoDigest(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const hash = createHash('sha256');
  let length = 0;
  req.on('data', (c: Buffer) => {
    hash.update(c);
    length += c.length;
  });
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, type: req.headers['content-type'] ?? null, length, sha: hash.digest('hex') }));
  });
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function logCollector(): { lines: Array<{ level: number; msg: string; err?: unknown }>; stream: { write(line: string): void } } {
  const lines: Array<{ level: number; msg: string; err?: unknown }> = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) } };
}

describe('proxy routes: handler() and proxyBodies', () => {
  it('forwards urlencoded, octet-stream, multipart and a large streamed body from a proxyBodies scope; the app keeps its parsers', async (t) => {
    const [backend] = await backendsFor(t, 1);
    backend!.handle(echoDigest);
    const { url } = await startApp(t, { upstreams: { api: [backend!.url] } }, async (app) => {
      await app.register(async (proxied) => {
        await proxied.register(proxyBodies);
        proxied.post('/echo/*', app.switchyard.handler('api', { rewritePrefix: '/' }));
        proxied.put('/raw/*', (_req, reply) => reply.proxyTo('api'));
      });
      app.post('/own', async (req) => ({ parsed: req.body }));
    });
    const multipart = '--XyZ\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--\r\n';
    const large = Buffer.alloc(300 * 1024, 7);
    const cases: Array<{ path: string; method: string; type: string; body: string | Buffer }> = [
      { path: '/echo/form', method: 'POST', type: 'application/x-www-form-urlencoded', body: 'a=1&b=2' },
      { path: '/echo/bin', method: 'POST', type: 'application/octet-stream', body: Buffer.from([0, 1, 2, 255]) },
      { path: '/echo/upload', method: 'POST', type: 'multipart/form-data; boundary=XyZ', body: multipart },
      { path: '/raw/big', method: 'PUT', type: 'application/octet-stream', body: large },
      { path: '/echo/json', method: 'POST', type: 'application/json', body: '{"x": [1, 2]}' },
    ];
    for (const c of cases) {
      const answer = await call(`${url}${c.path}`, { method: c.method, headers: { 'content-type': c.type }, body: c.body });
      assert.equal(answer.status, 200, `${c.path}: ${answer.body}`);
      const got = JSON.parse(answer.body) as { type: string; length: number; sha: string; url: string };
      assert.deepEqual({ type: got.type, length: got.length, sha: got.sha }, { type: c.type, length: Buffer.byteLength(c.body), sha: sha(c.body) }, c.path);
    }
    assert.equal(JSON.parse((await call(`${url}/echo/form`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).body).url, '/form');
    // Outside the scope the app parses as before: JSON is parsed, a form is Fastify's 415.
    assert.deepEqual(JSON.parse((await call(`${url}/own`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).body), {
      parsed: { a: 1 },
    });
    assert.equal((await call(`${url}/own`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })).status, 415);
  });

  it('handler() refuses an unknown upstream or bad options when the route is made, naming the known pools', async (t) => {
    const app = Fastify();
    t.after(() => app.close());
    await app.register(switchyard, { upstreams: { api: ['http://127.0.0.1:9'] } });
    assert.throws(() => app.switchyard.handler('apii'), /app\.switchyard\.handler\("apii"\): unknown upstream "apii" \(known: api\)/);
    assert.throws(() => app.switchyard.handler('api', { rewritePrefix: 'no-slash' }), /rewritePrefix/);
    assert.equal(typeof app.switchyard.handler('api'), 'function');
  });

  it('an async handler that forgets `return reply.proxyTo()`: one hint per route, no AbortError noise', async (t) => {
    const [backend] = await backendsFor(t, 1);
    // The upstream answers after the handler has resolved, as any real one does.
    backend!.handle((_req, res) => setTimeout(() => res.end('late'), 50));
    const { lines, stream } = logCollector();
    const { url } = await startApp(
      t,
      { upstreams: { api: [backend!.url] } },
      (app) => {
        app.get('/forgot', async (_req, reply) => {
          reply.proxyTo('api');
        });
      },
      { logger: { level: 'info', stream } },
    );
    for (let i = 0; i < 3; i++) assert.equal((await call(`${url}/forgot`)).status, 200);
    // Every request's log is written once Fastify completed it: wait for the three.
    await waitFor(() => lines.filter((l) => l.msg === 'request completed').length === 3);
    const hints = lines.filter((l) => l.msg.includes('without returning it'));
    assert.equal(hints.length, 1);
    assert.match(hints[0]!.msg, /GET \/forgot .*return reply\.proxyTo/);
    assert.deepEqual(
      lines.filter((l) => l.level >= 40 && l !== hints[0]),
      [],
    );
    assert.equal(lines.filter((l) => JSON.stringify(l).includes('AbortError')).length, 0);
  });
});
