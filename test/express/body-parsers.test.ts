/** @module Bodies already consumed by express.json/urlencoded/text/raw are re-sent with a correct Content-Length, and retried; unparsed bodies stream through. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { startBackends, stopAll } from '../helpers/backends.js';
import { echo, send, startApp } from './support.js';

interface Echo {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function parsedApp(t: import('node:test').TestContext, count: number, upstream: object = {}) {
  const backends = await startBackends(count);
  t.after(() => stopAll(backends));
  for (const b of backends) b.handle(echo(b.name));
  const app = await startApp({ upstreams: { api: { servers: backends.map((b) => b.url), ...upstream } }, locations: { '/': 'api' } }, (a, lb) => {
    a.use(express.json());
    a.use(express.urlencoded({ extended: true }));
    a.use(express.text());
    a.use(express.raw({ type: 'application/octet-stream' }));
    a.use(lb);
  });
  t.after(() => app.close());
  return { backends, app };
}

test('express.json: the parsed body is re-serialised with its exact length', async (t) => {
  const { app } = await parsedApp(t, 1);
  const sent = { name: 'zoë', list: [1, 2, 3], nested: { ok: true } };
  const res = await send(`${app.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent, null, 2) });
  const got = JSON.parse(res.text) as Echo;
  assert.deepEqual(JSON.parse(got.body), sent);
  assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
  assert.equal(got.headers['transfer-encoding'], undefined);
  assert.equal(got.headers['content-type'], 'application/json');
});

test('express.json: a gzip-encoded body is sent decoded, without Content-Encoding', async (t) => {
  const { app } = await parsedApp(t, 1);
  const res = await send(`${app.url}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify({ a: 1 })),
  });
  const got = JSON.parse(res.text) as Echo;
  assert.equal(got.body, '{"a":1}');
  assert.equal(got.headers['content-encoding'], undefined);
  assert.equal(got.headers['content-length'], '7');
});

test('express.urlencoded (extended): nested fields survive the round trip', async (t) => {
  const { app } = await parsedApp(t, 1);
  const body = 'a=1&b%5Bc%5D=x+y&list=1&list=2&obj%5Bk%5D%5Bm%5D=%C3%A9';
  const res = await send(`${app.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const got = JSON.parse(res.text) as Echo;
  const reparsed = new URLSearchParams(got.body);
  assert.equal(reparsed.get('a'), '1');
  assert.equal(reparsed.get('b[c]'), 'x y');
  assert.deepEqual(reparsed.getAll('list'), ['1', '2']);
  assert.equal(reparsed.get('obj[k][m]'), 'é');
  assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
});

test('express.text and express.raw: bytes forwarded unchanged', async (t) => {
  const { app } = await parsedApp(t, 1);
  const text = await send(`${app.url}/t`, { method: 'PUT', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'héllo\nworld' });
  const gotText = JSON.parse(text.text) as Echo;
  assert.equal(gotText.body, 'héllo\nworld');
  assert.equal(gotText.headers['content-length'], String(Buffer.byteLength('héllo\nworld')));
  const raw = await send(`${app.url}/r`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('raw-bytes') });
  const gotRaw = JSON.parse(raw.text) as Echo;
  assert.equal(gotRaw.body, 'raw-bytes');
  assert.equal(gotRaw.headers['content-length'], '9');
});

test('a parsed JSON POST is retried on the next server after a 503 (nonIdempotent) with the same body', async (t) => {
  const { app, backends } = await parsedApp(t, 2, { retry: { on: ['error', 'timeout', 503], nonIdempotent: true } });
  const [first] = backends as [(typeof backends)[0]];
  const bodies: string[] = [];
  first.handle((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c));
    req.on('end', () => {
      bodies.push(b);
      res.statusCode = 503;
      res.end('busy');
    });
  });
  const res = await send(`${app.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":42}' });
  assert.equal(res.status, 200);
  const got = JSON.parse(res.text) as Echo;
  assert.equal(got.name, 'Server 2');
  assert.equal(got.body, '{"order":42}');
  assert.deepEqual(bodies, ['{"order":42}']);
});

test('a parsed JSON POST is retried when the first server refuses the connection', async (t) => {
  const { app, backends } = await parsedApp(t, 2);
  await backends[0]?.stop();
  const res = await send(`${app.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":7}' });
  assert.equal(res.status, 200);
  const got = JSON.parse(res.text) as Echo;
  assert.equal(got.name, 'Server 2');
  assert.equal(got.body, '{"order":7}');
});

test('without a parser: a small body is held and retried, a large one streams through intact', async (t) => {
  const backends = await startBackends(2);
  t.after(() => stopAll(backends));
  for (const b of backends) b.handle(echo(b.name));
  const app = await startApp({
    upstreams: { api: { servers: backends.map((b) => b.url), retry: { on: ['error', 503], nonIdempotent: true } } },
    locations: { '/': 'api' },
  });
  t.after(() => app.close());
  const [first, second] = backends as [(typeof backends)[0], (typeof backends)[0]];
  first.handle((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 503;
      res.end();
    });
  });
  const small = 'x'.repeat(10_000);
  const res = await send(`${app.url}/small`, { method: 'POST', headers: { 'content-type': 'application/x-custom' }, body: small });
  const got = JSON.parse(res.text) as Echo;
  assert.equal(got.name, 'Server 2');
  assert.equal(got.body, small);

  first.handle(echo(first.name));
  const large = Buffer.alloc(300_000, 'abcdefgh');
  const names: string[] = [];
  for (let i = 0; i < 2; i++) {
    const big = await send(`${app.url}/large`, { method: 'POST', headers: { 'content-type': 'application/x-custom' }, body: large });
    const echoed = JSON.parse(big.text) as Echo;
    names.push(echoed.name);
    assert.equal(echoed.body.length, large.length);
    assert.equal(echoed.body, large.toString());
    assert.equal(echoed.headers['content-length'], String(large.length));
  }
  // Server 1 failed (503 is in retry.on) and stays unavailable for failTimeout.
  assert.deepEqual(names, ['Server 2', 'Server 2']);
  assert.equal(second.seen.length, 3);
});

test('a chunked body of unknown length streams with chunked framing, also for DELETE', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  backends[0]?.handle(echo('Server 1'));
  const app = await startApp({ upstreams: { api: backends.map((b) => b.url) }, locations: { '/': 'api' } });
  t.after(() => app.close());
  const { request } = await import('node:http');
  const got = await new Promise<Echo>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: app.port, path: '/things/1', method: 'DELETE', agent: false, headers: { 'transfer-encoding': 'chunked' } },
      (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c));
        res.on('end', () => resolve(JSON.parse(b) as Echo));
      },
    );
    req.on('error', reject);
    req.write('part-one;');
    setTimeout(() => req.end('part-two'), 20);
  });
  assert.equal(got.method, 'DELETE');
  assert.equal(got.body, 'part-one;part-two');
  assert.equal(got.headers['transfer-encoding'], 'chunked');
});
