/** @module close() of the WebSocket tunnel also ends handshakes still waiting for their upstream, releasing their tries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { createSwitchyard } from '@switchyard/core';
import { startFront } from './tunnel-harness.js';

test('close() ends a handshake the upstream never answers; the try is released and the upstream socket closed', async (t) => {
  const held = new Set<Socket>();
  const silent = createTcpServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
    s.resume(); // read (and drop) the handshake, so the proxy closing its side is noticed
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const sy = createSwitchyard({ upstreams: { ws: [`http://127.0.0.1:${(silent.address() as AddressInfo).port}`] }, locations: { '/': 'ws' } });
  const front = await startFront(sy);
  t.after(async () => {
    await front.close();
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const client = front.upgrade();
  const activeOf = (): number | undefined => sy.status().upstreams.ws?.servers[0]?.active;
  for (let i = 0; i < 250 && (held.size === 0 || activeOf() !== 1); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(activeOf(), 1, 'the handshake is in flight');
  const clientClosed = new Promise<void>((resolve) => client.on('close', () => resolve()));
  front.tunnel.close();
  await clientClosed;
  for (let i = 0; i < 250 && held.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(held.size, 0, 'the upstream connection was closed');
  assert.equal(activeOf(), 0);
  assert.equal(sy.status().upstreams.ws?.servers[0]?.fails, 0, 'closing is not a server failure');
});
