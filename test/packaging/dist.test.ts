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

// ---------------------------------------------------------------------------
// What each tarball contains, as `npm pack` would publish it.
// ---------------------------------------------------------------------------

const REPOSITORY = 'https://github.com/switchyard-lb/switchyard';

/** Packed size limits (bytes): a regression (a stray folder, sources twice) fails here. */
const BUDGET: Record<string, { packed: number; unpacked: number }> = {
  // core grows with each feature (ESM + CJS + maps + src of ~100 modules); the budget still catches a stray folder or sources twice.
  // +40 kB core, +10 kB fastify for the request facts, the access log and tracing (issue 26).
  core: { packed: 540_000, unpacked: 2_000_000 },
  fastify: { packed: 75_000, unpacked: 270_000 },
  express: { packed: 60_000, unpacked: 240_000 },
};

interface PackInfo {
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

function packInfo(pkg: string): PackInfo {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: `${root}/packages/${pkg}`, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const [info] = JSON.parse(result.stdout) as PackInfo[];
  return info as PackInfo;
}

for (const pkg of ['core', 'fastify', 'express']) {
  test(`${pkg}: the tarball holds dist, src, README, LICENSE and package.json only, within its size budget`, async () => {
    const { readFileSync } = await import('node:fs');
    const info = packInfo(pkg);
    const paths = info.files.map((f) => f.path);
    for (const path of paths) assert.match(path, /^(dist\/|src\/|README\.md$|LICENSE$|package\.json$)/, path);
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'])
      assert.ok(paths.includes(needed), needed);
    assert.ok(info.size <= (BUDGET[pkg] as { packed: number }).packed, `${pkg} packs to ${info.size} bytes`);
    assert.ok(info.unpackedSize <= (BUDGET[pkg] as { unpacked: number }).unpacked, `${pkg} unpacks to ${info.unpackedSize} bytes`);
    // Source maps point at the shipped src/ instead of embedding every source a second time.
    for (const map of paths.filter((p) => p.endsWith('.map'))) {
      const parsed = JSON.parse(readFileSync(`${root}/packages/${pkg}/${map}`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      assert.equal(parsed.sourcesContent, undefined, `${map} embeds its sources`);
      for (const source of parsed.sources)
        assert.ok(paths.includes(new URL(source, `file:///${map}`).pathname.slice(1)), `${map}: ${source} is not in the tarball`);
    }
    const license = readFileSync(`${root}/packages/${pkg}/LICENSE`, 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 switchyard contributors\n/);
  });

  test(`${pkg}: package.json names the repository, homepage, bugs and keywords; the README links only to absolute URLs or packed files`, async () => {
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(`${root}/packages/${pkg}/package.json`, 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.license, 'MIT');
    assert.deepEqual(manifest.repository, { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${pkg}` });
    assert.equal(manifest.homepage, `${REPOSITORY}/tree/main/packages/${pkg}#readme`);
    assert.deepEqual(manifest.bugs, { url: `${REPOSITORY}/issues` });
    assert.ok(Array.isArray(manifest.keywords) && manifest.keywords.length >= 3);
    const readme = readFileSync(`${root}/packages/${pkg}/README.md`, 'utf8');
    const paths = packInfo(pkg).files.map((f) => f.path);
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    assert.ok(links.length > 0);
    for (const link of links) {
      if (/^https:\/\//.test(link)) continue;
      // npm renders the README alone: a relative link must name a file inside the tarball.
      assert.ok(!link.startsWith('..') && paths.includes(link.replace(/^\.\//, '').replace(/#.*$/, '')), `${pkg}/README.md links to ${link}`);
    }
  });
}
