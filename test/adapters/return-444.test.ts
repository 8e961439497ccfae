/** @module Scenario: nginx's `return 444` on both adapters: the connection closed with no byte written, keep-alive neighbours on other connections untouched; on HTTP/2 (Fastify) only the stream is reset. */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as h2connect, constants, type ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import switchyardFastify from '@switchyard/fastify';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';

/** What the server sent on one connection, and how it ended, once it closed. */
interface Received {
  bytes: Buffer;
  /** `end` for a FIN from the server, else the socket error's code. */
  how: string;
}

/** Writes `text` on a new connection and collects every byte until the server closes. */
function exchange(port: number, text: string): Promise<Received> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    let how = 'end';
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (how = err.code ?? err.message));
    socket.on('close', () => resolve({ bytes: Buffer.concat(chunks), how }));
  });
}

/** A keep-alive connection that sends one request at a time and reads one Content-Length answer. */
function keepAlive(port: number): { socket: Socket; get(host: string): Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0);
  let waiting: ((answer: string) => void) | undefined;
  const tryAnswer = (): void => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0 || waiting === undefined) return;
    const head = buffer.subarray(0, end).toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (buffer.length < end + 4 + length) return;
    const answer = buffer.subarray(0, end + 4 + length).toString('latin1');
    buffer = buffer.subarray(end + 4 + length);
    const done = waiting;
    waiting = undefined;
    done(answer);
  };
  socket.on('data', (c: Buffer) => {
    buffer = Buffer.concat([buffer, c]);
    tryAnswer();
  });
  return {
    socket,
    get: (host) =>
      new Promise((resolve, reject) => {
        waiting = resolve;
        socket.once('close', () => reject(new Error('keep-alive connection closed')));
        socket.write(`GET /n HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      }),
  };
}

const SERVERS = (url: string) => ({
  upstreams: { app: [url] },
  servers: [
    { default: true, return: { status: 444 } },
    { names: ['app.test'], locations: { '/': 'app' } },
  ],
});

for (const driver of drivers) {
  describe(`${driver.name}: return 444`, () => {
    it('closes the connection without a byte; a pipelined request behind it is dropped with it; other keep-alive connections go on', async (t) => {
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, SERVERS(app!.url));
      const neighbour = keepAlive(proxy.port);
      t.after(() => neighbour.socket.destroy());
      assert.match(await neighbour.get('app.test'), /^HTTP\/1\.1 200 [^]*Server 1$/);

      const dropped = await exchange(proxy.port, 'GET /x HTTP/1.1\r\nHost: unknown.test\r\n\r\n');
      assert.deepEqual(dropped, { bytes: Buffer.alloc(0), how: 'end' });
      // Keep-alive with a second request already sent: nothing for either, as nginx closes the connection.
      const pipelined = await exchange(proxy.port, 'GET /a HTTP/1.1\r\nHost: nope.test\r\n\r\nGET /b HTTP/1.1\r\nHost: nope.test\r\n\r\n');
      assert.equal(pipelined.bytes.length, 0);
      const posted = await exchange(proxy.port, 'POST /form HTTP/1.1\r\nHost: nope.test\r\nContent-Length: 3\r\n\r\na=1');
      assert.equal(posted.bytes.length, 0);

      assert.match(await neighbour.get('app.test'), /^HTTP\/1\.1 200 [^]*Server 1$/);
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/n', '/n'],
        'no 444 request reached the upstream',
      );
    });
  });
}

/** A GET on an open session: the status, or the RST_STREAM code when the stream was reset. */
function h2get(session: ClientHttp2Session, authority: string): Promise<{ status?: number; reset?: number }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': '/h2', ':authority': authority });
    let status: number | undefined;
    stream.on('response', (headers) => (status = headers[':status']));
    stream.on('error', () => undefined);
    stream.resume();
    stream.on('close', () => resolve(status !== undefined && stream.rstCode === constants.NGHTTP2_NO_ERROR ? { status } : { reset: stream.rstCode }));
  });
}

test('fastify over HTTP/2: return 444 resets the stream (INTERNAL_ERROR, as nginx) and the session serves the next request', async (t) => {
  const [app] = await backendsFor(t, 1);
  const fastify = Fastify({ http2: true });
  await fastify.register(switchyardFastify, SERVERS(app!.url));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const session = h2connect(`http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`);
  // The session first: Fastify's close waits for open HTTP/2 sessions.
  t.after(async () => {
    session.close();
    await fastify.close();
  });
  assert.deepEqual(await h2get(session, 'unknown.test'), { reset: constants.NGHTTP2_INTERNAL_ERROR });
  assert.deepEqual(await h2get(session, 'app.test'), { status: 200 });
  assert.deepEqual(await h2get(session, 'other.test'), { reset: constants.NGHTTP2_INTERNAL_ERROR });
  assert.equal(session.destroyed, false);
  assert.deepEqual(
    app!.seen.map((s) => s.url),
    ['/h2'],
  );
});
