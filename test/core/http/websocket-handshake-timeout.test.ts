/** @module The WebSocket tunnel applies the read timeout to the upstream's handshake answer (504, counted as a failure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket, type AddressInfo } from 'node:net';
import { createSwitchyard } from '@switchyard/core';
import { startFront } from './tunnel-harness.js';

test('an upstream that accepts the upgrade and never answers gets 504 after the read timeout', async (t) => {
  const held = new Set<Socket>();
  const silent = createTcpServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        silent.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const sy = createSwitchyard({
    upstreams: { ws: { servers: [{ url, maxFails: 0 }], timeouts: { connect: 1000, read: 200 } } },
    locations: { '/': 'ws' },
  });
  const front = await startFront(sy);
  t.after(() => front.close());

  const client = front.upgrade();
  let answer = '';
  client.on('data', (c: Buffer) => (answer += c.toString()));
  const guard = setTimeout(() => client.destroy(), 10_000);
  await new Promise<void>((resolve) => client.on('close', () => resolve()));
  clearTimeout(guard);
  assert.match(answer, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
  const server = sy.status().upstreams.ws?.servers[0];
  assert.equal(server?.fails, 1);
  assert.equal(server?.active, 0);
});
