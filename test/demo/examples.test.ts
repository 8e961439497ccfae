/** @module The examples/fastify and examples/express seed scripts run as the README says and print 1-2-3-1-2-3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, runScript } from '../helpers/child-scripts.js';

for (const name of ['fastify', 'express'] as const) {
  test(`examples/${name}/seed.ts answers Server 1, 2, 3, 1, 2, 3`, async () => {
    const { code, out } = await runScript(`examples/${name}/seed.ts`, [], {
      SEED_ONCE: '1',
      PORT: String(await freePort()),
      BACKEND_PORTS: [await freePort(), await freePort(), await freePort()].join(','),
    });
    assert.equal(code, 0, out);
    assert.match(out, /Server 1, Server 2, Server 3, Server 1, Server 2, Server 3/);
  });
}
