/** @module Active health probes to https:// servers verify the certificate: a self-signed server never passes (and is never sent a request). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSwitchyard, type SwitchyardEvents } from '@switchyard/core';
import { selfSigned } from '../helpers/self-signed.js';
import { waitFor } from './fake-pool.js';

test('a probe to a self-signed https server fails on the certificate; the mandatory server stays out', async (t) => {
  const { key, cert } = selfSigned();
  let requests = 0;
  const server = createServer({ key, cert }, (_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sy = createSwitchyard({
    upstreams: { api: { servers: [url], healthCheck: { path: '/health', interval: 100, timeout: 1000, mandatory: true } } },
  });
  t.after(() => sy.close());
  const probes: Array<SwitchyardEvents['health:probe']> = [];
  sy.on('health:probe', (e) => probes.push(e));
  await waitFor(() => probes.length >= 2, 'two probes', 5000);
  assert.ok(
    probes.every((p) => !p.ok),
    JSON.stringify(probes),
  );
  assert.match(probes[0]?.error ?? '', /certificate|self[- ]signed/i);
  assert.equal(sy.status().upstreams.api?.servers[0]?.state, 'unhealthy');
  assert.equal(sy.upstream('api').pick(), undefined);
  assert.equal(requests, 0);
});
