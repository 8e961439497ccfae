/** @module Reliability: protocol hygiene — hop-by-hop headers, X-Forwarded-*, request smuggling, malformed upstream responses, oversized headers (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { behaviours, headerOf, headersOf, response, startRawBackend, type RawBackend, type RawBehaviour } from './support/raw-backend.js';
import { headerValue, rawSend } from './support/raw-client.js';
import { pool, send, startProxy, sumOf, totalRequests } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

async function raw(t: { after(fn: () => Promise<void>): void }, behaviour: RawBehaviour | undefined, count = 1): Promise<RawBackend[]> {
  const list: RawBackend[] = [];
  for (let i = 0; i < count; i++) list.push(await startRawBackend(`H${i + 1}`, behaviour));
  t.after(async () => {
    await Promise.all(list.map((b) => b.stop()));
  });
  return list;
}

const REQUEST_HOP = ['keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'x-secret'];

/** Smuggling attempts: each must be refused, and `/smuggled` must never reach an upstream. */
const SMUGGLING: Array<[string, string]> = [
  [
    'CL and TE together',
    'POST /a HTTP/1.1\r\nHost: p\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  ],
  [
    'TE and CL together',
    'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\nContent-Length: 45\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  ],
  ['two different Content-Length', 'POST /a HTTP/1.1\r\nHost: p\r\nContent-Length: 0\r\nContent-Length: 38\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  ['Content-Length list', 'POST /a HTTP/1.1\r\nHost: p\r\nContent-Length: 0, 38\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  ['signed Content-Length', 'POST /a HTTP/1.1\r\nHost: p\r\nContent-Length: +38\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  [
    'space before the colon',
    'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding : chunked\r\nContent-Length: 38\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  ],
  ['obfuscated TE (xchunked)', 'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  ['TE chunked, identity', 'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  [
    'two TE headers',
    'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  ],
  [
    'TE by obs-fold',
    'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 38\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  ],
  ['bare LF in chunk size', 'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  ['bad chunk size', 'POST /a HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
  ['header name with a space', 'POST /a HTTP/1.1\r\nHost: p\r\nContent Length: 38\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n'],
];

/** Upstream responses that are not valid HTTP/1.1: each must become a 502 counted as a failure. */
const MALFORMED: Array<[string, string]> = [
  ['garbage instead of a status line', 'HELLO WORLD\r\n\r\n'],
  ['status code out of range', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'],
  ['header without a colon', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nNoColonHere\r\n\r\nok'],
  ['control character in a header value', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Bad: a\x01b\r\n\r\nok'],
  ['CL and TE together', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
  ['two different Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok'],
  ['oversized headers (96 KiB)', `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Huge: ${'h'.repeat(96 * 1024)}\r\n\r\nok`],
  ['DEL character in a header value', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Del: a\x7fb\r\n\r\nok'],
  ['obs-fold in a header', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Fold: a\r\n b\r\n\r\nok'],
];

function wsKey(): string {
  return Buffer.from('0123456789abcdef').toString('base64');
}

for (const driver of drivers) {
  describe(`protocol hygiene (${driver.name})`, () => {
    test('hop-by-hop request headers, and those named in Connection, never reach the upstream; X-Forwarded-* survive', async (t) => {
      const [up] = await raw(t, undefined);
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      const ex = await rawSend(
        proxy.port,
        'GET /hop HTTP/1.1\r\nHost: client.example\r\n' +
          'Connection: keep-alive, X-Secret, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, Host\r\n' +
          'X-Secret: s3cret\r\nKeep-Alive: timeout=99\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\n' +
          'X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nX-Kept: yes\r\n\r\n',
        { responses: 1 },
      );
      assert.equal(ex.responses[0]?.status, 200, ex.data.toString('latin1'));
      const got = up!.requests[0]!;
      for (const name of REQUEST_HOP) assert.equal(headerOf(got, name), undefined, `${name} crossed the proxy`);
      const connection = headersOf(got, 'connection').join(',').toLowerCase();
      assert.ok(!/x-secret|x-forwarded|h2c/.test(connection), `client Connection tokens crossed: ${connection}`);
      assert.equal(headerOf(got, 'x-kept'), 'yes');
      assert.deepEqual(headersOf(got, 'x-forwarded-for'), ['127.0.0.1'], 'untrusted XFF replaced by the peer address');
      assert.deepEqual(headersOf(got, 'x-forwarded-proto'), ['http']);
      assert.deepEqual(headersOf(got, 'x-forwarded-host'), ['client.example']);
      assert.equal(headersOf(got, 'host').length, 1, 'exactly one Host upstream');
    });

    test('X-Forwarded-For cannot be spoofed from an untrusted peer, and is extended for a trusted one', async (t) => {
      const [up] = await raw(t, undefined);
      const untrusted = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      await send(`${untrusted.url}/x`, { headers: { 'x-forwarded-for': '1.2.3.4, 5.6.7.8', 'x-forwarded-proto': 'https' } });
      const trusted = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' }, trustProxy: ['127.0.0.1'] });
      await send(`${trusted.url}/x`, { headers: { 'x-forwarded-for': '1.2.3.4' } });
      assert.equal(up!.requests.length, 2);
      assert.deepEqual(headersOf(up!.requests[0]!, 'x-forwarded-for'), ['127.0.0.1']);
      assert.deepEqual(headersOf(up!.requests[0]!, 'x-forwarded-proto'), ['http']);
      assert.deepEqual(headersOf(up!.requests[1]!, 'x-forwarded-for'), ['1.2.3.4, 127.0.0.1']);
    });

    test('hop-by-hop response headers, and those named in Connection, never reach the client', async (t) => {
      const [up] = await raw(
        t,
        behaviours.ok('resp', {
          connection: 'X-Internal, keep-alive',
          'x-internal': 'leak',
          'keep-alive': 'timeout=99, max=7',
          'proxy-connection': 'keep-alive',
          upgrade: 'h2c',
          trailer: 'X-T',
          'x-public': 'ok',
        }),
      );
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      const ex = await rawSend(proxy.port, 'GET /resp HTTP/1.1\r\nHost: c\r\n\r\n', { responses: 1 });
      const res = ex.responses[0]!;
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'resp');
      assert.equal(headerValue(res, 'x-internal'), undefined);
      assert.equal(headerValue(res, 'proxy-connection'), undefined);
      assert.equal(headerValue(res, 'upgrade'), undefined);
      assert.equal(headerValue(res, 'trailer'), undefined);
      assert.ok(!(headerValue(res, 'keep-alive') ?? '').includes('max=7'), 'the upstream Keep-Alive crossed');
      assert.ok(!/x-internal/i.test(headerValue(res, 'connection') ?? ''), 'upstream Connection tokens crossed');
      assert.equal(headerValue(res, 'x-public'), 'ok');
    });

    for (const [name, bytes] of SMUGGLING) {
      test(`smuggling refused: ${name}`, async (t) => {
        const [up] = await raw(t, undefined);
        const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
        const ex = await rawSend(proxy.port, bytes, { maxMs: 3000 });
        const statuses = ex.responses.map((r) => r.status);
        assert.ok(statuses.length <= 1, `at most one response on that connection, got ${statuses.join(',')}`);
        assert.ok(
          statuses.every((s) => s === 400),
          `refused with 400 (got ${statuses.join(',') || 'nothing'})`,
        );
        assert.ok(!up!.requests.some((r) => r.target.includes('smuggled')), 'the smuggled request reached the upstream');
        assert.equal(up!.requests.length, 0, 'nothing reached the upstream');
        assert.equal(up!.parseErrors, 0);
        // The proxy still serves a normal request afterwards.
        assert.equal((await send(`${proxy.url}/after`)).status, 200);
      });
    }

    test('obs-fold in an ordinary header is refused or unfolded, never forwarded as a line break', async (t) => {
      const [up] = await raw(t, undefined);
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      const ex = await rawSend(proxy.port, 'GET /fold HTTP/1.1\r\nHost: p\r\nX-Folded: a\r\n b\r\n\r\n', { responses: 1, maxMs: 3000 });
      const status = ex.responses[0]?.status;
      if (status === 400) {
        assert.equal(up!.requests.length, 0);
      } else {
        assert.equal(status, 200);
        assert.equal(up!.requests.length, 1);
        assert.ok(!/[\r\n]/.test(headerOf(up!.requests[0]!, 'x-folded') ?? ''), 'no line break in a forwarded value');
      }
      assert.equal(up!.parseErrors, 0);
    });

    test('a request body that looks like a request is forwarded as one body, framed correctly', async (t) => {
      const [up] = await raw(t, undefined);
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      const inner = 'GET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n';
      const ex = await rawSend(
        proxy.port,
        `POST /outer HTTP/1.1\r\nHost: p\r\nContent-Type: application/octet-stream\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`,
        { responses: 1 },
      );
      assert.equal(ex.responses[0]?.status, 200);
      assert.equal(up!.requests.length, 1);
      assert.equal(up!.requests[0]!.target, '/outer');
      assert.equal(up!.requests[0]!.body.toString('latin1'), inner);
      assert.equal(up!.parseErrors, 0);
    });

    test('an upstream that sends more bytes than its Content-Length cannot splice a response into the next request', async (t) => {
      const liar: RawBehaviour = (req, conn) => {
        if (req.target === '/first') conn.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nspliced');
        else conn.write(response(200, `honest ${req.target}`));
      };
      const [up] = await raw(t, liar);
      const proxy = await startProxy(t, driver, { upstreams: { pool: [{ url: up!.url, maxFails: 0 }] }, locations: { '/': 'pool' } });
      const first = await send(`${proxy.url}/first`);
      assert.equal(first.status, 200);
      assert.equal(first.body.toString(), 'ok');
      for (const path of ['/second', '/third']) {
        const res = await send(`${proxy.url}${path}`);
        assert.ok(!res.body.toString().includes('spliced'), `${path} got the spliced bytes`);
        if (res.status === 200) assert.equal(res.body.toString(), `honest ${path}`);
      }
    });

    for (const [name, bytes] of MALFORMED) {
      test(`malformed upstream response -> 502 counted as a failure: ${name}`, async (t) => {
        const list = await raw(t, behaviours.raw(bytes), 2);
        const proxy = await startProxy(t, driver, {
          upstreams: { pool: { servers: pool(list, { maxFails: 1 }), retry: { tries: 1 } } },
          locations: { '/': 'pool' },
        });
        const res = await send(`${proxy.url}/bad`);
        assert.equal(res.status, 502, res.body.toString());
        assert.equal(totalRequests(list), 1);
        assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 1);
        assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
      });
    }

    test('a 101 without a valid Sec-WebSocket-Accept -> 502 counted as a failure', async (t) => {
      const list = await raw(t, behaviours.raw('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', false), 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: pool(list, { maxFails: 1 }), retry: { tries: 1 } } },
        locations: { '/': 'pool' },
      });
      const key = wsKey();
      const ex = await rawSend(
        proxy.port,
        `GET /ws HTTP/1.1\r\nHost: p\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        { responses: 1, maxMs: 3000 },
      );
      assert.equal(ex.responses[0]?.status, 502, ex.data.toString('latin1'));
      assert.equal(totalRequests(list), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'fails'), 1);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
      // Sanity: the key the proxy would have needed.
      assert.equal(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64').length, 28);
    });

    for (const [name, value] of [
      ['DEL', 'a\x7fb'],
      ['obs-text', 'caf\xe9\xff'],
      ['a tab inside', 'a\tb'],
      ['nothing', ''],
    ] as const) {
      test(`a request header value with ${name} is forwarded intact or refused, never crashes`, async (t) => {
        const [up] = await raw(t, undefined);
        const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
        const ex = await rawSend(proxy.port, Buffer.from(`GET /hv HTTP/1.1\r\nHost: p\r\nX-Odd: ${value}\r\n\r\n`, 'latin1'), { responses: 1, maxMs: 3000 });
        const status = ex.responses[0]?.status;
        assert.ok(status === 200 || status === 400, `got ${status ?? 'no answer'}: ${ex.data.toString('latin1').slice(0, 200)}`);
        if (status === 200) assert.equal(headerOf(up!.requests[0]!, 'x-odd'), value);
        else assert.equal(up!.requests.length, 0);
        assert.equal((await send(`${proxy.url}/after`)).status, 200);
      });
    }

    test('oversized request headers are refused without touching an upstream', async (t) => {
      const [up] = await raw(t, undefined);
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up!.url] }, locations: { '/': 'pool' } });
      const ex = await rawSend(proxy.port, `GET /big HTTP/1.1\r\nHost: p\r\nX-Big: ${'b'.repeat(40 * 1024)}\r\n\r\n`, { maxMs: 3000 });
      assert.ok(
        ex.responses.every((r) => r.status === 431 || r.status === 400),
        ex.data.toString('latin1').slice(0, 200),
      );
      assert.equal(up!.connections, 0, 'no upstream connection');
      assert.equal((await send(`${proxy.url}/after`)).status, 200);
    });
  });
}
