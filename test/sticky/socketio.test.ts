/** @module Why sticky sessions exist: socket.io's default transports through three servers, with and without `sticky: { cookie }`, both adapters, location and proxyTo. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, VIAS, startBalancer } from './apps.js';
import { runClients, startIoBackends } from './socketio.js';

const CLIENTS = 12;

for (const adapter of ADAPTERS) {
  for (const via of VIAS) {
    describe(`${adapter} via ${via}: socket.io 4 behind three servers`, () => {
      for (const sticky of [true, false]) {
        it(
          sticky
            ? 'with sticky cookie: every client connects, upgrades to WebSocket and gets its ack'
            : 'round robin without sticky: sessions break (the reason sticky exists)',
          async (t) => {
            const backends = await startIoBackends(3);
            const lb = await startBalancer(
              adapter,
              via,
              { servers: backends.map((b) => b.url), ...(sticky ? { sticky: { cookie: { name: 'srv_id', httpOnly: true } } } : {}) },
              '/socket.io/',
            );
            try {
              const results = await runClients(lb.url, CLIENTS);
              const ok = results.filter((r) => r.ok).length;
              const errors = [...new Set(results.filter((r) => !r.ok).map((r) => r.error))];
              t.diagnostic(
                `socket.io ${adapter} ${via} ${sticky ? 'sticky cookie' : 'round robin'}: ${ok}/${CLIENTS} connected+upgraded+acked${errors.length > 0 ? `; errors: ${errors.join(' | ')}` : ''}`,
              );
              if (sticky) {
                assert.equal(ok, CLIENTS, `errors: ${errors.join(' | ')}`);
                assert.ok(results.every((r) => r.transport === 'websocket'));
                // Sticky does not mean one server: the clients are spread over the pool.
                assert.ok(new Set(results.map((r) => r.server)).size > 1);
              } else {
                assert.ok(ok < CLIENTS, 'round robin should break socket.io sessions');
              }
            } finally {
              // Backends first: their close answers the long-polls the balancer still carries.
              await Promise.all(backends.map((b) => b.close()));
              await lb.close();
            }
          },
        );
      }
    });
  }
}
