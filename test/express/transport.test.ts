/** @module http-proxy transport under faults: keep-alive reuse, timeouts (504), resets and garbage (502), aborts, TLS verification; least-conn counts always return to zero. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackends, stopAll } from '../helpers/backends.js';
import { writeSelfSigned } from '../helpers/self-signed.js';
import { activeIn, send, startApp, waitFor } from './support.js';

async function listenOn<T extends Server | TcpServer>(t: TestContext, server: T): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A TCP server that answers every connection with `reply` (or never answers when undefined). */
async function rawServer(t: TestContext, reply: string | undefined): Promise<string> {
  const server = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      if (reply !== undefined) socket.end(reply);
    });
  });
  return `http://${await listenOn(t, server)}`;
}

test('upstream connections are kept alive and reused', async (t) => {
  let connections = 0;
  const backend = createHttpServer((_req, res) => res.end('ok'));
  backend.on('connection', () => connections++);
  const address = await listenOn(t, backend);
  const app = await startApp({ upstreams: { one: [`http://${address}`] }, locations: { '/': 'one' } });
  t.after(() => app.close());
  for (let i = 0; i < 20; i++) assert.equal((await send(`${app.url}/r${i}`)).text, 'ok');
  assert.equal(connections, 1);
});

test('read timeout answers 504 after trying every server, and releases them', async (t) => {
  const backends = await startBackends(2);
  t.after(() => stopAll(backends));
  for (const b of backends) b.handle(() => {});
  const app = await startApp({
    upstreams: { slow: { servers: backends.map((b) => b.url), balance: 'least-conn', timeouts: { read: '150ms' } } },
    locations: { '/': 'slow' },
  });
  t.after(() => app.close());
  const res = await send(`${app.url}/x`);
  assert.equal(res.status, 504);
  assert.match(res.text, /^504 Gateway Timeout/);
  assert.doesNotMatch(res.text, /127\.0\.0\.1/);
  assert.deepEqual(
    backends.map((b) => b.seen.length),
    [1, 1],
  );
  assert.equal(activeIn(app.lb, 'slow'), 0);
});

test('connect timeout (TLS handshake never completes) answers 504', async (t) => {
  const silent = createTcpServer((socket) => socket.on('error', () => {}));
  const address = await listenOn(t, silent);
  const app = await startApp({
    upstreams: { tls: { servers: [`https://${address}`], timeouts: { connect: '150ms', read: '10s' } } },
    locations: { '/': 'tls' },
  });
  t.after(() => app.close());
  const res = await send(`${app.url}/`);
  assert.equal(res.status, 504);
  assert.equal(activeIn(app.lb, 'tls'), 0);
});

test('refused, reset and malformed upstreams answer 502; a good server behind them answers', async (t) => {
  const garbage = await rawServer(t, 'NOT HTTP AT ALL\r\n\r\n');
  const badHeader = await rawServer(t, 'HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\ncontent-length: 2\r\n\r\nok');
  const reset = createTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  const resetUrl = `http://${await listenOn(t, reset)}`;
  const closed = await startBackends(1);
  await stopAll(closed);
  const failing = [garbage, badHeader, resetUrl, closed[0]?.url as string];

  const onlyBad = await startApp({ upstreams: { bad: failing }, locations: { '/': 'bad' } });
  t.after(() => onlyBad.close());
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await send(`${onlyBad.url}/x`));
  assert.deepEqual(
    answers.map((r) => r.status),
    [502, 502, 502, 502],
  );
  for (const r of answers) assert.match(r.text, /^502 Bad Gateway/);
  assert.equal(activeIn(onlyBad.lb, 'bad'), 0);
  // Each failure type counts against its server (invalid_header is not retried by default, as nginx).
  const fails = onlyBad.lb.switchyard.status().upstreams.bad?.servers.map((s) => s.fails);
  assert.deepEqual(fails, [1, 1, 1, 1]);

  const good = await startBackends(1);
  t.after(() => stopAll(good));
  const mixed = await startApp({
    upstreams: { mix: { servers: [...failing, good[0]?.url as string], retry: { on: ['error', 'timeout', 'invalid_header'] } } },
    locations: { '/': 'mix' },
  });
  t.after(() => mixed.close());
  const ok = await send(`${mixed.url}/x`);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, 'Server 1');
  assert.deepEqual(
    mixed.lb.switchyard.status().upstreams.mix?.servers.map((s) => s.fails),
    [1, 1, 1, 1, 0],
  );
});

test('failover: stopping a server mid-run fails no GET', async (t) => {
  const backends = await startBackends(3);
  t.after(() => stopAll(backends));
  const app = await startApp({ upstreams: { seed: backends.map((b) => b.url) }, locations: { '/': 'seed' } });
  t.after(() => app.close());
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) {
    if (i === 10) await backends[1]?.stop();
    statuses.push((await send(`${app.url}/${i}`)).status);
  }
  assert.deepEqual(statuses, Array(30).fill(200));
});

