/** @module The status page's graphs in headless Chromium: load driven with a fake clock through the core's forwarding, sparklines per server and pool, state ticks, a screenshot whose pixels show the lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { adminResponse, createSwitchyard, type Attempt, type Switchyard } from '@switchyard/core';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

// The callbacks below run in the page; the project compiles without the DOM lib, so declare the little they use.
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): Canvas2d };
  querySelector(selector: string): { naturalWidth: number; naturalHeight: number; decode(): Promise<void> } | null;
};
interface Canvas2d {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}

const INTERVAL_MS = 10_000;
const SAMPLES = 30;
const A = 'http://127.0.0.2:8080';
const B = 'http://127.0.0.3:8080';
const C = 'http://127.0.0.4:8080';
const D = 'http://127.0.0.5:8080';
const E = 'http://127.0.0.6:8080';
const NOT_SENT = { requestSent: false, responseStarted: false };
const SENT = { requestSent: true, responseStarted: true };

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

/**
 * Five minutes of traffic in 10 s steps of the fake clock, through the core's own forwarding
 * decisions (what both adapters call): a rising and falling request rate, c slower, some
 * connection errors that are retried, b taken down by the admin for a while, and assets with no
 * live server for two intervals.
 */
function traffic(sy: Switchyard, clock: { now: number }): void {
  let seed = 11;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slow: Record<string, number> = { [A]: 6, [B]: 9, [C]: 40, [D]: 3, [E]: 4 };
  const one = (path: string): void => {
    const route = sy.match('GET', path);
    if (route === undefined || route.redirect !== undefined || route.internal !== undefined) throw new Error(`no route for ${path}`);
    let attempt: Attempt | undefined = sy.forward(route, { method: 'GET', url: path, headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true }).first();
    for (let tries = 0; attempt !== undefined && tries < 4; tries++) {
      const base = slow[attempt.server.url] ?? 5;
      if (path.startsWith('/api/') && next() < 0.04) {
        const d = attempt.end({ failure: 'error', totalMs: 1 }, NOT_SENT);
        attempt = d.action === 'retry' ? d.attempt : undefined;
        continue;
      }
      const headerMs = base * (0.5 + next()) * (next() < 0.02 ? 12 : 1);
      attempt.responded(200, headerMs, { requestSent: true, responseStarted: false });
      attempt.end({ status: 200, headerMs, totalMs: headerMs + next() * base }, SENT);
      attempt = undefined;
    }
  };
  for (let k = 0; k < SAMPLES; k++) {
    if (k === 12) sy.setServer('api', B, { down: true });
    if (k === 20) sy.setServer('api', B, { down: false });
    if (k === 8) for (const url of [D, E]) sy.setServer('assets', url, { down: true });
    if (k === 10) for (const url of [D, E]) sy.setServer('assets', url, { down: false });
    const load = Math.round(40 + 30 * Math.sin(k / 4) + next() * 10);
    for (let i = 0; i < load; i++) {
      one('/api/items');
      if (i % 2 === 0) one('/assets/app.js');
    }
    clock.now += INTERVAL_MS;
    // What the page's timer does every interval: the samples are closed at this moment.
    sy.status();
  }
}

/** Pixels of the screenshot (decoded by Chromium itself, on a blank page) close to the colour. */
async function countColour(page: Page, png: Buffer, rgb: readonly [number, number, number]): Promise<number> {
  await page.setContent(`<img id="shot" src="data:image/png;base64,${png.toString('base64')}">`);
  return page.evaluate(async (colour) => {
    const img = document.querySelector('#shot');
    if (img === null) throw new Error('no image');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - colour[0]) < 24 && Math.abs(data[i + 1]! - colour[1]) < 24 && Math.abs(data[i + 2]! - colour[2]) < 24) n++;
    }
    return n;
  }, rgb);
}

