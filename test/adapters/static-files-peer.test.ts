/**
 * @module Scenario: the static-file peers are optional: in a real project directory without
 * `@fastify/static` / `serve-static` installed, a configuration that serves files fails at start
 * with an error naming the package, one that does not works; the same project with the peer
 * linked serves the file (the control that the setup is otherwise complete).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/child-scripts.js';

const ADAPTERS = [
  { dir: 'fastify', peer: '@fastify/static' },
  { dir: 'express', peer: 'serve-static' },
] as const;

/** The package names installed for an adapter package (scoped ones as `@scope/name`). */
function installed(packageDir: string): string[] {
  const base = join(packageDir, 'node_modules');
  const out: string[] = [];
  for (const name of readdirSync(base)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const inner of readdirSync(join(base, name))) out.push(`${name}/${inner}`);
    else out.push(name);
  }
  return out;
}

/**
 * An application directory as npm would lay it out: both adapters (their package.json and
 * sources, copied so that Node resolves from here, not from the workspace), their dependencies
 * and the frameworks linked, the peers only when `withPeers`.
 */
function project(withPeers: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), withPeers ? 'sy-with-peers-' : 'sy-without-peers-'));
  const modules = join(dir, 'node_modules');
  const link = (name: string, target: string): void => {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(realpathSync(target), join(modules, name));
  };
  link('@switchyard/core', join(repoRoot, 'packages/core'));
  const peers = new Set<string>(ADAPTERS.map((a) => a.peer));
  for (const adapter of ADAPTERS) {
    const source = join(repoRoot, 'packages', adapter.dir);
    const copy = join(modules, '@switchyard', adapter.dir);
    cpSync(join(source, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(source, 'package.json'), join(copy, 'package.json'));
    for (const name of installed(source)) {
      if (name.startsWith('@switchyard/') || name.startsWith('@types/')) continue;
      if (peers.has(name) && !withPeers) continue;
      try {
        link(name, join(source, 'node_modules', name));
      } catch (err) {
        // Both adapters install some of the same packages (prom-client...): linked once.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  cpSync(join(repoRoot, 'test/adapters/support/static-peer-app.ts'), join(dir, 'app.ts'));
  return dir;
}

function run(dir: string, root: string): Record<string, string> {
  const tsx = pathToFileURL(createRequire(join(repoRoot, 'package.json')).resolve('tsx')).href;
  const env = { ...process.env };
  delete env.NODE_PATH;
  const result = spawnSync(process.execPath, ['--conditions=switchyard-source', '--import', tsx, 'app.ts', root], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
}

test('without the peers: a file location is refused at start naming the package to install; other configurations run', (t) => {
  const dir = project(false);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const adapter of ADAPTERS) {
    // The absence is real: Node cannot find the peer from the adapter's own file, nor from the app.
    for (const from of [join(dir, 'node_modules/@switchyard', adapter.dir, 'src/static-files.ts'), join(dir, 'package.json')]) {
      assert.throws(() => createRequire(from).resolve(adapter.peer), { code: 'MODULE_NOT_FOUND' }, `${adapter.peer} from ${from}`);
    }
  }
  const out = run(dir, join(repoRoot, 'test/fixtures'));
  const hint = (name: string): RegExp =>
    new RegExp(
      `^error SwitchyardConfigError: .*locations.*serves files \\(root, alias or tryFiles\\), which needs the optional peer dependency ${name}: npm install ${name}$`,
    );
  assert.match(out.fastifyFiles ?? '', hint('@fastify/static'));
  assert.match(out.expressFiles ?? '', hint('serve-static'));
  assert.equal(out.fastifyNoFiles, '200 ok');
  assert.equal(out.expressNoFiles, '200 ok');
});

test('with the peers linked, the same project serves the file on both adapters', (t) => {
  const dir = project(true);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'public');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), 'served from the temp project');
  const out = run(dir, root);
  assert.deepEqual(out, {
    fastifyFiles: '200 served from the temp project',
    fastifyNoFiles: '200 ok',
    expressFiles: '200 served from the temp project',
    expressNoFiles: '200 ok',
  });
});
