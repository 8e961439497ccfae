/** @module Security: idle WebSocket tunnels are closed (timeouts.websocketIdle, default the read timeout, as nginx), and clients that leave during the upstream handshake free everything at once (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSwitchyard, type SwitchyardInput } from '@switchyard/core';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { behaviours, startRawBackend } from '../reliability/support/raw-backend.js';
import { openSocket } from '../reliability/support/raw-client.js';
import type { ProxyUnderTest } from '../adapters/driver.js';

guardProcess();
const drivers = await loadDrivers();

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const UPGRADE = `GET /ws/x HTTP/1.1\r\nHost: proxy\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`;

/** A WebSocket-ish backend: completes the handshake and echoes raw bytes; counts open upgraded sockets. */
/** `handshake`: the 101 is sent once it settles (default at once). */
async function startTunnelBackend(handshake?: Promise<void>): Promise<{ url: string; open: () => number; upgrades: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<Duplex>();
  let upgrades = 0;
  const server: Server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades++;
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    const answer = (): void => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    };
    if (handshake !== undefined) void handshake.then(answer);
    else answer();
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    // As WebSocket servers do: the peer's FIN ends the connection.
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => sockets.size,
    upgrades: () => upgrades,
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens a tunnel through the proxy; resolves once the 101 arrived. */
async function openTunnel(port: number): Promise<Socket> {
  const socket = await openSocket(port);
  socket.write(UPGRADE);
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        if (head.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(head));
      }
    };
    socket.on('data', onData);
  });
  return socket;
}

