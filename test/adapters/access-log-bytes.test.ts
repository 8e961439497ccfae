/** @module `$bytes_sent` on both adapters: the logged value is the number of bytes a raw client received for the response (head included); `$body_bytes_sent` what followed the head. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import express from 'express';
import switchyardFastify from '@switchyard/fastify';
import { switchyard as switchyardExpress } from '@switchyard/express';
import type { SwitchyardOptions } from '@switchyard/core';
import { waitFor } from './support/http.js';

const FORMAT = '$request_uri $status $bytes_sent $body_bytes_sent';

/** An upstream with a Content-Length answer, a chunked one and an empty 204. */
async function startUpstream(t: TestContext): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/fixed') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 10, 'x-pad': 'p'.repeat(100) });
      res.end('fixed body');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part, ');
      res.end('second part');
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Writes the requests one after the other on one connection (the last with Connection: close) and counts what came back until the server closed. */
function receivedBytes(port: number, paths: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let total = 0;
    let pending = Buffer.alloc(0);
    let next = 0;
    const sendNext = (): void => {
      const path = paths[next++] as string;
      const last = next === paths.length;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: app.test\r\n${last ? 'Connection: close\r\n' : ''}\r\n`);
    };
    socket.on('connect', sendNext);
    socket.on('data', (c: Buffer) => {
      total += c.length;
      if (next === paths.length) return;
      // A keep-alive answer is complete at its end (Content-Length, the last chunk, or an empty 204): then the next request.
      pending = Buffer.concat([pending, c]);
      const text = pending.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /content-length: (\d+)/i.exec(text.slice(0, headEnd));
      const done = length !== null ? text.length >= headEnd + 4 + Number(length[1]) : /^HTTP\/1\.1 204/.test(text) || text.endsWith('0\r\n\r\n');
      if (!done) return;
      pending = Buffer.alloc(0);
      sendNext();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(total));
  });
}

interface Target {
  port: number;
  lines: string[];
}

const adapters: Array<{ name: string; start(t: TestContext, options: SwitchyardOptions): Promise<Target> }> = [
  {
    name: 'fastify',
    async start(t, options) {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n')) {
            if (!line) continue;
            const parsed = JSON.parse(line) as { access?: string };
            if (parsed.access !== undefined) lines.push(parsed.access);
          }
          done();
        },
      });
      const app = Fastify({ logger: { level: 'info', stream } });
      t.after(() => app.close());
      await app.register(switchyardFastify, options);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { port: (app.server.address() as AddressInfo).port, lines };
    },
  },
  {
    name: 'express',
    async start(t, options) {
      const lines: string[] = [];
      const lb = switchyardExpress(options, { logger: false, accessLog: (l) => lines.push(l) });
      const app = express();
      app.use(lb);
      const server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(async () => {
        await lb.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
      return { port: (server.address() as AddressInfo).port, lines };
    },
  },
];

/** The `$bytes_sent` of each line, and a check that `$body_bytes_sent` is smaller by a head's worth. */
function bytesOf(lines: readonly string[]): number[] {
  return lines.map((line) => {
    const [, , total, body] = line.split(' ');
    assert.ok(Number(total) > Number(body), `the head is counted in $bytes_sent only: ${line}`);
    return Number(total);
  });
}

for (const adapter of adapters) {
  describe(`${adapter.name}: $bytes_sent`, () => {
    it('equals the bytes the client received: Content-Length, chunked and empty answers, alone and on one keep-alive connection', async (t) => {
      const upstream = await startUpstream(t);
      const target = await adapter.start(t, { upstreams: { app: [upstream] }, locations: { '/': 'app' }, accessLog: FORMAT });
      for (const path of ['/fixed', '/chunked', '/empty']) {
        const before = target.lines.length;
        const received = await receivedBytes(target.port, [path]);
        await waitFor(() => target.lines.length === before + 1);
        assert.deepEqual(bytesOf(target.lines.slice(before)), [received], `${path}: ${target.lines.at(-1)}`);
      }
      // Three answers on one connection: each line counts its own response, no more.
      const before = target.lines.length;
      const received = await receivedBytes(target.port, ['/fixed', '/chunked', '/empty']);
      await waitFor(() => target.lines.length === before + 3);
      const logged = bytesOf(target.lines.slice(before));
      assert.equal(
        logged.reduce((a, b) => a + b, 0),
        received,
      );
      assert.ok(logged.every((n) => n > 0));
      assert.match(target.lines.at(-3) ?? '', /^\/fixed 200 \d+ 10$/);
    });
  });
}
