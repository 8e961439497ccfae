/** @module Closing the app stops health checks and tunnels; state changes are logged once each, never per request. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { backendsFor } from '../adapters/support/setup.js';
import { bodies, waitFor } from '../adapters/support/http.js';
import { startApp } from './support.js';

/** A pino destination that keeps every line Fastify logs, parsed. */
function logCapture(): { lines: Array<{ level: number; msg: string }>; stream: Writable } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { lines, stream };
}

describe('close and logging', () => {
  it('stops active health checks on close', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { app } = await startApp(t, {
      upstreams: { app: { servers: [backend!.url], healthCheck: { path: '/health', interval: '50ms' } } },
      locations: { '/': 'app' },
    });
    await waitFor(() => backend!.seen.filter((s) => s.url === '/health').length >= 2);
    await app.close();
    const probes = backend!.seen.length;
    // sleep-ok: an absence is the subject: four probe intervals after close, no new probe.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(backend!.seen.length, probes);
  });

  it('closes while a WebSocket tunnel is open, and closes the tunnel', async (t) => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (m) => socket.send(m.toString())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { app, url } = await startApp(t, { upstreams: { ws: [upstream] }, locations: { '/': 'ws' } });
    const client = new WebSocket(url.replace('http://', 'ws://') + '/live');
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => client.once('close', resolve));
    await app.close();
    await closed;
    assert.equal(app.switchyard.status().upstreams.ws!.servers[0]!.active, 0);
  });

  it('logs a failed try in one line and a server going down once, and nothing for the other requests', async (t) => {
    const backends = await backendsFor(t, 2);
    const { lines, stream } = logCapture();
    await backends[1]!.stop();
    const { url } = await startApp(t, { upstreams: { app: backends.map((b) => b.url) }, locations: { '/': 'app' } }, undefined, {
      logger: { level: 'info', stream },
    });
    assert.deepEqual(await bodies(`${url}/`, 6), Array(6).fill('Server 1'));
    const ours = lines.filter((l) => l.msg.startsWith('switchyard:'));
    // The failed try: one line at info, then the state change at warn, as before.
    assert.deepEqual(
      ours.map((l) => `${l.level} ${l.msg}`),
      [`30 switchyard: app ${backends[1]!.url} try failed (connection error)`, `40 switchyard: app ${backends[1]!.url} is failed (passive)`],
    );
    // reply-from's own warning with a stack for the failed try is not logged.
    assert.equal(lines.filter((l) => l.msg === 'response errored').length, 0);
    // reply-from's own per-request lines are off.
    assert.equal(lines.filter((l) => l.msg === 'fetching from remote server' || l.msg === 'response received').length, 0);
    assert.equal(lines.filter((l) => l.msg === 'incoming request').length, 6);
  });

  it("logs an upstream status Fastify refuses (600) as one failed try, without reply-from's warning", async (t) => {
    // Raw bytes: Node's own server cannot send a status of 600.
    const sockets = new Set<Socket>();
    const raw = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 600 Odd\r\ncontent-length: 2\r\n\r\nno'));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    });
    const { lines, stream } = logCapture();
    const upstream = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const { url } = await startApp(t, { upstreams: { app: [upstream] }, locations: { '/': 'app' } }, undefined, { logger: { level: 'info', stream } });
    const answer = await fetch(`${url}/odd`);
    assert.equal(answer.status, 502);
    await answer.arrayBuffer();
    await waitFor(() => lines.some((l) => l.msg === 'request completed'));
    assert.deepEqual(
      lines.filter((l) => l.msg.startsWith('switchyard:') && l.msg.includes('try failed')).map((l) => l.msg),
      [`switchyard: app ${upstream} try failed (invalid response)`],
    );
    assert.equal(lines.filter((l) => l.msg === 'response has invalid status code' || l.msg === 'response errored').length, 0);
  });
});
