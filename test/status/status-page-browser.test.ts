/** @module The HTML status page in real headless Chromium: pools shown, the CSP lets its own script run, a server turns red when it goes down. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { adminResponse, createSwitchyard, type Switchyard } from '@switchyard/core';
import { startBackend } from '../helpers/backends.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

// The callbacks below run in the page; the project compiles without the DOM lib, so declare the little they use.
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(selector: string): { className: string } | null };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const RED = 'rgb(207, 34, 46)';
const GREEN = 'rgb(26, 127, 55)';

/** A bare node server answering the status path with adminResponse (the adapters do the same). */
async function serveStatus(sy: Switchyard): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void adminResponse(sy, req.url ?? '/', req.headers.accept).then((answer) => {
      if (answer === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/_status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Some believable traffic so the page (and the README screenshot) shows numbers (a fixed pseudo-random sequence). */
function traffic(sy: Switchyard): void {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 300; i++) {
    for (const name of ['api', 'assets']) {
      const r = next();
      const status = r < 0.86 ? 200 : r < 0.92 ? 304 : r < 0.97 ? 404 : 502;
      const headerMs = 2 + next() * 18;
      sy.upstream(name)
        .pick()
        ?.release({ status, headerMs, totalMs: headerMs + next() * 30 });
    }
  }
  // A few requests still in flight.
  sy.upstream('api').pick();
  sy.upstream('api').pick();
  sy.upstream('assets').pick();
}

test('the status page in headless Chromium shows every pool and turns a server red when it goes down', async (t) => {
  const chromiumPath = await ensureChromium();
  const [a, b, c, d, e] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => startBackend(n)));
  if (!a || !b || !c || !d || !e) throw new Error('backends');
  t.after(() => Promise.all([a, b, c, d, e].map((x) => x.stop())));
  const sy = createSwitchyard({
    upstreams: {
      api: {
        servers: [{ url: a.url, weight: 3 }, b.url, { url: c.url, backup: true }],
        healthCheck: { path: '/health', interval: 100, timeout: 500 },
      },
      assets: { balance: 'least-conn', servers: [d.url, { url: e.url, down: false }] },
    },
    status: { path: '/_status' },
  });
  t.after(() => sy.close());
  await new Promise<void>((resolve) => {
    const probed = new Set<string>();
    sy.on('health:probe', (p) => {
      probed.add(p.url);
      if (probed.size === 3) resolve();
    });
  });
  traffic(sy);
  sy.setServer('assets', e.url, { drain: true });
  const site = await serveStatus(sy);
  t.after(() => site.close());

  const browser = await chromium.launch({ executablePath: chromiumPath.path, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 480 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  const response = await page.goto(site.url);
  assert.equal(response?.status(), 200);
  assert.equal(response?.headers()['content-type'], 'text/html; charset=utf-8');
  assert.deepEqual(await page.locator('section.pool').evaluateAll((s) => s.map((x) => x.getAttribute('data-upstream'))), ['api', 'assets']);
  assert.equal(await page.locator('section.pool tbody tr').count(), 5);
  const badge = (url: string) => page.locator(`tr[data-url="${url}"] .badge`).first();
  const colour = (url: string) => badge(url).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await badge(b.url).textContent(), 'up');
  assert.equal(await colour(b.url), GREEN);
  assert.equal(await badge(e.url).textContent(), 'draining');
  assert.equal(await page.locator(`tr[data-url="${c.url}"] .b-backup`).textContent(), 'backup');

  // The inline script runs under the CSP: within a refresh the header says "updated".
  await page.waitForFunction(() => document.getElementById('updated')?.textContent?.startsWith('updated ') === true, undefined, { timeout: 15000 });

  if (process.env.SWITCHYARD_SCREENSHOT !== undefined) {
    await b.stop();
    await page.waitForFunction((url) => document.querySelector(`tr[data-url="${url}"]`)?.className === 'state-unhealthy', b.url, { timeout: 15000 });
    mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL('../../docs/status-page.png', import.meta.url).pathname, fullPage: true });
    await b.start();
    await page.waitForFunction((url) => document.querySelector(`tr[data-url="${url}"]`)?.className === 'state-up', b.url, { timeout: 15000 });
  }

  // b goes down: the probes fail, the pool marks it unhealthy, and the page turns it red by itself.
  await b.stop();
  await page.waitForFunction((url) => document.querySelector(`tr[data-url="${url}"]`)?.className === 'state-unhealthy', b.url, { timeout: 15000 });
  assert.equal(await badge(b.url).textContent(), 'unhealthy');
  assert.equal(await colour(b.url), RED);
  assert.match((await page.locator(`tr[data-url="${b.url}"] td.bad`).textContent()) ?? '', /^✗ .*ECONNREFUSED/);
  assert.equal(await colour(a.url), GREEN);
  assert.match((await page.locator('section.pool[data-upstream="api"] h2 .info').textContent()) ?? '', /round-robin · 2 of 3 up/);

  // And green again when it comes back.
  await b.start();
  await page.waitForFunction((url) => document.querySelector(`tr[data-url="${url}"]`)?.className === 'state-up', b.url, { timeout: 15000 });
  assert.equal(await colour(b.url), GREEN);
  assert.deepEqual(problems, []);
});
