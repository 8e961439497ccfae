/** @module Child script of the static-peer test, copied into a temp project (with or without the peer installed): each adapter with and without a file location; prints what happened as JSON. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyardPlugin from '@switchyard/fastify';
import type { SwitchyardOptions } from '@switchyard/core';
import { switchyard } from '@switchyard/express';

const [root = '/nonexistent'] = process.argv.slice(2);
const withFiles: SwitchyardOptions = { upstreams: { app: ['http://127.0.0.1:9'] }, locations: { '/': { root }, '/api/': 'app' } };
const withoutFiles: SwitchyardOptions = {
  upstreams: { app: ['http://127.0.0.1:9'] },
  locations: { '/api/': 'app', '= /ok': { return: { status: 200, body: 'ok' } } },
};

/** Registers, listens, GETs `path`; the body or the error message. */
async function fastify(options: SwitchyardOptions, path: string): Promise<string> {
  const app = Fastify();
  try {
    await app.register(switchyardPlugin, options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`);
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    return `error ${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    await app.close();
  }
}

async function expressApp(options: SwitchyardOptions, path: string): Promise<string> {
  let lb: ReturnType<typeof switchyard>;
  try {
    lb = switchyard(options, { logger: false });
  } catch (err) {
    return `error ${(err as Error).name}: ${(err as Error).message}`;
  }
  const server = createServer(express().use(lb));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return `${res.status} ${await res.text()}`;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await lb.close();
  }
}

console.log(
  JSON.stringify({
    fastifyFiles: await fastify(withFiles, '/index.html'),
    fastifyNoFiles: await fastify(withoutFiles, '/ok'),
    expressFiles: await expressApp(withFiles, '/index.html'),
    expressNoFiles: await expressApp(withoutFiles, '/ok'),
  }),
);
