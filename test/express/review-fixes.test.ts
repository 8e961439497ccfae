/** @module Express adapter review fixes: a slow client upload is not an upstream send timeout; an upstream answering before reading the whole upload closes the client connection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startBackends, stopAll } from '../helpers/backends.js';
import { echo, startApp, waitFor } from './support.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a client slow to upload a streamed body is not an upstream send timeout: 200, whole body upstream, no server failure', async (t) => {
  const backends = await startBackends(2);
  t.after(() => stopAll(backends));
  for (const b of backends) b.handle(echo(b.name));
  const app = await startApp({
    upstreams: { app: { servers: backends.map((b) => b.url), timeouts: { send: 300, read: 300 } } },
    locations: { '/': 'app' },
  });
  t.after(() => app.close());

  const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    // No content-length: Node sends the body chunked, so the proxy streams it.
    const req = request({ host: '127.0.0.1', port: app.port, method: 'PUT', path: '/upload', agent: false }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      r.on('error', reject);
    });
    req.on('error', reject);
    (async () => {
      for (let i = 0; i < 3; i++) {
        req.write(Buffer.alloc(1000, 0x61 + i));
        // Longer than the send timeout: the upstream socket sits idle with nothing to send.
        await pause(700);
      }
      req.end();
    })().catch(reject);
  });

  assert.equal(res.status, 200, res.text);
  const seen = JSON.parse(res.text) as { body: string; headers: Record<string, string> };
  assert.equal(seen.body, 'a'.repeat(1000) + 'b'.repeat(1000) + 'c'.repeat(1000));
  assert.equal(seen.headers['transfer-encoding'], 'chunked');
  const servers = app.lb.switchyard.status().upstreams.app?.servers ?? [];
  assert.deepEqual(
    servers.map((s) => s.fails),
    [0, 0],
  );
  assert.deepEqual(
    servers.map((s) => s.state),
    ['up', 'up'],
  );
});

test('an upstream answering before reading the whole upload: the response carries connection: close and the client connection closes', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  backends[0]!.handle((_req, res) => {
    res.writeHead(413, { 'content-type': 'text/plain' });
    res.end('too large');
  });
  const app = await startApp({ upstreams: { app: backends.map((b) => b.url) }, locations: { '/': 'app' } });
  t.after(() => app.close());

  const socket = connect(app.port, '127.0.0.1');
  t.after(() => socket.destroy());
  socket.on('error', () => {}); // writing after the proxy closed may reset the connection
  let data = '';
  let closed = false;
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', resolve));

  socket.write('POST /upload HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/octet-stream\r\nContent-Length: 200000\r\n\r\n');
  socket.write(Buffer.alloc(100_000, 0x75));
  await waitFor(() => data.includes('too large'), 'the 413 response');
  assert.match(data, /^HTTP\/1\.1 413 /);
  assert.match(data, /\r\nconnection: close\r\n/i);

  // The rest of the body and a pipelined request: the proxy must not keep the connection for it.
  if (!socket.destroyed) socket.write(Buffer.concat([Buffer.alloc(100_000, 0x75), Buffer.from('GET /second HTTP/1.1\r\nHost: proxy\r\n\r\n')]));
  await waitFor(() => closed, 'the proxy to close the client connection', 5000);
  assert.equal(data.match(/HTTP\/1\.1 /g)?.length, 1, `only the 413 is answered: ${data}`);
  assert.equal(backends[0]!.seen.length, 1);
});
