/** @module Test setup for the browser checks: Debian's chromium, installed with apt-get when missing (waiting out a dpkg lock). */
import { aptInstall } from '../helpers/apt-install.js';

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

/** The executable path; throws with the reason when Chromium cannot be installed (a browser test that cannot run fails, it never skips). */
export async function ensureChromium(): Promise<{ path: string }> {
  const failed = aptInstall('chromium', CHROMIUM_PATH);
  if (failed !== undefined) throw new Error(`Chromium is not installed and ${failed}`);
  return { path: CHROMIUM_PATH };
}
