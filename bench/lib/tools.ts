/** @module Installs what the benchmark needs (Debian nginx, wrk, taskset), builds the packages, and describes the machine. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { output } from './proc.js';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function apt(args: readonly string[]): boolean {
  // Another engineer's apt-get may hold the dpkg lock: wait for it rather than fail.
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** Installs the missing ones of nginx, wrk and taskset with apt-get (the machine's user is root). */
export function ensureTools(): void {
  const missing: string[] = [];
  if (!has('nginx')) missing.push('nginx-light');
  if (!has('wrk')) missing.push('wrk');
  if (!has('taskset')) missing.push('util-linux');
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(' ')} with apt-get`);
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (!apt(install)) {
    apt(['update']);
    if (!apt(install)) throw new Error(`apt-get install ${missing.join(' ')} failed`);
  }
}

/** Builds every package's dist; a package that fails to build only loses its own candidate. */
export function buildPackages(root: string): void {
  console.log('building packages/*/dist');
  spawnSync('npx', ['--yes', 'pnpm@9.15.9', '-r', '--no-bail', '--filter', './packages/*', 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}

function pkgVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The version of `dep` as `from` (a package directory) resolves it in pnpm's layout. */
function depVersion(root: string, from: string, dep: string): string {
  try {
    const real = realpathSync(join(root, 'node_modules', from));
    const nm = real.slice(0, real.lastIndexOf('/node_modules/') + '/node_modules/'.length);
    const nested = join(nm, dep);
    return pkgVersion(existsSync(nested) ? nested : join(root, 'node_modules', dep));
  } catch {
    return '?';
  }
}

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  kernel: string;
  node: string;
  nginx: string;
  wrk: string;
  loadAverageAtStart: number[];
  commit: string;
  packages: Record<string, string>;
}

export function describeMachine(root: string): Machine {
  let cpu = '?';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  } catch {
    // not Linux
  }
  const nm = (p: string): string => pkgVersion(join(root, 'node_modules', p));
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu,
    kernel: output('uname', ['-r']),
    node: process.version,
    nginx: output('nginx', ['-v']).replace(/^nginx version:\s*/, ''),
    wrk: /^wrk (\S+)/.exec(output('wrk', ['-v']))?.[1] ?? '?',
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    commit: output('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    packages: {
      fastify: nm('fastify'),
      '@fastify/reply-from': nm('@fastify/reply-from'),
      'undici (reply-from)': depVersion(root, '@fastify/reply-from', 'undici'),
      '@fastify/http-proxy': nm('@fastify/http-proxy'),
      express: nm('express'),
      'http-proxy': nm('http-proxy'),
      'http-proxy-middleware': nm('http-proxy-middleware'),
      'httpxy (http-proxy-middleware)': depVersion(root, 'http-proxy-middleware', 'httpxy'),
      '@switchyard/core': pkgVersion(join(root, 'packages/core')),
      '@switchyard/fastify': pkgVersion(join(root, 'packages/fastify')),
      '@switchyard/express': pkgVersion(join(root, 'packages/express')),
    },
  };
}
