/** @module `cluster: true` outside a node:cluster worker: a plain local instance (its own probes, its own status). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard } from '@switchyard/core';
import { startBackend } from '../helpers/backends.js';
import { waitFor } from '../adapters/support/http.js';

it('outside a worker, cluster: true probes locally and status is the local one', async (t) => {
  const a = await startBackend('a');
  t.after(() => a.stop());
  const sy = createSwitchyard({ upstreams: { app: { servers: [a.url], healthCheck: { path: '/health', interval: '1h' } } }, cluster: true });
  t.after(() => sy.close());
  // The probe reaches the backend, then its result the pool.
  await waitFor(() => sy.status().upstreams.app!.servers[0]!.health !== undefined);
  assert.ok(a.seen.some((r) => r.url === '/health'));
  assert.equal(sy.status().upstreams.app!.servers[0]!.health?.ok, true);
  assert.equal(sy.status().workers, undefined);
  assert.throws(() => createSwitchyard({ upstreams: { app: [a.url] }, cluster: 'yes' as never }), /cluster must be a boolean, got "yes"/);
});
