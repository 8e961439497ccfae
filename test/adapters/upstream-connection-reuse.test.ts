/** @module Scenario: upstream keep-alive connections are reused, counted on a real backend: sequential, concurrent, and after clients abandon requests (issue 18). */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { drivers } from './drivers/index.js';
import { startProxy, totalActive } from './support/setup.js';
import { waitFor } from './support/http.js';

/** A backend that counts the connections it accepted and saw closed; `/slow` answers after 40 ms, `/held` when released, `/half` sends half its body then the rest when released. */
interface CountingBackend {
  readonly url: string;
  accepted: number;
  closed: number;
  received: number;
  /** Responses fully written. */
  answered: number;
  /** Answers every `/held` request (those waiting and those to come). */
  release(): void;
}

async function countingBackend(t: TestContext): Promise<CountingBackend> {
  const sockets = new Set<Socket>();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const backend = { url: '', accepted: 0, closed: 0, received: 0, answered: 0, release: () => release() };
  const server: Server = createServer((req, res) => {
    backend.received++;
    res.on('finish', () => backend.answered++);
    const answer = (): void => {
      res.setHeader('content-type', 'text/plain');
      res.end(`answer to ${req.url ?? ''}`);
    };
    if (req.url === '/slow') setTimeout(answer, 40);
    else if (req.url === '/held') void held.then(answer);
    else if (req.url === '/half') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 20 });
      res.write('first ten.');
      void held.then(() => res.end('second ten'));
    } else answer();
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    backend.accepted++;
    sockets.add(socket);
    socket.on('close', () => {
      backend.closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(async () => {
    release();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  });
  return backend;
}

/** GET through `agent`; resolves with the body. */
function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: upstream connection reuse`, () => {
    it('sends 40 sequential requests over one upstream connection', async (t) => {
      const backend = await countingBackend(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url] }, locations: { '/': 'app' } });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      t.after(() => agent.destroy());
      for (let i = 0; i < 40; i++) assert.equal(await get(`${proxy.url}/seq/${i}`, agent), `answer to /seq/${i}`);
      assert.equal(backend.accepted, 1, 'one upstream connection for 40 sequential requests');
      assert.equal(backend.closed, 0);
    });

    it('opens at most one upstream connection per concurrent request over 5 rounds of 10', async (t) => {
      const backend = await countingBackend(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url] }, locations: { '/': 'app' } });
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      t.after(() => agent.destroy());
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => get(`${proxy.url}/slow`, agent)));
        assert.ok(answers.every((a) => a === 'answer to /slow'));
      }
      assert.ok(backend.accepted <= 10, `at most 10 upstream connections for 50 requests, 10 at a time (got ${backend.accepted})`);
      assert.equal(backend.closed, 0);
    });

    // Express only: Fastify's undici pool destroys the connection of an aborted request (as nginx
    // does); the Express adapter reads a near, small answer out instead (abandoned-answer.ts).
    if (driver.name !== 'express') return;
    it('keeps the upstream connections of requests whose clients left before the answer', async (t) => {
      const backend = await countingBackend(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url] }, locations: { '/': 'app' } });
      // Ten clients send a request the backend answers only once they have left (a load generator
      // stopping, a browser navigating away): the proxy then holds ten abandoned answers to read out.
      const abandoned: ClientRequest[] = [];
      for (let i = 0; i < 10; i++) {
        const req = httpRequest(`${proxy.url}/held`, { agent: false });
        req.on('error', () => {});
        req.end();
        abandoned.push(req);
      }
      await waitFor(() => backend.received === 10);
      assert.equal(totalActive(proxy), 10);
      for (const req of abandoned) req.destroy();
      await waitFor(() => totalActive(proxy) === 0);
      backend.release();
      await waitFor(() => backend.answered === 10);
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      t.after(() => agent.destroy());
      // A barrier: one round trip through the proxy after the ten answers were written (several turns of
      // its event loop), by when it has read each answer out of its connection (a read-out that hung
      // would keep that connection busy, and the ten requests below would open new ones).
      assert.equal(await get(`${proxy.url}/barrier`, agent), 'answer to /barrier');
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => get(`${proxy.url}/next/${i}`, agent)));
      assert.deepEqual(
        answers,
        Array.from({ length: 10 }, (_, i) => `answer to /next/${i}`),
      );
      assert.equal(backend.closed, 0, 'no upstream connection was cut for an abandoned request');
      assert.equal(backend.accepted, 10, 'the next ten requests reused the ten connections');
    });

    it('keeps the upstream connection of a request whose client left in the middle of a small answer', async (t) => {
      const backend = await countingBackend(t);
      const other = await countingBackend(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url], other: [other.url] }, locations: { '/other/': 'other', '/': 'app' } });
      // The client leaves once the first half of the body reached it: the head is in, the rest is not.
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${proxy.url}/half`, { agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.end();
      });
      await waitFor(() => totalActive(proxy) === 0);
      backend.release();
      await waitFor(() => backend.answered === 1);
      // A barrier on another upstream: a round trip through the proxy after the rest was written.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      t.after(() => agent.destroy());
      assert.equal(await get(`${proxy.url}/other/barrier`, agent), 'answer to /other/barrier');
      assert.equal(await get(`${proxy.url}/next`, agent), 'answer to /next');
      assert.equal(backend.closed, 0, 'the connection of the abandoned answer was not cut');
      assert.equal(backend.accepted, 1, 'the next request reused it: the rest of the answer was read out');
    });
  });
}
