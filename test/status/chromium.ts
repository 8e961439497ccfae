/** @module Test setup for the browser checks: Debian's chromium, installed with apt-get when missing (waiting out a dpkg lock). */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The executable path, or the reason it could not be installed (the one case where the browser tests skip). */
export async function ensureChromium(): Promise<{ path: string } | { skip: string }> {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  let last = '';
  let updated = false;
  for (let attempt = 1; attempt <= 12; attempt++) {
    const run = spawnSync('apt-get', ['install', '-y', 'chromium'], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status === 0 && existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
    last = `${run.error?.message ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    // A new machine may have no package lists yet: fetch them once, then try again.
    if (!updated && /unable to locate|has no installation candidate|404/i.test(last)) {
      updated = true;
      spawnSync('apt-get', ['update'], { encoding: 'utf8', timeout: 300_000 });
      continue;
    }
    // Another apt/dpkg holds the lock: wait and try again; any other failure is final.
    if (!/lock/i.test(last)) break;
    await new Promise((r) => setTimeout(r, 5000));
  }
  return { skip: `SKIPPED: Chromium is not installed and "apt-get install -y chromium" failed (${last || 'no output'})` };
}
