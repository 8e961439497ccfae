/** @module Scenario: malformed upstream answers give 502 (retried for GET); a body cut short never looks complete. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';

/** A TCP server that answers every request with exactly these bytes, then ends or destroys the socket. */
async function rawBackend(t: TestContext, bytes: string, destroy = false): Promise<{ url: string; hits: number }> {
  const state = { url: '', hits: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      state.hits++;
      socket.write(bytes, () => (destroy ? socket.destroy() : socket.end()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

for (const driver of drivers) {
  describe(`${driver.name}: broken upstreams`, () => {
    it('answers 502 for a response that is not HTTP', async (t) => {
      const garbage = await rawBackend(t, 'this is not http\r\n\r\n');
      const proxy = await startProxy(t, driver, { upstreams: { app: [garbage.url] }, locations: { '/': 'app' } });
      const answer = await call(`${proxy.url}/`);
      assert.equal(answer.status, 502);
      assert.match(answer.body, /^502 Bad Gateway/);
      assert.equal(totalActive(proxy), 0);
    });

    it('retries a GET after a malformed answer when invalid_header is listed', async (t) => {
      const garbage = await rawBackend(t, 'HTTP/1.1 abc nope\r\n\r\n');
      const [good] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [garbage.url, good!.url], retry: { on: ['error', 'timeout', 'invalid_header'] } } },
        locations: { '/': 'app' },
      });
      const answer = await call(`${proxy.url}/`);
      assert.deepEqual([answer.status, answer.body], [200, 'Server 1']);
      assert.equal(garbage.hits, 1);
    });

    it('answers 502 (invalid_header: the default retry list does not move on) for a bad header, a 999 status and an unasked 101', async (t) => {
      const raws = [
        'HTTP/1.1 200 OK\r\nX-Bad: a\u0000b\r\nContent-Length: 2\r\n\r\nok',
        'HTTP/1.1 999 Odd\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n',
      ];
      for (const raw of raws) {
        const broken = await rawBackend(t, raw);
        const [good] = await backendsFor(t, 1);
        const proxy = await startProxy(t, driver, { upstreams: { app: [broken.url, { url: good!.url, backup: true }] }, locations: { '/': 'app' } });
        const answer = await call(`${proxy.url}/`);
        assert.deepEqual([answer.status, broken.hits, good!.seen.length], [502, 1, 0], raw.split('\r\n')[0]);
        assert.equal(totalActive(proxy), 0);
      }
    });

    it('never delivers a body cut short as complete, and counts the failure', async (t) => {
      const cut = await rawBackend(t, 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\nonly part', true);
      const proxy = await startProxy(t, driver, { upstreams: { app: [cut.url] }, locations: { '/': 'app' } });
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest(`${proxy.url}/`, { agent: false }, (res) => {
          let got = 0;
          res.on('data', (c: Buffer) => (got += c.length));
          res.on('end', () => resolve(res.statusCode === 200 && got === 100 ? 'complete' : `status ${res.statusCode} ${got} bytes`));
          res.on('error', () => resolve('reset'));
          res.on('aborted', () => resolve('reset'));
        });
        req.on('error', () => resolve('reset'));
        req.end();
      });
      assert.notEqual(outcome, 'complete');
      await waitFor(() => totalActive(proxy) === 0);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 1);
    });
  });
}
