/** @module Child script for the prom-client-missing test: one adapter with `metrics: { path }` in a process where prom-client cannot be loaded; prints what happened as JSON. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyardPlugin from '@switchyard/fastify';
import { switchyard } from '@switchyard/express';

const options = { upstreams: { api: ['http://127.0.0.1:9'] }, metrics: { path: '/metrics' } };

async function fastify(): Promise<object> {
  const app = Fastify();
  try {
    await app.register(switchyardPlugin, options);
    await app.ready();
    return { registered: true };
  } catch (err) {
    return { registered: false, message: (err as Error).message };
  } finally {
    await app.close().catch(() => {});
  }
}

async function expressApp(): Promise<object> {
  const logged: string[] = [];
  const log = (level: string) => (m: string) => void logged.push(`${level} ${m}`);
  const lb = switchyard(options, { logger: { info: log('info'), warn: log('warn'), error: log('error') } });
  const server = createServer(express().use(lb));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const scrapes: Array<{ status: number; body: string }> = [];
  for (let i = 0; i < 2; i++) {
    const res = await fetch(url);
    scrapes.push({ status: res.status, body: await res.text() });
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await lb.close();
  return { logged, scrapes };
}

const which = process.argv[2];
const result = which === 'fastify' ? await fastify() : await expressApp();
console.log(JSON.stringify(result));
