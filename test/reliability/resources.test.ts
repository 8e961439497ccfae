/** @module Reliability: 200 MB through the proxy each way (slow reader, slow writer target) with the proxy's memory growth bounded (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { startBackend } from '../helpers/backends.js';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { send, startProxy, sumOf } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

const MB = 1024 * 1024;
const SIZE = 200 * MB;
const PIECE = Buffer.alloc(64 * 1024, 0x61);
/** Memory growth allowed for 200 MB bodies: a bound on buffering, not on speed. */
const MAX_GROWTH = 100 * MB;

/** `size` bytes of 'a', produced only as fast as they are consumed. */
function body(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, PIECE.length);
      left -= n;
      this.push(n === PIECE.length ? PIECE : PIECE.subarray(0, n));
    },
  });
}

/** Samples RSS and heap every 25 ms; `stop()` gives the peaks. */
function sampleMemory(): { stop(): { rss: number; heap: number; external: number } } {
  const peak = { rss: 0, heap: 0, external: 0 };
  const take = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.external = Math.max(peak.external, m.external + m.arrayBuffers);
  };
  take();
  const timer = setInterval(take, 25);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

function baseline(): { rss: number; heap: number; external: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

const mb = (n: number): string => `${(n / MB).toFixed(1)} MB`;

for (const driver of drivers) {
  describe(`resources (${driver.name})`, () => {
    test('a 200 MB download to a slow-reading client streams with bounded memory', async (t) => {
      const up = await startBackend('big');
      t.after(() => up.stop());
      up.handle((req, res) => {
        const size = req.url === '/warm' ? MB : SIZE;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
        body(size).pipe(res);
      });
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up.url] }, locations: { '/': 'pool' } });
      assert.equal((await send(`${proxy.url}/warm`)).body.length, MB);
      const before = baseline();
      const sampler = sampleMemory();
      const received = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${proxy.url}/big`, { agent: false }, (res) => {
          let n = 0;
          let nextPause = 8 * MB;
          res.on('data', (chunk: Buffer) => {
            n += chunk.length;
            if (n >= nextPause) {
              // A slow reader: stop reading for a while every 8 MB, so backpressure has to hold.
              nextPause += 8 * MB;
              res.pause();
              setTimeout(() => res.resume(), 20);
            }
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      const peak = sampler.stop();
      t.diagnostic(`download 200 MB: rss +${mb(peak.rss - before.rss)}, heap +${mb(peak.heap - before.heap)}, buffers +${mb(peak.external - before.external)}`);
      assert.equal(received, SIZE);
      assert.ok(peak.rss - before.rss < MAX_GROWTH, `rss grew by ${mb(peak.rss - before.rss)}`);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
    });

    test('a 200 MB upload streams to the upstream with bounded memory', async (t) => {
      const up = await startBackend('sink');
      t.after(() => up.stop());
      up.handle((req, res) => {
        let n = 0;
        let nextPause = 8 * MB;
        req.on('data', (chunk: Buffer) => {
          n += chunk.length;
          if (n >= nextPause) {
            nextPause += 8 * MB;
            req.pause();
            setTimeout(() => req.resume(), 20);
          }
        });
        req.on('end', () => res.end(String(n)));
      });
      const proxy = await startProxy(t, driver, { upstreams: { pool: [up.url] }, locations: { '/': 'pool' } });
      const before = baseline();
      const sampler = sampleMemory();
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          `${proxy.url}/upload`,
          { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': SIZE } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        body(SIZE).pipe(req);
      });
      const peak = sampler.stop();
      t.diagnostic(`upload 200 MB: rss +${mb(peak.rss - before.rss)}, heap +${mb(peak.heap - before.heap)}, buffers +${mb(peak.external - before.external)}`);
      assert.equal(answer.status, 200, answer.text.slice(0, 200));
      assert.equal(answer.text, String(SIZE));
      assert.ok(peak.rss - before.rss < MAX_GROWTH, `rss grew by ${mb(peak.rss - before.rss)}`);
      assert.equal(sumOf(proxy.switchyard, 'pool', 'active'), 0);
    });
  });
}
