/** @module Error answers are one plain line on both adapters: an upstream that cuts its body before the first byte gives a 502 line (Fastify answered with undici's JSON error), after it a cut connection. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { behaviours, startRawBackend, type RawBehaviour } from '../reliability/support/raw-backend.js';
import { rawSend, headerValue } from '../reliability/support/raw-client.js';

guardProcess();
const drivers = await loadDrivers();

const CUT_BEFORE_BODY: Array<[string, RawBehaviour]> = [
  [
    'Content-Length 1000, closed before a byte',
    behaviours.raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: yes\r\nContent-Length: 1000\r\n\r\n'),
  ],
  [
    'chunked, closed before a chunk',
    behaviours.raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: yes\r\nTransfer-Encoding: chunked\r\n\r\n'),
  ],
  [
    'Content-Length 1000, reset before a byte',
    (_req, conn) => {
      conn.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: yes\r\nContent-Length: 1000\r\n\r\n');
      setTimeout(() => conn.reset(), 30).unref();
    },
  ],
];

for (const driver of drivers) {
  describe(`error bodies, ${driver.name}`, () => {
    for (const [what, behaviour] of CUT_BEFORE_BODY) {
      test(`upstream ${what}: one plain-text 502 line, none of the upstream's headers`, async () => {
        const backend = await startRawBackend('cut', behaviour);
        const proxy = await driver.start({ upstreams: { app: { servers: [{ url: backend.url, maxFails: 0 }] } }, locations: { '/': 'app' } });
        try {
          const out = await rawSend(proxy.port, 'GET /x HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n', { maxMs: 4000 });
          const res = out.responses[0];
          assert.ok(res, 'an answer');
          assert.equal(res.status, 502);
          assert.equal(res.body.toString(), '502 Bad Gateway: upstream connection failed\n');
          assert.match(headerValue(res, 'content-type') ?? '', /^text\/plain/);
          assert.equal(headerValue(res, 'x-upstream'), undefined);
        } finally {
          await proxy.close();
          await backend.stop();
        }
      });
    }

    test('upstream resets after part of the body: the client connection is cut, never a 502 or JSON appended', async () => {
      const backend = await startRawBackend('cut', behaviours.resetMidBody(1000, 300, 'a'));
      const proxy = await driver.start({ upstreams: { app: { servers: [{ url: backend.url, maxFails: 0 }] } }, locations: { '/': 'app' } });
      try {
        const out = await rawSend(proxy.port, 'GET /x HTTP/1.1\r\nHost: proxy\r\n\r\n', { maxMs: 4000 });
        assert.equal(out.closed, true);
        assert.equal(out.responses.length, 1);
        assert.equal(out.responses[0]?.status, 200);
        assert.equal(out.responses[0]?.truncated, true);
        assert.match(out.responses[0]?.body.toString() ?? '', /^a+$/);
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });
  });
}
