/** @module Security: `weight` is capped at MAX_WEIGHT everywhere a weight can be set (options, nginx import, addServer, setServer), naming the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, MAX_WEIGHT } from '../../packages/core/src/index.js';
import { SwitchyardConfigError } from '../../packages/core/src/errors.js';

const HASH = { balance: 'hash' as const, hash: { key: '$request_uri', consistent: true } };

test(`weight above ${MAX_WEIGHT} is refused naming the field; ${MAX_WEIGHT} with consistent hash is accepted`, async () => {
  assert.equal(MAX_WEIGHT, 1000);
  assert.throws(() => createSwitchyard({ upstreams: { api: { servers: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:2', weight: 50_000 }], ...HASH } } }), {
    name: 'SwitchyardConfigError',
    path: 'upstreams.api.servers[1].weight',
    message: 'upstreams.api.servers[1].weight must be at most 1000 (consistent hashing places 160 ring points per unit of weight), got 50000',
  });
  const sy = createSwitchyard({ upstreams: { api: { servers: [{ url: 'http://127.0.0.1:1', weight: MAX_WEIGHT }, 'http://127.0.0.1:2'], ...HASH } } });
  assert.equal(sy.status().upstreams.api!.servers[0]!.weight, MAX_WEIGHT);
  assert.ok(sy.upstream('api').pick({ key: 'k' }) !== undefined);
  await sy.close();
});

test('the nginx import, addServer and setServer are capped too', async () => {
  assert.throws(
    () => createSwitchyard({ nginx: 'upstream api {\n  hash $request_uri consistent;\n  server 127.0.0.1:1 weight=1001;\n}\n' }),
    (err: unknown) => err instanceof SwitchyardConfigError && err.path === 'upstreams.api.servers[0].weight' && /must be at most 1000/.test(err.message),
  );
  const sy = createSwitchyard({ upstreams: { api: { servers: ['http://127.0.0.1:1'], ...HASH } } });
  assert.throws(() => sy.addServer('api', { url: 'http://127.0.0.1:2', weight: 1001 }), { path: 'addServer("api").weight' });
  assert.throws(() => sy.setServer('api', 'http://127.0.0.1:1', { weight: 1001 }), {
    message: 'setServer("api", "http://127.0.0.1:1").weight must be at most 1000, got 1001',
  });
  // Nothing changed.
  assert.deepEqual(
    sy.status().upstreams.api!.servers.map((s) => [s.url, s.weight]),
    [['http://127.0.0.1:1', 1]],
  );
  sy.setServer('api', 'http://127.0.0.1:1', { weight: MAX_WEIGHT });
  assert.equal(sy.status().upstreams.api!.servers[0]!.weight, MAX_WEIGHT);
  await sy.close();
});
