/** @module `closeTimeout`: at close, proxied requests still open (here a server-sent-events stream that never ends) get the grace, then are cut; close() resolves in both adapters. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyardPlugin from '@switchyard/fastify';
import { switchyard } from '@switchyard/express';
import type { SwitchyardOptions } from '@switchyard/core';

interface SseBackend {
  url: string;
  /** Upstream requests whose connection closed (the proxy let go of them). */
  released: number;
  /** Streams still open on the backend. */
  open: number;
  /** `/slow` requests that reached the backend. */
  slow: number;
}

/** A backend that answers /events with an event stream that never ends, and /slow after a short wait. */
async function sseBackend(t: TestContext): Promise<SseBackend> {
  const state = { url: '', released: 0, open: 0, slow: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') {
      state.slow++;
      const timer = setTimeout(() => res.end('finished'), 150);
      timers.add(timer);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: hello\n\n');
    state.open++;
    const timer = setInterval(() => res.write(': ping\n\n'), 50);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      state.open--;
      state.released++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(async () => {
    for (const timer of timers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}

/** Opens the stream through the proxy; resolves once the first event arrived. `ended` settles when the client's stream closes: `complete` false = cut. */
async function openStream(url: string): Promise<{ ended: Promise<{ complete: boolean; text: string }> }> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/events`, { agent: false }, (res: IncomingMessage) => {
      let text = '';
      const ended = new Promise<{ complete: boolean; text: string }>((done) => {
        res.on('close', () => done({ complete: res.complete, text }));
      });
      res.on('error', () => {});
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('data: hello')) resolve({ ended });
      });
    });
    req.on('error', reject);
  });
}

function slowCall(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${url}/slow`, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    }).on('error', reject);
  });
}

interface Running {
  url: string;
  /** The adapter's documented shutdown. */
  close(): Promise<void>;
  /** Lines logged at warn or above. */
  readonly warnings: string[];
}

const adapters: Array<{ name: string; start(t: TestContext, options: SwitchyardOptions): Promise<Running> }> = [
  {
    name: 'fastify',
    async start(t, options) {
      const warnings: string[] = [];
      const stream = {
        write(line: string) {
          const entry = JSON.parse(line) as { level: number; msg: string; err?: { message?: string } };
          if (entry.level >= 40) warnings.push(`${entry.msg} ${entry.err?.message ?? ''}`);
        },
      };
      const app = Fastify({ logger: { level: 'info', stream } });
      t.after(() => app.close());
      await app.register(switchyardPlugin, options);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close(), warnings };
    },
  },
  {
    name: 'express',
    async start(t, options) {
      const warnings: string[] = [];
      const lb = switchyard(options, { logger: { info: () => {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) } });
      const app = express();
      app.use(lb);
      const server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(async () => {
        server.closeAllConnections();
        await lb.close();
      });
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        warnings,
        async close() {
          // The README's shutdown: stop accepting, let open requests finish (within closeTimeout), close.
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          await lb.close();
          await closed;
        },
      };
    },
  },
];

for (const adapter of adapters) {
  describe(`closeTimeout (${adapter.name})`, () => {
    it('cuts a server-sent-events stream that never ends after the grace; close() resolves', async (t) => {
      const backend = await sseBackend(t);
      const proxy = await adapter.start(t, { upstreams: { sse: [backend.url] }, locations: { '/': 'sse' }, closeTimeout: '300ms' });
      const stream = await openStream(proxy.url);
      await proxy.close();
      const end = await stream.ended;
      assert.equal(end.complete, false);
      assert.match(end.text, /data: hello/);
      // The upstream side is let go as well.
      for (let i = 0; i < 100 && backend.open > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(backend.open, 0);
      assert.equal(backend.released, 1);
      // An expected cut: nothing logged as a warning or an error (no ClientDestroyedError).
      assert.deepEqual(proxy.warnings, []);
    });

    it('cuts a request still waiting for its rewriteRequest hook after the grace; close() resolves', async (t) => {
      const backend = await sseBackend(t);
      let hookCalled!: () => void;
      const called = new Promise<void>((resolve) => (hookCalled = resolve));
      let releaseHook!: () => void;
      const hookHeld = new Promise<void>((resolve) => (releaseHook = resolve));
      t.after(() => releaseHook());
      const proxy = await adapter.start(t, {
        upstreams: { sse: [backend.url] },
        locations: {
          '/': {
            upstream: 'sse',
            // An authorisation lookup that hangs through the shutdown.
            async rewriteRequest() {
              hookCalled();
              await hookHeld;
            },
          },
        },
        closeTimeout: '200ms',
      });
      const answer = slowCall(proxy.url).then(
        (text) => `answered: ${text}`,
        (err: Error) => `cut: ${err.message}`,
      );
      await called;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('close() still waiting after 5 s'), 5000)));
      assert.equal(await Promise.race([proxy.close().then(() => 'closed'), late]), 'closed');
      clearTimeout(timer);
      assert.match(await answer, /^cut: /);
      assert.equal(backend.released, 0);
    });

    it('lets a request that finishes within the grace complete before close() resolves', async (t) => {
      const backend = await sseBackend(t);
      const proxy = await adapter.start(t, { upstreams: { sse: [backend.url] }, locations: { '/': 'sse' }, closeTimeout: '20s' });
      const answer = slowCall(proxy.url);
      // The request is in flight at the upstream before close starts.
      for (let i = 0; i < 250 && backend.slow === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(backend.slow, 1, 'the request reached the upstream');
      const settled = answer.then(
        (text) => text,
        (err: Error) => `cut: ${err.message}`,
      );
      await proxy.close();
      // Not cut by the close: the whole answer arrived (closeTimeout 0 would have cut it).
      assert.equal(await settled, 'finished');
    });
  });
}
