/** @module The status page's graphs in headless Chromium, under real load through a Fastify app: sparklines per server and pool, state ticks, the CSP kept, the graphs moving, a screenshot whose pixels show the lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { chromium, type Page } from 'playwright-core';
import fastifySwitchyard from '@switchyard/fastify';
import type { StatusSnapshot } from '@switchyard/core';
import { STATUS_PAGE_CSP } from '../../packages/core/src/admin/status-page.js';
import { startBackend, type Backend } from '../helpers/backends.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

// Chromium is driven over CDP with playwright-core (already the client of the other status page
// tests) rather than `chromium --headless --screenshot`: the test waits for the page's own script
// to redraw (a DOM condition, not a time budget), collects CSP violations from the console, and
// screenshots single graphs for the pixel checks. Playwright decodes nothing: the PNGs are decoded
// by Chromium itself on a blank page (no PNG library needed).

// The callbacks below run in the page; the project compiles without the DOM lib, so declare the little they use.
interface DomElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
declare const document: {
  getElementById(id: string): DomElement | null;
  querySelector(selector: string): (DomElement & { naturalWidth: number; naturalHeight: number; decode(): Promise<void> }) | null;
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): Canvas2d };
  createElement(tag: 'script'): { textContent: string };
  head: { appendChild(node: unknown): void };
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string }) => void): void;
};
declare const window: { injected?: boolean; violations?: string[] };
interface Canvas2d {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}

/** 0.4 s per sample, 40 kept: the test fills the ring (44 samples) in about 18 s of load. */
const INTERVAL_MS = 400;
const SAMPLES = 40;
/** Any one wait (a phase of load, the page re-rendering) gives up after this long. */
const WAIT_MS = 30_000;

/** Backends that answer in `ms` (a slow server makes a higher p50/p99 line); `every`: every n-th request takes `slowMs`. */
function answerIn(backend: Backend, ms: number, every = 0, slowMs = 0): void {
  let n = 0;
  backend.handle((_req, res) => {
    n++;
    // sleep-ok: a backend that answers late on purpose (its latency is what the graph shows).
    setTimeout(() => res.end(backend.name), every > 0 && n % every === 0 ? slowMs : ms);
  });
}

/** Pixels of a screenshot (decoded by Chromium itself, on a blank page) drawn in the colour. */
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
    // A 1.5 px line is anti-aliased: a pixel counts when it is the colour laid over the graph's
    // background (#f6f8fa) at 35 % or more, the same share in every channel.
    const bg = [246, 248, 250];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const shares: number[] = [];
      for (let k = 0; k < 3; k++) {
        const span = colour[k]! - bg[k]!;
        if (Math.abs(span) > 40) shares.push((data[i + k]! - bg[k]!) / span);
      }
      if (shares.length > 0 && Math.min(...shares) >= 0.35 && Math.max(...shares) <= 1.1 && Math.max(...shares) - Math.min(...shares) < 0.2) n++;
    }
    return n;
  }, rgb);
}

