/** @module `metrics: { path }` where prom-client cannot be loaded: Fastify's register fails with the install hint; Express (a synchronous factory) logs it once at start and the path answers 503. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/child-scripts.js';

function runWithoutPromClient(adapter: 'fastify' | 'express'): Record<string, unknown> {
  const result = spawnSync(
    process.execPath,
    [
      '--conditions=switchyard-source',
      '--import',
      'tsx',
      '--import',
      './test/metrics/support/block-prom-client.mjs',
      'test/metrics/support/without-prom-client.ts',
      adapter,
    ],
    { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

test('fastify: register rejects naming metrics.path, with the install hint', () => {
  const out = runWithoutPromClient('fastify');
  assert.equal(out.registered, false);
  assert.match(String(out.message), /^metrics\.path needs the optional peer dependency prom-client.*npm install prom-client/);
});

test('express: one error line at start with the install hint, then 503 on every scrape', () => {
  const out = runWithoutPromClient('express') as { logged: string[]; scrapes: Array<{ status: number; body: string }> };
  assert.equal(out.logged.length, 1);
  assert.match(out.logged[0]!, /^error switchyard: metrics\.path \/metrics is unavailable \(503\): prom-client is not installed \(npm install prom-client\)/);
  assert.deepEqual(
    out.scrapes.map((s) => s.status),
    [503, 503],
  );
  assert.match(out.scrapes[0]!.body, /npm install prom-client/);
});
