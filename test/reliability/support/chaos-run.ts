/** @module The chaos run, in its own process (argument: adapter name): mixes every fault at once, then checks counts and sockets and must exit on its own. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { attachStateLogger } from '@switchyard/core';
import { loadDrivers, startWithServerTimeouts } from './drivers.js';
import { behaviours, startRawBackend, type RawBackend } from './raw-backend.js';
import { openSocket, rawSend } from './raw-client.js';
import { activeCounts, eventually, send } from './scenario.js';

const escaped: string[] = [];
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${err.stack ?? String(err)}`));
process.on('unhandledRejection', (reason) => escaped.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`));
const logger = { info: () => undefined, warn: () => undefined, error: (msg: string) => escaped.push(`logged error: ${msg}`) };

const name = process.argv[2];
const driver = (await loadDrivers()).find((d) => d.name === name);
if (driver === undefined) throw new Error(`unknown adapter ${name}`);

/** An echo WebSocket backend whose open sockets we can count. */
async function startWsBackend(): Promise<{ url: string; open: () => number; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => res.end('ws only'));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data) => ws.send(data));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => sockets.size,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const raw: RawBackend[] = [
  await startRawBackend('ok1'),
  await startRawBackend('ok2'),
  await startRawBackend('midbody', behaviours.resetMidBody(2000, 500)),
  await startRawBackend('hang', behaviours.hang()),
  await startRawBackend('malformed', behaviours.raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nNoColon\r\n\r\nok')),
  await startRawBackend('closer', behaviours.closeWithoutAnswer()),
  await startRawBackend('resetter', behaviours.resetMidHeader()),
];
const trickler = await startRawBackend('trickle', behaviours.trickle('t'.repeat(2000), 100, 20));
const ws = await startWsBackend();

const { proxy, servers } = await startWithServerTimeouts(
  driver,
  {
    upstreams: {
      main: {
        servers: raw.map((b) => ({ url: b.url, failTimeout: '200ms' })),
        timeouts: { connect: 500, read: 300 },
      },
      trickle: [trickler.url],
      ws: [ws.url],
    },
    locations: {
      '/': 'main',
      '/api/': { upstream: 'main', rewritePrefix: '/v1/' },
      '/trickle/': 'trickle',
      '/ws/': 'ws',
    },
  },
  { headersTimeout: 1000, requestTimeout: 5000, checkIntervalMs: 250 },
);
const sy = proxy.switchyard;
attachStateLogger(sy, logger);

const SMUGGLE = [
  'POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 0\r\nContent-Length: 38\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: p\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
];
const PATHS = ['/api/%2e%2e/admin', '//evil.example/x', '/api/..%5cx', '/api/%2f%2fevil/x', '/%zz', 'http://evil.example/api/x'];

const ops: Array<(i: number) => Promise<string>> = [
  async () => `get ${(await send(`${proxy.url}/item`, { timeoutMs: 5000 })).status}`,
  async (i) =>
    `post ${(await send(`${proxy.url}/api/w`, { method: 'POST', body: `body-${i}`, headers: { 'content-type': 'text/plain' }, timeoutMs: 5000 })).status}`,
  async (i) => `smuggle ${(await rawSend(proxy.port, SMUGGLE[i % SMUGGLE.length]!, { maxMs: 2000 })).responses[0]?.status ?? 'closed'}`,
  async (i) => {
    const target = PATHS[i % PATHS.length]!;
    const upgrade =
      i % 2 === 0 ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n' : '';
    return `path ${(await rawSend(proxy.port, `GET ${target} HTTP/1.1\r\nHost: p\r\n${upgrade}\r\n`, { responses: 1, maxMs: 2000 })).responses[0]?.status ?? 'closed'}`;
  },
  async () => {
    // A client that gives up before the answer.
    const s = await openSocket(proxy.port);
    s.write('GET /item HTTP/1.1\r\nHost: p\r\n\r\n');
    // sleep-ok: chaos: when the client leaves is the variable, not a synchronisation.
    await delay(30);
    s.destroy();
    return 'abort-early';
  },
  async () => {
    // A client that leaves in the middle of a streamed body.
    const s = await openSocket(proxy.port);
    s.write('GET /trickle/x HTTP/1.1\r\nHost: p\r\n\r\n');
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.once('close', () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    s.destroy();
    return 'abort-mid-body';
  },
  async (i) => {
    const client = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws/chat`);
    client.on('error', () => undefined);
    const result = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('ws timeout'), 2000);
      client.on('open', () => client.send(`hello ${i}`));
      client.on('message', (data) => {
        clearTimeout(timer);
        resolve(String(data) === `hello ${i}` ? 'ws echo' : 'ws wrong echo');
      });
      client.on('close', () => {
        clearTimeout(timer);
        resolve('ws closed');
      });
    });
    if (i % 2 === 0) client.terminate();
    else client.close();
    return result;
  },
  async () => {
    // Half a header, then gone.
    const s = await openSocket(proxy.port);
    s.write('GET /item HTTP/1.1\r\nHost: p\r\nX-Half: ');
    // sleep-ok: chaos: when the client leaves is the variable, not a synchronisation.
    await delay(100);
    s.destroy();
    return 'half-header';
  },
  async () =>
    `oversized ${(await rawSend(proxy.port, `GET /item HTTP/1.1\r\nHost: p\r\nX-Big: ${'b'.repeat(32 * 1024)}\r\n\r\n`, { maxMs: 2000 })).responses[0]?.status ?? 'closed'}`,
  async () => {
    // An upload abandoned half way.
    const s = await openSocket(proxy.port);
    s.write(`POST /api/up HTTP/1.1\r\nHost: p\r\nContent-Type: application/octet-stream\r\nContent-Length: ${200 * 1024}\r\n\r\n`);
    s.write(Buffer.alloc(50 * 1024, 1));
    // sleep-ok: chaos: when the client leaves is the variable, not a synchronisation.
    await delay(50);
    s.destroy();
    return 'abort-upload';
  },
];

const TOTAL = 240;
const tally = new Map<string, number>();
let next = 0;
await Promise.all(
  Array.from({ length: 12 }, async () => {
    while (next < TOTAL) {
      const i = next++;
      let outcome: string;
      try {
        outcome = await ops[i % ops.length]!(i);
      } catch (err) {
        outcome = `client error ${(err as Error).message.slice(0, 40)}`;
      }
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    }
  }),
);

const problems: string[] = [];
const countConnections = async (): Promise<number> => {
  let n = 0;
  for (const s of servers) n += await new Promise<number>((resolve) => s.getConnections((_e, c) => resolve(c)));
  return n;
};
if (!(await eventually(() => Object.values(activeCounts(sy)).every((a) => a === 0), 5000)))
  problems.push(`active counts not zero: ${JSON.stringify(activeCounts(sy))}`);
if (!(await eventually(async () => (await countConnections()) === 0, 5000)))
  problems.push(`proxy server still has ${await countConnections()} client connection(s)`);
const smuggled = [...raw, trickler]
  .flatMap((b) => b.requests)
  .filter((r) => r.target.includes('smuggled') || !r.target.startsWith('/') || r.target.startsWith('//'));
if (smuggled.length > 0) problems.push(`upstream saw: ${smuggled.map((r) => r.target).join(', ')}`);

await proxy.close();
const upstreamOpen = (): number => [...raw, trickler].reduce((n, b) => n + b.openConnections, 0) + ws.open();
if (!(await eventually(() => upstreamOpen() === 0, 5000))) problems.push(`${upstreamOpen()} upstream connection(s) still open after close()`);
await Promise.all([...raw, trickler].map((b) => b.stop()));
await ws.close();
// Let pending close events land before the verdict.
// sleep-ok: a grace for late errors to surface after everything closed; no result depends on its length.
await delay(50);
problems.push(...escaped);

const summary = { adapter: name, ops: Object.fromEntries([...tally].sort()), problems };
process.stdout.write(`CHAOS ${JSON.stringify(summary)}\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