test('under load through Fastify, the status page draws request rate, p50/p99, state ticks and pool retries/no-live as inline SVG that moves, under its CSP', async (t) => {
  const chromiumPath = await ensureChromium();
  const [a, b, c, d, e] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => startBackend(n)));
  if (!a || !b || !c || !d || !e) throw new Error('backends');
  t.after(() => Promise.all([a, b, c, d, e].map((x) => x.stop())));
  // a fast with a slow request now and then (p99 above p50), c slow, b drops every 9th connection (retried).
  answerIn(a, 2, 25, 60);
  answerIn(c, 25);
  answerIn(d, 1);
  answerIn(e, 3);
  let bSeen = 0;
  b.handle((req, res) => {
    if (++bSeen % 9 === 0) {
      req.socket.destroy();
      return;
    }
    // sleep-ok: a backend that answers late on purpose (its latency is what the graph shows).
    setTimeout(() => res.end('b'), 6);
  });

  const app = Fastify();
  t.after(() => app.close());
  await app.register(fastifySwitchyard, {
    upstreams: {
      // maxFails 0 on b: its dropped connections are retried and never mark it failed (the state ticks are the admin's).
      api: { servers: [{ url: a.url, weight: 2 }, { url: b.url, maxFails: 0 }, c.url] },
      assets: { balance: 'least-conn', servers: [d.url, e.url] },
    },
    locations: { '/api/': 'api', '/assets/': 'assets' },
    status: { path: '/_status', history: { interval: INTERVAL_MS, samples: SAMPLES } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sy = app.switchyard;

  let sent = 0;
  const get = async (path: string): Promise<void> => {
    sent++;
    const res = await fetch(base + path);
    await res.arrayBuffer();
  };
  const statusJson = async (): Promise<StatusSnapshot> => {
    const res = await fetch(`${base}/_status`, { headers: { accept: 'application/json' } });
    return (await res.json()) as StatusSnapshot;
  };
  /** Sends batches of `concurrency` requests (2 api, 1 asset in 3) until the status JSON shows `target` samples. */
  const loadUntil = async (target: number, concurrency: number): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    for (let batch = 0; batch < 20_000; batch++) {
      await Promise.all(Array.from({ length: concurrency }, (_, i) => get(i % 3 === 2 ? '/assets/app.js' : `/api/items/${batch}`)));
      if ((await statusJson()).history!.total >= target) return;
      if (Date.now() > deadline) break;
    }
    throw new Error(`the status JSON did not reach ${target} samples`);
  };

  // The scenario, in samples: the load rises and falls; b is taken down from 20 to 26; the assets
  // pool has no live server from 22 to 24; a is drained from 28 to 32; 44 samples fill the ring of 40.
  // The changes come late so that they are still in the ring when the page redraws (a few samples later).
  await loadUntil(6, 2);
  await loadUntil(12, 8);
  await loadUntil(20, 4);
  sy.setServer('api', b.url, { down: true });
  await loadUntil(22, 12);
  for (const s of [d, e]) sy.setServer('assets', s.url, { down: true });
  await loadUntil(24, 12);
  for (const s of [d, e]) sy.setServer('assets', s.url, { down: false });
  await loadUntil(26, 8);
  sy.setServer('api', b.url, { down: false });
  await loadUntil(28, 6);
  sy.setServer('api', a.url, { drain: true });
  await loadUntil(32, 3);
  sy.setServer('api', a.url, { drain: false });
  await loadUntil(38, 9);
  await loadUntil(44, 4);

  const snap = await statusJson();
  assert.deepEqual(
    { ...snap.history, total: undefined },
    { intervalMs: INTERVAL_MS, samples: SAMPLES, keep: SAMPLES, total: undefined },
    'the ring holds the last 40 samples',
  );
  assert.ok(snap.history!.total >= 44);
  const api = snap.upstreams.api!;
  const history = (url: string) => api.servers.find((s) => s.url === url)!.history!;
  assert.ok(
    api.history!.retries.some((n) => n > 0),
    'retries counted',
  );
  assert.ok(
    snap.upstreams.assets!.history!.noLive.some((n) => n > 0),
    'no-live-upstream counted',
  );
  assert.ok(history(b.url).states.includes('down') && history(b.url).states.at(-1) === 'up', 'b down, then up');
  assert.ok(history(a.url).states.includes('draining'), 'a drained');
  assert.ok(
    history(c.url).p50.some((ms) => ms >= 25),
    'c is slow',
  );
  const changes = (states: readonly string[]): number => states.filter((s, i) => i > 0 && s !== states[i - 1]).length;

  const browser = await chromium.launch({ executablePath: chromiumPath.path, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1600, height: 470 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  const response = await page.goto(`${base}/_status`);
  assert.equal(response?.status(), 200);
  // The page comes with its CSP: only its own inline script and style (by hash), no 'unsafe-inline'.
  assert.equal(response?.headers()['content-security-policy'], STATUS_PAGE_CSP);
  assert.doesNotMatch(STATUS_PAGE_CSP, /unsafe-inline|unsafe-eval|https?:/);

  const check = async (when: string): Promise<void> => {
    const shown = await page.locator('section[data-upstream="api"] tr[data-url]').count();
    assert.equal(shown, 3, when);
    for (const url of [a.url, b.url, c.url, d.url, e.url]) {
      const lines = page.locator(`tr[data-url="${url}"] svg.spark polyline`);
      assert.deepEqual(await lines.evaluateAll((ls) => ls.map((l) => l.getAttribute('class'))), ['line-req', 'line-p50', 'line-p99'], `${when}: ${url}`);
      const points = await lines.evaluateAll((ls) => ls.map((l) => (l.getAttribute('points') ?? '').split(' ').length));
      assert.deepEqual(points, [SAMPLES, SAMPLES, SAMPLES], `${when}: one point per sample`);
    }
    // b went down and came back up, a was drained and undrained: a tick on both of their graphs for each change.
    assert.equal(await page.locator(`tr[data-url="${b.url}"] line.mark.m-down`).count(), 2, `${when}: b down`);
    assert.equal(await page.locator(`tr[data-url="${b.url}"] line.mark.m-up`).count(), 2, `${when}: b up`);
    assert.equal(await page.locator(`tr[data-url="${a.url}"] line.mark.m-draining`).count(), 2, `${when}: a draining`);
    assert.equal(await page.locator(`tr[data-url="${c.url}"] line.mark`).count(), 0, `${when}: c never changed`);
    for (const s of [b, a]) {
      const marks = await page.locator(`tr[data-url="${s.url}"] line.mark`).count();
      assert.ok(marks >= 2 && marks % 2 === 0, `${when}: ticks of ${s.name}`);
    }
    assert.equal(await page.locator('section[data-upstream="api"] .pool-graph polyline').count(), 2, when);
    assert.match((await page.locator('section[data-upstream="api"] .pool-graph .k-retry').textContent()) ?? '', /^retries [1-9]\d*$/);
    assert.match((await page.locator('section[data-upstream="assets"] .pool-graph .k-nolive').textContent()) ?? '', /^no live [1-9]\d*$/);
  };
  await check('server-rendered');
  assert.equal(await page.locator(`tr[data-url="${b.url}"] line.mark`).count(), 2 * changes(history(b.url).states));

  // The graphs move: more load while the page is open, until its own script (allowed by the CSP's
  // hash) has fetched the JSON and redrawn a's request line with the new samples.
  const before = await page.locator(`tr[data-url="${a.url}"] polyline.line-req`).getAttribute('points');
  let moving = true;
  const background = (async () => {
    const deadline = Date.now() + WAIT_MS;
    for (let i = 0; moving && i < 50_000 && Date.now() < deadline; i++)
      await Promise.all([get(`/api/more/${i}`), get(`/api/more/${i}`), get('/assets/more.js')]);
  })();
  try {
    await page.waitForFunction(
      ({ old, url }) => {
        const meta = document.getElementById('updated')?.textContent ?? '';
        const line = document.querySelector(`tr[data-url="${url}"] polyline.line-req`);
        return meta.startsWith('updated ') && line !== null && line.getAttribute('points') !== old;
      },
      { old: before, url: a.url },
      { timeout: WAIT_MS },
    );
  } finally {
    moving = false;
    await background;
  }
  await check('re-rendered by the script');
  assert.notEqual(await page.locator(`tr[data-url="${a.url}"] polyline.line-req`).getAttribute('points'), before);

  const dir = mkdtempSync(join(tmpdir(), 'switchyard-status-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shot = join(dir, 'status-page-graphs.png');
  await page.screenshot({ path: shot, fullPage: true });
  // Only the graphs themselves (the labels beside them have the lines' colours).
  const requestShot = await page.locator(`tr[data-url="${b.url}"] td.graph svg`).nth(0).screenshot();
  const latencyShot = await page.locator(`tr[data-url="${b.url}"] td.graph svg`).nth(1).screenshot();
  const poolShot = await page.locator('section[data-upstream="assets"] .pool-graph svg').screenshot();
  const png = readFileSync(shot);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual(problems, [], 'no CSP violation or script error');
  if (process.env.SWITCHYARD_SCREENSHOT !== undefined) copyFileSync(shot, new URL('../../docs/status-page-graphs.png', import.meta.url).pathname);

  // The CSP is enforced, not only sent: a script injected into the page is refused, the graphs stay drawn.
  const refused = await page.evaluate(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (ev) => window.violations!.push(ev.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'window.injected = true';
    document.head.appendChild(s);
    return { injected: window.injected === true, violations: window.violations };
  });
  assert.equal(refused.injected, false);
  await page.waitForFunction(() => (window.violations ?? []).length > 0, undefined, { timeout: WAIT_MS });
  assert.equal(await page.locator(`tr[data-url="${b.url}"] svg.spark polyline`).count(), 3, 'graphs still drawn');

  // The pixels: b's request line (blue) with its down tick (grey), its p50 (green) and p99 (orange); the assets pool's no-live line (red).
  const blank = await browser.newPage();
  assert.ok((await countColour(blank, requestShot, [9, 105, 218])) > 30, 'request-rate line');
  assert.ok((await countColour(blank, requestShot, [110, 119, 129])) > 10, 'down tick');
  assert.ok((await countColour(blank, latencyShot, [188, 76, 0])) > 30, 'p99 line');
  assert.ok((await countColour(blank, latencyShot, [26, 127, 55])) > 30, 'p50 line');
  assert.ok((await countColour(blank, poolShot, [207, 34, 46])) > 10, 'no-live line');
  assert.ok(sent > 0);
});
