/** @module The built packages (dist/, as published) load through their exports map from CommonJS and ESM, without the source condition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]): string {
  // A plain node, no tsx and no `switchyard-source` condition: resolution goes to dist/.
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

const CHECK = `
  const seen = [];
  const sy = core.createSwitchyard({ upstreams: { b: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] }, locations: { '/api/': { upstream: 'b', rewritePrefix: '/' } } });
  const route = sy.match('GET', '/api/x?y=1');
  for (let i = 0; i < 3; i++) { const p = sy.upstream('b').pick({}); seen.push(p.server.port); p.release({ status: 200 }); }
  const parsed = core.parseNginxConfig('upstream u { server 127.0.0.1:8000 weight=2; }');
  console.log(JSON.stringify({ path: route.path, seen, weight: parsed.options.upstreams.u.servers[0].weight,
    fastify: typeof fastifyPlugin, express: typeof expressFactory }));
`;
const EXPECTED = { path: '/x?y=1', seen: [1, 2, 1], weight: 2, fastify: 'function', express: 'function' };

test('dist exists (run `npx pnpm@9.15.9 build` first)', () => {
  for (const pkg of ['core', 'fastify', 'express']) {
    assert.ok(existsSync(`${root}/packages/${pkg}/dist/index.js`), `packages/${pkg}/dist/index.js`);
    assert.ok(existsSync(`${root}/packages/${pkg}/dist/index.cjs`), `packages/${pkg}/dist/index.cjs`);
  }
});

test('CommonJS: require() of every package works', () => {
  const out = run([
    '-e',
    `
    const core = require('@switchyard/core');
    const fastifyPlugin = require('@switchyard/fastify').default;
    const expressFactory = require('@switchyard/express').switchyard;
    ${CHECK}`,
  ]);
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('ESM: import of every package works', () => {
  const out = run([
    '--input-type=module',
    '-e',
    `
    const core = await import('@switchyard/core');
    const { default: fastifyPlugin } = await import('@switchyard/fastify');
    const { switchyard: expressFactory } = await import('@switchyard/express');
    ${CHECK}`,
  ]);
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('core has no runtime dependencies', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(`${root}/packages/core/package.json`, 'utf8')) as { dependencies?: object };
  assert.deepEqual(pkg.dependencies ?? {}, {});
});
