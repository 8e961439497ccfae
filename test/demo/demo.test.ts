/** @module Runs the README's demo end to end (both adapters) on free ports and checks what a newcomer sees. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort, runScript } from '../helpers/child-scripts.js';

async function runDemo(extra: string[]): Promise<{ code: number | null; out: string }> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const port = await freePort();
  return runScript('examples/demo.ts', ['--port', String(port), '--backend-ports', ports.join(','), ...extra], { DEMO_EXIT: '1' });
}

for (const adapter of ['fastify', 'express'] as const) {
  test(`demo (${adapter}): 1-2-3-1-2-3, failover without a failed request, server 2 returns`, async () => {
    const { code, out } = await runDemo(adapter === 'express' ? ['--express'] : []);
    assert.equal(code, 0, out);
    const sequences = [...out.matchAll(/sequence: (\S+)\s+\((.+?)\)/g)].map((m) => [m[1], m[2]]);
    assert.equal(sequences.length, 3, out);
    assert.deepEqual(sequences[0], ['1-2-3-1-2-3', 'no failed request']);
    assert.equal(sequences[1]?.[1], 'no failed request', out);
    assert.ok(!sequences[1]?.[0]?.includes('2'), `server 2 still got traffic: ${out}`);
    assert.equal(sequences[2]?.[1], 'no failed request', out);
    assert.ok(sequences[2]?.[0]?.includes('2'), `server 2 did not come back: ${out}`);
    assert.match(out, /Status page: {2}http:\/\/127\.0\.0\.1:\d+\/switchyard\/status/);
  });
}

test('demo: a taken port gives a clear message', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(address !== null && typeof address !== 'string');
  const ports = [address.port, await freePort(), await freePort()];
  const { code, out } = await runScript('examples/demo.ts', ['--backend-ports', ports.join(',')], { DEMO_EXIT: '1' });
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  assert.equal(code, 1);
  assert.match(out, new RegExp(`Port ${address.port} \\(Server 1\\) is already taken`));
  // The command as the README gives it: a user without a global pnpm can run it.
  assert.match(out, /Usage: npx pnpm@9\.15\.9 demo \[--express\]/);
  assert.match(out, /BACKEND_PORTS=8000,8001,8002 npx pnpm@9\.15\.9 demo\)/);
  assert.doesNotMatch(out, /(^|[^@\w])pnpm demo/m);
});
