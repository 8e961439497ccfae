/** @module Installs a Debian package a test needs when the machine lacks it: apt-get update once if the package is unknown, a dpkg lock waited out. */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Blocks for `ms` (test setup only: nothing else of the test runs before the package is there). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Makes sure `path` exists, installing `pkg` with apt-get if not, synchronously (setup code that
 * cannot await, such as making certificates, uses it too). Returns `undefined` once it exists, or the
 * reason the install failed (the last lines apt-get printed).
 */
export function aptInstall(pkg: string, path: string, env: NodeJS.ProcessEnv = {}): string | undefined {
  if (existsSync(path)) return undefined;
  let last = '';
  let updated = false;
  for (let attempt = 1; attempt <= 12; attempt++) {
    const run = spawnSync('apt-get', ['install', '-y', pkg], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env },
    });
    if (run.status === 0 && existsSync(path)) return undefined;
    last = `${run.error?.message ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    // A new machine may have no package lists yet: fetch them once, then try again.
    if (!updated && /unable to locate|has no installation candidate|404/i.test(last)) {
      updated = true;
      spawnSync('apt-get', ['update'], { encoding: 'utf8', timeout: 300_000 });
      continue;
    }
    // Another apt/dpkg holds the lock: wait and try again; any other failure is final.
    if (!/lock/i.test(last)) break;
    pause(5000);
  }
  return `"apt-get install -y ${pkg}" failed (${last || 'no output'})`;
}
