/** @module An app that registers @fastify/static for its own routes, before or after switchyard with file locations: both serve (the plugin's `sendFile` lives in switchyard's own scope). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import switchyard from '@switchyard/fastify';
import { repoRoot } from '../helpers/child-scripts.js';

// The peer is a dependency of the adapter package, not of the repository root.
const fastifyStatic = createRequire(join(repoRoot, 'packages/fastify/package.json'))('@fastify/static') as FastifyPluginAsync<{ root: string; prefix: string }>;

for (const order of ['app first', 'switchyard first'] as const) {
  test(`@fastify/static of the app and switchyard's file locations together (${order})`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-app-static-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'a.txt'), 'A file');
    const app = Fastify();
    t.after(() => app.close());
    const own = (): PromiseLike<unknown> => app.register(fastifyStatic, { root: dir, prefix: '/own/' });
    const lb = (): PromiseLike<unknown> =>
      app.register(switchyard, {
        upstreams: { app: ['http://127.0.0.1:9'] },
        locations: { '/files/': { alias: `${dir}/` }, '= /x': { return: { status: 204 } } },
      });
    if (order === 'app first') {
      await own();
      await lb();
    } else {
      await lb();
      await own();
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const path of ['/own/a.txt', '/files/a.txt']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(`${res.status} ${await res.text()}`, '200 A file', path);
    }
    assert.equal((await fetch(`${base}/x`)).status, 204);
  });
}
