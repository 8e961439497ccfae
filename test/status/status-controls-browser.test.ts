/** @module The status page's drain button in real headless Chromium, through the Fastify adapter: shown to a client `authorize` trusts (a cookie), a click drains the server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { fastifyDriver } from '../adapters/drivers/fastify.js';
import { startBackend } from '../helpers/backends.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

test('a client with write access sees the buttons; a click on drain drains the server; others see no buttons', async (t) => {
  const chromiumPath = await ensureChromium();
  const [a, b] = [await startBackend('a'), await startBackend('b')];
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const proxy = await fastifyDriver.start({
    upstreams: { app: [a.url, b.url] },
    status: { path: '/status' },
    admin: { path: '/switchyard/api', authorize: (req) => /(^|;\s*)ops=yes(;|$)/.test(String(req.headers.cookie ?? '')) },
  });
  t.after(() => proxy.close());

  const browser = await chromium.launch({ executablePath: chromiumPath.path, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const problems: string[] = [];

  const visitor = await browser.newPage();
  await visitor.goto(`${proxy.url}/status`);
  assert.equal(await visitor.locator('section.pool tbody tr').count(), 2);
  assert.equal(await visitor.locator('td.controls').count(), 0, 'no buttons without write access');

  const context = await browser.newContext();
  await context.addCookies([{ name: 'ops', value: 'yes', url: proxy.url }]);
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(`${proxy.url}/status`);
  const row = page.locator(`tr[data-url="${b.url}"]`);
  await row.locator('td.controls button', { hasText: 'drain' }).click();
  await row.locator('td.controls span').filter({ hasText: '\u2713' }).waitFor({ timeout: 15000 });
  assert.equal(proxy.switchyard.status().upstreams.app!.servers[1]!.state, 'draining');
  assert.deepEqual(problems, [], 'no CSP violation or script error');
});
