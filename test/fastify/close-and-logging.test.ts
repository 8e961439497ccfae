/** @module Closing the app stops health checks and tunnels; state changes are logged once each, never per request. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { backendsFor } from '../adapters/support/setup.js';
import { bodies, waitFor } from '../adapters/support/http.js';
import { startApp } from './support.js';

describe('close and logging', () => {
  it('stops active health checks on close', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { app } = await startApp(t, {
      upstreams: { app: { servers: [backend!.url], healthCheck: { path: '/health', interval: '50ms' } } },
      locations: { '/': 'app' },
    });
    await waitFor(() => backend!.seen.filter((s) => s.url === '/health').length >= 2);
    await app.close();
    const probes = backend!.seen.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(backend!.seen.length, probes);
  });

  it('logs a server going down once, and nothing for the requests themselves', async (t) => {
    const backends = await backendsFor(t, 2);
    const lines: Array<{ level: number; msg: string }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    await backends[1]!.stop();
    const { url } = await startApp(
      t,
      { upstreams: { app: backends.map((b) => b.url) }, locations: { '/': 'app' } },
      undefined,
      { logger: { level: 'info', stream } },
    );
    assert.deepEqual(await bodies(`${url}/`, 6), Array(6).fill('Server 1'));
    const ours = lines.filter((l) => l.msg.startsWith('switchyard:'));
    assert.deepEqual(ours.map((l) => l.msg), [`switchyard: app ${backends[1]!.url} is failed (passive)`]);
    assert.equal(ours[0]!.level, 40);
    // reply-from's own per-request lines are off.
    assert.equal(lines.filter((l) => l.msg === 'fetching from remote server' || l.msg === 'response received').length, 0);
    assert.equal(lines.filter((l) => l.msg === 'incoming request').length, 6);
  });
});
