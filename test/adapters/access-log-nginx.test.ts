/** @module Side by side with real nginx: the same log_format and upstreams give the same `$upstream_addr`, `$upstream_status`, `$upstream_http_*` and `$status` on nginx, Fastify and Express. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import { ensureNginx, startNginx } from '../helpers/real-nginx.js';
import { backendsFor } from './support/setup.js';
import { call, waitFor } from './support/http.js';

/** Times differ from one proxy to the other; what was tried and answered must not. */
const FORMAT = '$request_method $request_uri $status $upstream_addr|$upstream_status|$upstream_http_content_type';

function config(listen: string, dir: string, good: number, refused: number): string {
  return `
    daemon off;
    master_process off;
    error_log ${dir}/error.log;
    pid ${dir}/nginx.pid;
    events { worker_connections 64; }
    http {
      client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
      fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
      log_format up '${FORMAT}';
      access_log ${dir}/access.log up;
      upstream app { server 127.0.0.1:${refused}; server 127.0.0.1:${good}; }
      upstream off { server 127.0.0.1:${good} down; }
      server {
        listen ${listen};
        location /app/ { proxy_pass http://app; }
        location /off/ { proxy_pass http://off; }
      }
    }`;
}

const PATHS = ['/app/1', '/app/2', '/off/3'];

describe('access log: nginx, Fastify and Express log the same tries', () => {
  it('a refused server then a good one, the good one alone, and no live server', async (t) => {
    ensureNginx();
    const [good, refused] = await backendsFor(t, 2);
    await refused!.stop();
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-accesslog-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const real = await startNginx(dir, (listen) => config(listen, dir, good!.port, refused!.port));
    t.after(() => real.stop());
    const port = real.port;
    for (const path of PATHS) await call(`http://127.0.0.1:${port}${path}`);
    const logFile = join(dir, 'access.log');
    await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length === PATHS.length);
    const fromNginx = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    const host = (p: number): string => `127.0.0.1:${p}`;
    // What nginx itself wrote: the refused try is 502 in $upstream_status; no live server is the upstream's name.
    assert.deepEqual(fromNginx, [
      `GET /app/1 200 ${host(refused!.port)}, ${host(good!.port)}|502, 200|text/plain`,
      `GET /app/2 200 ${host(good!.port)}|200|text/plain`,
      'GET /off/3 502 off|502|-',
    ]);

    // The same file imported by both adapters (the listen address and log path do not matter to them).
    const nginx = config('80', dir, good!.port, refused!.port);

    const pinoLines: Array<{ msg: string; access?: string }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) pinoLines.push(JSON.parse(line) as { msg: string; access?: string });
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } });
    t.after(() => app.close());
    await app.register(switchyard, { nginx });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const fastifyUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const path of PATHS) await call(`${fastifyUrl}${path}`);
    const completed = (): string[] => pinoLines.filter((l) => l.msg === 'request completed').map((l) => l.access ?? '');
    await waitFor(() => completed().length === PATHS.length);
    assert.deepEqual(completed(), fromNginx, 'Fastify');

    const expressLines: string[] = [];
    const lb = expressSwitchyard({ nginx }, { logger: false, accessLog: (line) => expressLines.push(line) });
    const eapp = express();
    eapp.use(lb);
    const server = eapp.listen(0, '127.0.0.1');
    t.after(async () => {
      await lb.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    await new Promise((r) => server.once('listening', r));
    const expressUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of PATHS) await call(`${expressUrl}${path}`);
    await waitFor(() => expressLines.length === PATHS.length);
    assert.deepEqual(expressLines, fromNginx, 'Express');
  });
});
