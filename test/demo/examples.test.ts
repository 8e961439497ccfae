/** @module The examples/fastify and examples/express seed scripts run as the README says and print 1-2-3-1-2-3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

for (const name of ['fastify', 'express'] as const) {
  test(`examples/${name}/seed.ts answers Server 1, 2, 3, 1, 2, 3`, async () => {
    const env = {
      ...process.env,
      SEED_ONCE: '1',
      PORT: String(await freePort()),
      BACKEND_PORTS: [await freePort(), await freePort(), await freePort()].join(','),
    };
    const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', `examples/${name}/seed.ts`], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, out);
    assert.match(out, /Server 1, Server 2, Server 3, Server 1, Server 2, Server 3/);
  });
}