test('a client leaving mid-request releases the server (least-conn back to 0)', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  let upstreamClosed = 0;
  backends[0]?.handle((req) => req.socket.once('close', () => upstreamClosed++));
  const app = await startApp({ upstreams: { lc: { servers: backends.map((b) => b.url), balance: 'least-conn' } }, locations: { '/': 'lc' } });
  t.after(() => app.close());
  const req = request({ host: '127.0.0.1', port: app.port, path: '/hang', agent: false });
  req.on('error', () => {});
  req.end();
  await waitFor(() => activeIn(app.lb, 'lc') === 1 && backends[0]?.seen.length === 1, 'the request to reach the backend');
  req.destroy();
  await waitFor(() => activeIn(app.lb, 'lc') === 0, 'the server to be released');
  await waitFor(() => upstreamClosed === 1, 'the upstream request to be closed');
  const server = app.lb.switchyard.status().upstreams.lc?.servers[0];
  assert.equal(server?.fails, 0);
});

test('an upstream reset in the middle of the body cuts the client response and releases the server', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  backends[0]?.handle((_req, res) => {
    res.writeHead(200, { 'content-length': 1000 });
    res.write('partial');
    setTimeout(() => res.socket?.resetAndDestroy(), 20);
  });
  const app = await startApp({ upstreams: { lc: { servers: backends.map((b) => b.url), balance: 'least-conn' } }, locations: { '/': 'lc' } });
  t.after(() => app.close());
  await assert.rejects(send(`${app.url}/cut`));
  await waitFor(() => activeIn(app.lb, 'lc') === 0, 'the server to be released');
});

test('5 MB streams both ways', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const big = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  backends[0]?.handle((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(big);
      return;
    }
    let size = 0;
    let sum = 0;
    req.on('data', (c: Buffer) => {
      for (const byte of c) sum = (sum + byte) % 1_000_003;
      size += c.length;
    });
    req.on('end', () => res.end(`${size}:${sum}`));
  });
  const app = await startApp({ upstreams: { s: backends.map((b) => b.url) }, locations: { '/': 's' } });
  t.after(() => app.close());
  const down = await send(`${app.url}/file`);
  assert.equal(down.body.length, big.length);
  assert.ok(down.body.equals(big));
  let sum = 0;
  for (const byte of big) sum = (sum + byte) % 1_000_003;
  const up = await send(`${app.url}/upload`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: big });
  assert.equal(up.text, `${big.length}:${sum}`);
});

test('https upstreams are verified: a self-signed certificate is refused (502), a trusted one works', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeSelfSigned(dir, { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
  const cert = readFileSync(join(dir, 'cert.pem'));
  let served = 0;
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => {
    served++;
    res.end('secure');
  });
  const address = await listenOn(t, server);
  const app = await startApp({ upstreams: { tls: [`https://${address}`] }, locations: { '/': 'tls' } });
  t.after(() => app.close());
  const res = await send(`${app.url}/`);
  assert.equal(res.status, 502);
  assert.equal(served, 0, 'the handshake was refused before any request');
  // The same server with its certificate given as the CA: verified, and it answers.
  const trusting = await startApp({ upstreams: { tls: { servers: [`https://${address}`], tls: { ca: cert } } }, locations: { '/': 'tls' } });
  t.after(() => trusting.close());
  const ok = await send(`${trusting.url}/`);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, 'secure');
  assert.equal(served, 1);
});

test('request headers upstream: hop-by-hop removed, X-Forwarded-* set, Host per preserveHost', async (t) => {
  const backends = await startBackends(1);
  t.after(() => stopAll(backends));
  const app = await startApp({
    upstreams: { h: backends.map((b) => b.url) },
    locations: { '/keep/': { upstream: 'h', preserveHost: true }, '/': { upstream: 'h', headers: { 'x-extra': 'yes' } } },
  });
  t.after(() => app.close());
  await send(`${app.url}/a`, {
    headers: { connection: 'keep-alive, x-secret', 'x-secret': '1', te: 'trailers', 'x-forwarded-for': '6.6.6.6', host: 'client.example' },
  });
  const seen = backends[0]?.seen[0]?.headers;
  assert.equal(seen?.['x-secret'], undefined);
  assert.equal(seen?.te, undefined);
  assert.equal(seen?.['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen?.['x-forwarded-proto'], 'http');
  assert.equal(seen?.['x-forwarded-host'], 'client.example');
  assert.equal(seen?.host, backends[0]?.url.slice('http://'.length));
  assert.equal(seen?.['x-extra'], 'yes');
  await send(`${app.url}/keep/b`, { headers: { host: 'client.example' } });
  assert.equal(backends[0]?.seen[1]?.headers.host, 'client.example');
});
