/** @module A WebSocket client reaching the Express middleware without `server.on('upgrade', lb.upgrade)`: a 501 naming the line to add, logged once, never a plain GET upstream. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { WebSocket } from 'ws';
import { switchyard } from '@switchyard/express';
import { startBackends, stopAll } from '../helpers/backends.js';

interface Refusal {
  error: string;
  status: number | undefined;
  body: string;
}

/**
 * Opens a WebSocket with the real `ws` client and collects what it reports when the handshake is
 * refused: its own error (`readBody` false), or the refused response's status and body.
 */
function refusal(url: string, readBody: boolean): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let body = '';
    let status: number | undefined;
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the handshake succeeded'));
    });
    ws.once('error', (err) => resolve({ error: err.message, status, body }));
    if (readBody)
      ws.once('unexpected-response', (_req, res: IncomingMessage) => {
        status = res.statusCode;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.once('end', () => resolve({ error: '', status, body }));
      });
  });
}

for (const mount of ['locations', 'proxyTo'] as const) {
  test(`${mount}: a WebSocket handshake without lb.upgrade gets 501 naming the fix, logged once, and no backend sees it`, async (t) => {
    const backends = await startBackends(1);
    t.after(() => stopAll(backends));
    const lines: string[] = [];
    const logger = { info: () => {}, warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const lb =
      mount === 'locations'
        ? switchyard({ upstreams: { ws: backends.map((b) => b.url) }, locations: { '/ws/': 'ws' } }, { logger })
        : switchyard({ upstreams: { ws: backends.map((b) => b.url) } }, { logger });
    const app = express();
    if (mount === 'locations') app.use(lb);
    else app.use('/ws', lb.proxyTo('ws'));
    // No server.on('upgrade', lb.upgrade): node hands the handshake to the app as a plain request.
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      await lb.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`;

    // What a ws user sees with no listener of their own, then the body that names the fix.
    assert.equal((await refusal(url, false)).error, 'Unexpected server response: 501');
    const answer = await refusal(url, true);
    assert.equal(answer.status, 501);
    assert.match(answer.body, /server\.on\('upgrade', lb\.upgrade\)/);
    assert.equal(backends[0]?.seen.length, 0);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /server\.on\('upgrade', lb\.upgrade\).*GET \/ws\/chat answered 501/);

    // A plain request on the same route is still proxied.
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ws/plain`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Server 1');
  });
}

test('with lb.upgrade installed the same handshake is tunnelled (the hint is only for a missing listener)', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const lines: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const lb = switchyard({ upstreams: { ws: backends.map((b) => b.url) }, locations: { '/ws/': 'ws' } }, { logger });
  const server = createServer(express().use(lb));
  server.on('upgrade', lb.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await lb.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  // The test backend answers upgrades with a plain 200 (it is no WebSocket server): the tunnel reached it.
  const answer = await refusal(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`, true);
  assert.notEqual(answer.status, 501);
  assert.equal(backends[0]?.seen.length, 1);
  assert.deepEqual(
    lines.filter((l) => l.includes('lb.upgrade')),
    [],
  );
});
