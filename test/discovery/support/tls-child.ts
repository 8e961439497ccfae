/** @module Child script for the TLS-name test (run with NODE_EXTRA_CA_CERTS trusting a certificate for `tls.test` only): both adapters and the health probe reach 127.0.0.2 by the resolved name. */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, request, type Server } from 'node:http';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import fastifySwitchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import type { SwitchyardOptions } from '@switchyard/core';

const port = Number(process.env.SY_PORT);
const key = readFileSync(process.env.SY_KEY!);
const cert = readFileSync(process.env.SY_CERT!);
const snis: string[] = [];
const hosts: string[] = [];
let probes = 0;
const backend = createHttpsServer({ key, cert, SNICallback: (name, cb) => (snis.push(name), cb(null, createSecureContext({ key, cert }))) }, (req, res) => {
  if (req.url === '/health') probes++;
  else hosts.push(req.headers.host ?? '');
  res.end('secure');
});
await new Promise<void>((resolve) => backend.listen(port, '127.0.0.2', resolve));

const options: SwitchyardOptions = {
  upstreams: {
    api: {
      servers: [{ url: `https://tls.test:${port}`, resolve: true }],
      resolver: { servers: [process.env.SY_DNS!] },
      healthCheck: { path: '/health', interval: '200ms', mandatory: true },
    },
  },
  locations: { '/': 'api' },
};

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    })
      .on('error', reject)
      .end();
  });
}

/** A mandatory health check: the first request waits until the first probe passed (bounded). */
async function firstAnswer(url: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    last = await get(url);
    if (last.startsWith('200')) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

const results: Record<string, string> = {};
const app = Fastify();
await app.register(fastifySwitchyard, options);
await app.listen({ port: 0, host: '127.0.0.1' });
results.fastify = await firstAnswer(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`);
results.fastifyHealth = String(app.switchyard.status().upstreams.api?.servers[0]?.health?.ok);
await app.close();

const lb = expressSwitchyard(options);
const server: Server = createServer((req, res) => lb(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
results.express = await firstAnswer(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
await lb.close();
server.close();
backend.close();
backend.closeAllConnections();
console.log(JSON.stringify({ results, snis: [...new Set(snis)], hosts: [...new Set(hosts)], probed: probes > 0 }));
