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

/** The executable path, or the reason it could not be installed (the one case where the browser tests skip). */
export async function ensureChromium(): Promise<{ path: string } | { skip: string }> {
  const failed = aptInstall('chromium', CHROMIUM_PATH);
  return failed === undefined ? { path: CHROMIUM_PATH } : { skip: `SKIPPED: Chromium is not installed and ${failed}` };
}
