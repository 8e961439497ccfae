/** @module Security: a client's Connection header can never remove the body's framing, so a body is never read upstream as a second request (both adapters, raw sockets). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { response, startRawBackend, type RawBackend, type RawBehaviour } from '../reliability/support/raw-backend.js';
import { rawSend } from '../reliability/support/raw-client.js';
import type { ProxyUnderTest } from '../adapters/driver.js';

guardProcess();
const drivers = await loadDrivers();

/** The request hidden in the body: outside every location, another Host, a spoofed client address. */
const SMUGGLED =
  'GET /internal/admin?drop=all HTTP/1.1\r\nHost: admin.internal\r\nX-Forwarded-For: 10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\nContent-Length: 0\r\n\r\n';

/** Answers with the path it was asked for; a smuggled request gets a slow answer, so a desync shows on the next client. */
const echoPath: RawBehaviour = async (req, conn) => {
  // sleep-ok: not a synchronisation: a smuggled request's answer is made late on purpose, so a desync would hand it to the next client.
  if (!req.target.startsWith('/public/')) await new Promise((resolve) => setTimeout(resolve, 150));
  conn.write(response(200, `answer for ${req.target}`));
};

async function withProxy(driverName: string, fn: (proxy: ProxyUnderTest, backend: RawBackend) => Promise<void>): Promise<void> {
  const driver = drivers.find((d) => d.name === driverName);
  assert.ok(driver);
  const backend = await startRawBackend('app', echoPath);
  const proxy = await driver.start({ upstreams: { app: [backend.url] }, locations: { '/public/': 'app' } });
  try {
    await fn(proxy, backend);
  } finally {
    await proxy.close();
    await backend.stop();
  }
}

function assertOnlyPublic(backend: RawBackend, expected: string[]): void {
  assert.equal(backend.parseErrors, 0, 'the upstream never saw unparseable bytes');
  assert.deepEqual(
    backend.requests.map((r) => r.target),
    expected,
    'exactly the client requests reached the upstream, nothing outside the location',
  );
}

/** The next client, on a new connection to the proxy (the upstream keep-alive connection is reused), gets its own answer. */
async function assertNextClientInSync(proxy: ProxyUnderTest): Promise<void> {
  const next = await rawSend(proxy.port, 'GET /public/next HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n', { responses: 1, maxMs: 4000 });
  assert.equal(next.responses[0]?.status, 200);
  assert.equal(next.responses[0]?.body.toString(), 'answer for /public/next');
}

