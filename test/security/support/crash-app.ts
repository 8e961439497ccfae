/** @module A child-process app (Fastify or Express, argv[2]) configured with every input that used to end the process: a throwing hash-key function, a header value Node refuses, on plain requests and WebSocket upgrades. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import express from 'express';
import fastifySwitchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import type { RequestInfo, SwitchyardOptions } from '@switchyard/core';
import { freePort } from '../../helpers/child-scripts.js';

const adapter = process.argv[2];

/** A backend answering its name (503 when `status` says so) and accepting WebSocket upgrades. */
async function backend(name: string, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(name);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The user key function of the issue: throws when the header is missing. */
const tenantKey = (req: RequestInfo): string => (req.headers['x-tenant'] as string).toLowerCase();

/** What an app hook may do with client data: a header value setHeader refuses (an en dash). */
function makeBad(headers: IncomingMessage['headers']): void {
  if (headers['x-make-bad'] !== undefined) headers['x-user'] = 'prod \u2013 eu';
}

const b1 = await backend('b1');
const b2 = await backend('b2');
const b503 = await backend('b503', 503);
const dead = `http://127.0.0.1:${await freePort()}`;

const config: SwitchyardOptions = {
  upstreams: {
    hashed: { servers: [b1.url, b2.url], balance: 'hash', hash: { key: tenantKey } },
    // One primary (no key needed to pick it), then a failover into a tier of two: the key is evaluated there.
    failover: { servers: [dead, { url: b1.url, backup: true }, { url: b2.url, backup: true }], balance: 'hash', hash: { key: tenantKey } },
    retried: {
      servers: [b503.url, { url: b1.url, backup: true }, { url: b2.url, backup: true }],
      balance: 'hash',
      hash: { key: tenantKey },
      retry: { on: ['error', 'timeout', 503] },
    },
    plain: { servers: [b1.url, b2.url], healthCheck: undefined },
  },
  locations: { '/hash/': 'hashed', '/failover/': 'failover', '/retry/': 'retried', '/ok/': 'plain' },
  status: { path: '/switchyard/status' },
};

const log = (line: string): void => {
  process.stdout.write(`LOG ${line.replace(/\n/g, '\\n')}\n`);
};

let port: number;
if (adapter === 'fastify') {
  const app = Fastify({
    logger: { level: 'error', stream: { write: (msg: string) => log((JSON.parse(msg) as { msg: string }).msg) } },
  });
  app.addHook('onRequest', (request, _reply, done) => {
    makeBad(request.raw.headers);
    done();
  });
  app.server.prependListener('upgrade', (req: IncomingMessage) => makeBad(req.headers));
  await app.register(fastifySwitchyard, config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
} else {
  const lb = expressSwitchyard(config, { logger: { info: () => undefined, warn: () => undefined, error: log } });
  const app = express();
  app.use((req, _res, next) => {
    makeBad(req.headers);
    next();
  });
  app.use(lb);
  const server = createServer(app);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    makeBad(req.headers);
    lb.upgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}
process.stdout.write(`READY ${port}\n`);
// The parent ends this process (SIGTERM) once it has checked it is still serving.
