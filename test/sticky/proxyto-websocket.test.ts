/** @module WebSockets on proxyTo routes: the upgrade goes through the app (hooks and middleware apply); routes that do not proxy answer normally. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import fastifySwitchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import { startNamedBackends } from './named-backends.js';
import { wsOnce } from './named-backends.js';

/** Sends a raw upgrade request and reads until the server closes: the status line and whether it closed. */
function rawUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`socket not closed within 5 s: ${JSON.stringify(text)}`));
    }, 5000);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.on('error', reject);
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
    );
  });
}

async function backends(t: TestContext) {
  const list = await startNamedBackends(2);
  t.after(() => Promise.all(list.map((b) => b.stop())).then(() => undefined));
  return list;
}

const APPS = {
  async fastify(t: TestContext, urls: string[]): Promise<number> {
    const app = Fastify();
    t.after(() => app.close());
    await app.register(fastifySwitchyard, { upstreams: { pool: urls } });
    // An auth hook in front of the proxied routes: it applies to WebSocket upgrades too.
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/private/') && req.headers.authorization !== 'Bearer ok') await reply.code(401).send('no');
    });
    app.all('/ws/*', (_req, reply) => reply.proxyTo('pool'));
    app.all('/private/*', (_req, reply) => reply.proxyTo('pool'));
    app.all('/off/*', (_req, reply) => reply.proxyTo('pool', { websocket: false }));
    app.get('/plain', async () => 'plain');
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as AddressInfo).port;
  },
  async express(t: TestContext, urls: string[]): Promise<number> {
    const lb = expressSwitchyard({ upstreams: { pool: urls } });
    const app = express();
    app.use('/private', (req, res, next) => (req.headers.authorization === 'Bearer ok' ? next() : res.status(401).send('no')));
    app.use('/ws', lb.proxyTo('pool'));
    app.use('/private', lb.proxyTo('pool'));
    app.use('/off', lb.proxyTo('pool', { websocket: false }));
    app.get('/plain', (_req, res) => res.send('plain'));
    const server = createServer(app);
    server.on('upgrade', lb.upgrade);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      await lb.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    });
    return (server.address() as AddressInfo).port;
  },
};

for (const [name, start] of Object.entries(APPS)) {
  describe(`${name}: WebSocket upgrades on proxyTo routes`, () => {
    it("tunnel through the route, round robin, with the app's hooks applied", async (t) => {
      const list = await backends(t);
      const port = await start(
        t,
        list.map((b) => b.url),
      );
      const names = [(await wsOnce(`ws://127.0.0.1:${port}/ws/a`)).name, (await wsOnce(`ws://127.0.0.1:${port}/ws/b`)).name];
      assert.deepEqual(names.sort(), ['a', 'b']);
      const refused = await rawUpgrade(port, '/private/x');
      assert.equal(refused.status, 401);
      assert.match(refused.text, /connection: close/i);
      assert.equal((await wsOnce(`ws://127.0.0.1:${port}/private/x`, { authorization: 'Bearer ok' })).name.length, 1);
    });

    it('a route that does not proxy answers as usual and the socket closes; websocket: false refuses', async (t) => {
      const list = await backends(t);
      const port = await start(
        t,
        list.map((b) => b.url),
      );
      const plain = await rawUpgrade(port, '/plain');
      assert.equal(plain.status, 200);
      assert.match(plain.text, /plain$/);
      assert.equal((await rawUpgrade(port, '/nowhere')).status, 404);
      assert.equal((await rawUpgrade(port, '/off/x')).status, 404);
    });
  });
}