const METHODS = ['GET', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH'];
const CONNECTION_FORMS = ['keep-alive, Content-Length', 'Content-Length', 'content-length, keep-alive, host, transfer-encoding'];

for (const driver of drivers) {
  describe(`request smuggling through Connection, ${driver.name}`, () => {
    for (const method of METHODS) {
      test(`${method} with Connection: keep-alive, Content-Length and a request as body: one upstream request, framed body, next client in sync`, async () => {
        await withProxy(driver.name, async (proxy, backend) => {
          const head = `${method} /public/x HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, Content-Length\r\nContent-Length: ${Buffer.byteLength(SMUGGLED)}\r\n\r\n`;
          const first = await rawSend(proxy.port, head + SMUGGLED, { responses: 1, maxMs: 4000 });
          assert.equal(first.responses[0]?.status, 200);
          assert.equal(first.responses[0]?.body.toString(), 'answer for /public/x');
          const seen = backend.requests[0];
          assert.ok(seen);
          assert.equal(seen.body.toString(), SMUGGLED, 'the body arrived as a body, with its length');
          await assertNextClientInSync(proxy);
          assertOnlyPublic(backend, ['/public/x', '/public/next']);
        });
      });
    }

    for (const connection of CONNECTION_FORMS) {
      test(`GET with Connection: ${connection}: the body keeps its Content-Length`, async () => {
        await withProxy(driver.name, async (proxy, backend) => {
          const head = `GET /public/x HTTP/1.1\r\nHost: proxy\r\nConnection: ${connection}\r\nContent-Length: ${Buffer.byteLength(SMUGGLED)}\r\n\r\n`;
          const first = await rawSend(proxy.port, head + SMUGGLED, { responses: 1, maxMs: 4000 });
          assert.equal(first.responses[0]?.status, 200);
          await assertNextClientInSync(proxy);
          assertOnlyPublic(backend, ['/public/x', '/public/next']);
          assert.equal(backend.requests[0]?.body.toString(), SMUGGLED);
        });
      });
    }

    test('a chunked GET body with Connection: Transfer-Encoding still goes chunked (or with its length)', async () => {
      await withProxy(driver.name, async (proxy, backend) => {
        const size = Buffer.byteLength(SMUGGLED).toString(16);
        const raw = `GET /public/x HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
        const first = await rawSend(proxy.port, raw, { responses: 1, maxMs: 4000 });
        assert.equal(first.responses[0]?.status, 200);
        await assertNextClientInSync(proxy);
        assertOnlyPublic(backend, ['/public/x', '/public/next']);
        assert.equal(backend.requests[0]?.body.toString(), SMUGGLED);
      });
    });

    test('a large (streamed) DELETE body with Connection: Content-Length keeps its framing', async () => {
      await withProxy(driver.name, async (proxy, backend) => {
        const filler = 'x'.repeat(70 * 1024);
        const body = filler + SMUGGLED;
        const head = `DELETE /public/x HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, Content-Length\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
        const first = await rawSend(proxy.port, [head, body], { responses: 1, maxMs: 4000 });
        assert.equal(first.responses[0]?.status, 200);
        await assertNextClientInSync(proxy);
        assertOnlyPublic(backend, ['/public/x', '/public/next']);
        assert.equal(backend.requests[0]?.body.length, Buffer.byteLength(body));
      });
    });

    // Ambiguous framing: Node's parser refuses it (400) or one framed request reaches the upstream; never two.
    const AMBIGUOUS: Array<[string, string]> = [
      ['Content-Length and Transfer-Encoding', `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
      ['two different Content-Length', `Content-Length: 0\r\nContent-Length: ${Buffer.byteLength(SMUGGLED)}\r\n\r\n${SMUGGLED}`],
      ['two equal Content-Length', `Content-Length: ${Buffer.byteLength(SMUGGLED)}\r\nContent-Length: ${Buffer.byteLength(SMUGGLED)}\r\n\r\n${SMUGGLED}`],
      ['a list Content-Length', `Content-Length: ${Buffer.byteLength(SMUGGLED)}, ${Buffer.byteLength(SMUGGLED)}\r\n\r\n${SMUGGLED}`],
      ['Transfer-Encoding: chunked, identity', `Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`],
      ['Transfer-Encoding with a space before the colon', `Transfer-Encoding : chunked\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`],
    ];
    for (const [what, rest] of AMBIGUOUS) {
      test(`GET with ${what}: refused or exactly one framed request upstream`, async () => {
        await withProxy(driver.name, async (proxy, backend) => {
          const raw = `GET /public/x HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, Content-Length\r\n${rest}`;
          const first = await rawSend(proxy.port, raw, { maxMs: 1500 });
          const statuses = first.responses.map((r) => r.status);
          assert.ok(statuses.length >= 1, 'the proxy answered');
          assert.ok(
            statuses.every((s) => s === 200 || s === 400),
            `answers: ${statuses.join(',')}`,
          );
          await assertNextClientInSync(proxy);
          assert.equal(backend.parseErrors, 0);
          const targets = backend.requests.map((r) => r.target);
          assert.ok(
            targets.every((t) => t.startsWith('/public/')),
            `upstream saw ${targets.join(', ')}`,
          );
          assert.equal(
            targets.filter((t) => t === '/public/x').length,
            statuses.filter((s) => s === 200).length,
            'one upstream request per answered client request',
          );
        });
      });
    }
  });
}
