/** @module reply.proxyTo outside a proxyBodies scope: the bytes the client sent go upstream (a JSON body is not re-serialised, a form is not turned into JSON), handler() routes take bodies their scope cannot parse, and a 415 or a re-serialised body is explained once. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Backend } from '../helpers/backends.js';
import { backendsFor } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';

/** A backend that answers what it received: body (base64, to compare bytes), its content type and length. */
async function echoBackend(t: TestContext): Promise<Backend> {
  const [backend] = await backendsFor(t, 1);
  backend!.handle((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      res.end(
        JSON.stringify({
          body: Buffer.concat(chunks).toString('base64'),
          type: req.headers['content-type'],
          length: req.headers['content-length'],
        }),
      ),
    );
  });
  return backend!;
}

interface Echoed {
  body: string;
  type: string | undefined;
  length: string | undefined;
}

function echoed(text: string): Echoed & { bytes: Buffer } {
  const parsed = JSON.parse(text) as Echoed;
  return { ...parsed, bytes: Buffer.from(parsed.body, 'base64') };
}

/** Fastify's log lines, parsed; only switchyard's warnings are kept. */
function warnings(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { level: number; msg: string };
        if (entry.level === 40 && entry.msg.startsWith('switchyard:')) lines.push(entry.msg);
      }
      done();
    },
  });
  return { lines, stream };
}

const JSON_TEXT = '{"a": 1,  "b":[1,2]}';
const FORM_TEXT = 'a=1&b=%E2%9C%93&b=2&empty=';

describe('reply.proxyTo bodies without proxyBodies', () => {
  it('a JSON body arrives byte for byte as the client sent it (the app still sees it parsed)', async (t) => {
    const backend = await echoBackend(t);
    const seen: unknown[] = [];
    const { url } = await startApp(t, { upstreams: { b: [backend.url] } }, (app) => {
      app.post('/hook', (req, reply) => {
        seen.push(req.body);
        return reply.proxyTo('b');
      });
    });
    const res = await call(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON_TEXT });
    assert.equal(res.status, 200);
    const got = echoed(res.body);
    assert.equal(got.bytes.toString('utf8'), JSON_TEXT);
    assert.equal(got.type, 'application/json; charset=utf-8');
    assert.equal(got.length, String(Buffer.byteLength(JSON_TEXT)));
    assert.deepEqual(seen, [{ a: 1, b: [1, 2] }]);
  });

  it('a form body parsed by the app arrives as sent, with its own content type (not as JSON)', async (t) => {
    const backend = await echoBackend(t);
    const { url } = await startApp(t, { upstreams: { b: [backend.url] } }, (app) => {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
        done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      app.post('/form', (_req, reply) => reply.proxyTo('b'));
    });
    const res = await call(`${url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FORM_TEXT });
    const got = echoed(res.body);
    assert.equal(got.bytes.toString('utf8'), FORM_TEXT);
    assert.equal(got.type, 'application/x-www-form-urlencoded');
  });

  it('app.switchyard.handler() routes take a form no parser of their scope knows: no 415, the hooks see the real headers', async (t) => {
    const backend = await echoBackend(t);
    const hookSaw: Array<string | undefined> = [];
    let appRef: FastifyInstance | undefined;
    const { url } = await startApp(t, { upstreams: { b: [backend.url] } }, (app) => {
      appRef = app;
      app.addHook('preHandler', async (req) => {
        hookSaw.push(`${req.headers['content-type']} ${req.headers['content-length']}`);
      });
      app.post('/form', app.switchyard.handler('b'));
      app.post('/own', async (req) => ({ own: req.body }));
    });
    assert.ok(appRef);
    for (const body of [FORM_TEXT, Buffer.from([0, 255, 1, 254])]) {
      const type = typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/octet-stream';
      const res = await call(`${url}/form`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, 200, res.body);
      const got = echoed(res.body);
      assert.deepEqual(got.bytes, Buffer.from(body));
      assert.equal(got.type, type);
    }
    // JSON is still parsed on that route (and teed): same bytes upstream.
    const json = echoed((await call(`${url}/form`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON_TEXT })).body);
    assert.equal(json.bytes.toString('utf8'), JSON_TEXT);
    assert.deepEqual(hookSaw, [`application/x-www-form-urlencoded ${FORM_TEXT.length}`, 'application/octet-stream 4', `application/json ${JSON_TEXT.length}`]);
    // The app's own routes parse as before: JSON parsed, a form refused with Fastify's 415.
    assert.deepEqual(JSON.parse((await call(`${url}/own`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON_TEXT })).body), {
      own: { a: 1, b: [1, 2] },
    });
    const refused = await call(`${url}/own`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FORM_TEXT });
    assert.equal(refused.status, 415);
    assert.equal((JSON.parse(refused.body) as { code: string }).code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE');
  });

  it('an inline reply.proxyTo route whose scope cannot parse the body: Fastify 415, explained once in the log', async (t) => {
    const backend = await echoBackend(t);
    const { lines, stream } = warnings();
    const { url } = await startApp(
      t,
      { upstreams: { b: [backend.url] } },
      (app) => {
        app.post('/inline', (_req, reply) => reply.proxyTo('b'));
        app.post('/own', async () => 'own');
      },
      { logger: { level: 'warn', stream } },
    );
    for (let i = 0; i < 2; i++) {
      const res = await call(`${url}/inline`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FORM_TEXT });
      assert.equal(res.status, 415);
    }
    // A route that does not proxy gets no hint.
    assert.equal((await call(`${url}/own`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' })).status, 415);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /^switchyard: POST \/inline answered 415: .*"application\/x-www-form-urlencoded".*register proxyBodies/);
    assert.equal(backend.seen.length, 0);
  });

  it('a parsed body too large to tee is re-serialised, and that is said once', async (t) => {
    const backend = await echoBackend(t);
    const { lines, stream } = warnings();
    const { url } = await startApp(
      t,
      { upstreams: { b: [backend.url] } },
      (app) => {
        app.post('/big', (_req, reply) => reply.proxyTo('b'));
      },
      { logger: { level: 'warn', stream } },
    );
    const big = `{"pad": "${'x'.repeat(70_000)}",  "n": 1}`;
    for (let i = 0; i < 2; i++) {
      const got = echoed((await call(`${url}/big`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).body);
      assert.equal(got.bytes.toString('utf8'), JSON.stringify(JSON.parse(big)));
    }
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /^switchyard: POST \/big forwarded the body your parser made, re-serialised as JSON .*register proxyBodies/);
  });

  it('a GET body and a proxyBodies scope are untouched by the tee', async (t) => {
    const backend = await echoBackend(t);
    const { proxyBodies } = await import('@switchyard/fastify');
    const { url } = await startApp(t, { upstreams: { b: [backend.url] } }, async (app) => {
      app.get('/search', (_req, reply) => reply.proxyTo('b'));
      await app.register(async (scope) => {
        await scope.register(proxyBodies);
        scope.post('/raw/*', (_req, reply) => reply.proxyTo('b'));
      });
    });
    const get = echoed((await call(`${url}/search`, { method: 'GET', headers: { 'content-type': 'application/json' }, body: JSON_TEXT })).body);
    assert.equal(get.bytes.toString('utf8'), JSON_TEXT);
    const raw = echoed((await call(`${url}/raw/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON_TEXT })).body);
    assert.equal(raw.bytes.toString('utf8'), JSON_TEXT);
  });
});