test('the status page draws request rate, p50/p99, state ticks and pool retries/no-live as inline SVG under its CSP', async (t) => {
  const chromiumPath = await ensureChromium();
  const clock = { now: 5_000 };
  let seed = 3;
  const sy = createSwitchyard(
    {
      upstreams: {
        // maxFails 10: most connection errors are only retried; a's burst at the peak marks it failed for a while.
        api: { servers: [{ url: A, weight: 2, maxFails: 10 }, { url: B, maxFails: 10 }, { url: C, maxFails: 10 }], retry: { on: ['error'] } },
        assets: { balance: 'least-conn', servers: [D, E] },
      },
      locations: { '/api/': 'api', '/assets/': 'assets' },
      status: { path: '/_status' },
    },
    { now: () => clock.now, random: () => (seed = (seed * 16807) % 2147483647) / 2147483647 },
  );
  t.after(() => sy.close());
  traffic(sy, clock);
  const snap = sy.status();
  assert.equal(snap.history?.samples, SAMPLES);
  const api = snap.upstreams.api!;
  assert.ok(api.history!.retries.reduce((x, y) => x + y, 0) > 0, 'some retries');
  assert.deepEqual(
    snap.upstreams.assets!.history!.noLive.map((n) => n > 0),
    Array.from({ length: SAMPLES }, (_, k) => k === 8 || k === 9),
  );
  const b = api.servers.find((s) => s.url === B)!.history!;
  assert.deepEqual([b.states[11], b.states[12], b.states[19], b.states[20]], ['up', 'down', 'down', 'up']);

  const site = await serveStatus(sy);
  t.after(() => site.close());
  const browser = await chromium.launch({ executablePath: chromiumPath.path, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1500, height: 560 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  const response = await page.goto(site.url);
  assert.equal(response?.status(), 200);

  const check = async (when: string): Promise<void> => {
    for (const url of [A, B, C, D, E]) {
      const lines = page.locator(`tr[data-url="${url}"] svg.spark polyline`);
      assert.deepEqual(
        await lines.evaluateAll((ls) => ls.map((l) => l.getAttribute('class'))),
        ['line-req', 'line-p50', 'line-p99'],
        `${when}: ${url}`,
      );
      const points = await lines.first().evaluate((l) => (l.getAttribute('points') ?? '').split(' ').length);
      assert.equal(points, SAMPLES, `${when}: one point per sample`);
    }
    // b went down at sample 12 and came back at 20: one tick each on both of its graphs.
    assert.equal(await page.locator(`tr[data-url="${B}"] line.mark.m-down`).count(), 2, when);
    assert.equal(await page.locator(`tr[data-url="${B}"] line.mark.m-up`).count(), 2, when);
    // Every server: two ticks (one per graph) per state change in its history, none without.
    for (const s of [...api.servers, ...snap.upstreams.assets!.servers]) {
      const changes = s.history!.states.filter((state, i, all) => i > 0 && state !== all[i - 1]).length;
      assert.equal(await page.locator(`tr[data-url="${s.url}"] line.mark`).count(), 2 * changes, `${when}: ticks of ${s.url}`);
    }
    assert.equal(await page.locator(`tr[data-url="${C}"] line.mark`).count(), 0, when);
    assert.equal(await page.locator('section[data-upstream="api"] .pool-graph polyline').count(), 2, when);
    assert.match((await page.locator('section[data-upstream="api"] .pool-graph .k-retry').textContent()) ?? '', /^retries [1-9]\d*$/);
    assert.match((await page.locator('section[data-upstream="assets"] .pool-graph .k-nolive').textContent()) ?? '', /^no live [1-9]\d*$/);
  };
  await check('server-rendered');
  // The inline script rebuilds the page from the JSON (under the CSP): the graphs are drawn again.
  await page.waitForFunction(() => document.getElementById('updated')?.textContent?.startsWith('updated ') === true, undefined, { timeout: 15000 });
  await check('re-rendered by the script');

  const dir = mkdtempSync(join(tmpdir(), 'switchyard-status-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shot = join(dir, 'status-page-graphs.png');
  await page.screenshot({ path: shot, fullPage: true });
  const rowShot = await page.locator(`tr[data-url="${B}"]`).screenshot();
  const png = readFileSync(shot);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual(problems, [], 'no CSP violation or script error');
  if (process.env.SWITCHYARD_SCREENSHOT !== undefined) copyFileSync(shot, new URL('../../docs/status-page-graphs.png', import.meta.url).pathname);

  // The pixels: the request line (blue), p99 (orange) and the down tick (grey) are drawn in b's row.
  const blank = await browser.newPage();
  assert.ok((await countColour(blank, rowShot, [9, 105, 218])) > 30, 'request-rate line');
  assert.ok((await countColour(blank, rowShot, [188, 76, 0])) > 30, 'p99 line');
  assert.ok((await countColour(blank, rowShot, [110, 119, 129])) > 10, 'down tick');
  assert.ok((await countColour(blank, png, [207, 34, 46])) > 10, 'no-live line');
});