function closed(socket: Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

async function waitUntil(what: string, check: () => boolean, maxMs = 5000): Promise<void> {
  const until = Date.now() + maxMs;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function totalActive(proxy: ProxyUnderTest): number {
  return Object.values(proxy.switchyard.status().upstreams)
    .flatMap((u) => u.servers)
    .reduce((sum, s) => sum + s.active, 0);
}

async function withTunnelProxy(
  driverName: string,
  input: (url: string) => SwitchyardInput,
  fn: (proxy: ProxyUnderTest, backend: Awaited<ReturnType<typeof startTunnelBackend>>) => Promise<void>,
): Promise<void> {
  const driver = drivers.find((d) => d.name === driverName);
  assert.ok(driver);
  const backend = await startTunnelBackend();
  const proxy = await driver.start(input(backend.url));
  try {
    await fn(proxy, backend);
  } finally {
    await proxy.close();
    await backend.stop();
  }
}

for (const driver of drivers) {
  describe(`WebSocket lifetime, ${driver.name}`, () => {
    test('an idle tunnel is closed after timeouts.websocketIdle; both sides go, active back to 0', async () => {
      await withTunnelProxy(
        driver.name,
        (url) => ({ upstreams: { ws: { servers: [url], timeouts: { websocketIdle: '300ms' } } }, locations: { '/ws/': 'ws' } }),
        async (proxy, backend) => {
          const client = await openTunnel(proxy.port);
          client.on('error', () => undefined);
          assert.equal(totalActive(proxy), 1);
          await closed(client);
          await waitUntil('the upstream side is closed', () => backend.open() === 0);
          await waitUntil('active is 0', () => totalActive(proxy) === 0);
        },
      );
    });

    test('without websocketIdle, the read timeout applies to idle tunnels (as nginx proxy_read_timeout)', async () => {
      await withTunnelProxy(
        driver.name,
        (url) => ({ upstreams: { ws: { servers: [url], timeouts: { read: '300ms' } } }, locations: { '/ws/': 'ws' } }),
        async (proxy, backend) => {
          const client = await openTunnel(proxy.port);
          client.on('error', () => undefined);
          await closed(client);
          await waitUntil('the upstream side is closed', () => backend.open() === 0);
          assert.equal(totalActive(proxy), 0);
        },
      );
    });

    test('a tunnel with traffic stays open past the idle timeout (the timer restarts on every byte)', async () => {
      await withTunnelProxy(
        driver.name,
        (url) => ({ upstreams: { ws: { servers: [url], timeouts: { websocketIdle: '1s' } } }, locations: { '/ws/': 'ws' } }),
        async (proxy) => {
          const client = await openTunnel(proxy.port);
          client.on('error', () => undefined);
          let echoed = 0;
          client.on('data', () => echoed++);
          // 15 rounds 100 ms apart: 1.5 s in all, longer than the idle timeout, never idle for it.
          for (let i = 0; i < 15; i++) {
            client.write('x');
            await new Promise((resolve) => setTimeout(resolve, 100));
            assert.equal(client.destroyed, false, `still open after round ${i + 1}`);
          }
          assert.ok(echoed > 0, 'bytes went both ways');
          client.destroy();
          await waitUntil('active is 0', () => totalActive(proxy) === 0);
        },
      );
    });

    test('a client that half-closes (FIN) an open tunnel frees it at once', async () => {
      await withTunnelProxy(
        driver.name,
        (url) => ({ upstreams: { ws: [url] }, locations: { '/ws/': 'ws' } }),
        async (proxy, backend) => {
          const client = await openTunnel(proxy.port);
          client.on('error', () => undefined);
          await waitUntil('the tunnel is up', () => backend.open() === 1);
          client.end();
          await waitUntil('the upstream side is closed', () => backend.open() === 0);
          await waitUntil('active is 0', () => totalActive(proxy) === 0);
        },
      );
    });

    test('bytes a client sends while the upstream handshake is under way reach the upstream after it, in order', async () => {
      const driverNow = drivers.find((d) => d.name === driver.name);
      assert.ok(driverNow);
      // The upstream answers its handshake only when the test says so: after the early bytes were sent.
      let answerHandshake: () => void = () => undefined;
      const backend = await startTunnelBackend(new Promise<void>((resolve) => (answerHandshake = resolve)));
      const proxy = await driverNow.start({ upstreams: { ws: [backend.url] }, locations: { '/ws/': 'ws' } });
      try {
        const client = await openSocket(proxy.port);
        let received = '';
        client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        client.write(UPGRADE);
        await waitUntil('the handshake request reached the upstream', () => backend.upgrades() === 1);
        client.write('early-1;');
        client.write('early-2;');
        answerHandshake();
        await waitUntil('the early bytes come back through the tunnel', () => received.includes('early-1;early-2;'));
        assert.ok(received.startsWith('HTTP/1.1 101'), 'the 101 first, then the echoed bytes');
        client.destroy();
        await waitUntil('active is 0', () => totalActive(proxy) === 0);
      } finally {
        answerHandshake();
        await proxy.close();
        await backend.stop();
      }
    });

    test('100 clients that leave during the upstream handshake leave 0 upstream sockets and active 0', async () => {
      const driverNow = drivers.find((d) => d.name === driver.name);
      assert.ok(driverNow);
      // The upstream accepts the handshake request and never answers it.
      const backend = await startRawBackend('silent', behaviours.hang());
      const proxy = await driverNow.start({ upstreams: { ws: [backend.url] }, locations: { '/ws/': 'ws' } });
      try {
        const clients: Socket[] = [];
        for (let i = 0; i < 100; i++) {
          const socket = await openSocket(proxy.port);
          socket.write(UPGRADE);
          clients.push(socket);
        }
        await waitUntil('every handshake reached the upstream', () => backend.requests.length === 100);
        assert.equal(totalActive(proxy), 100);
        for (const socket of clients.slice(0, 50)) socket.end();
        for (const socket of clients.slice(50)) socket.destroy();
        await waitUntil('no upstream socket is left', () => backend.openConnections === 0);
        await waitUntil('active is 0', () => totalActive(proxy) === 0);
        const status = proxy.switchyard.status().upstreams.ws?.servers[0];
        assert.equal(status?.fails, 0, 'clients leaving are not server failures');
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });
  });
}

test('timeouts.websocketIdle is validated at configuration time, naming the field', () => {
  assert.throws(
    () => createSwitchyard({ upstreams: { ws: { servers: ['http://127.0.0.1:9'], timeouts: { websocketIdle: 'soon' } } }, locations: { '/': 'ws' } }),
    /upstreams\.ws\.timeouts\.websocketIdle/,
  );
  const sy = createSwitchyard({
    upstreams: { ws: { servers: ['http://127.0.0.1:9'], timeouts: { read: '5s' } } },
    locations: { '/a/': 'ws', '/b/': { upstream: 'ws', timeouts: { websocketIdle: '2m' } } },
  });
  const a = sy.match('GET', '/a/x');
  const b = sy.match('GET', '/b/x');
  assert.ok(a && a.redirect === undefined && b && b.redirect === undefined);
  assert.equal(a.location.timeouts.websocketIdleMs, undefined, 'unset: idle tunnels follow read');
  assert.equal(a.location.timeouts.readMs, 5000);
  assert.equal(b.location.timeouts.websocketIdleMs, 120_000);
  void sy.close();
});
