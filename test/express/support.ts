/** @module Helpers for the Express adapter tests: an app with the balancer on 127.0.0.1:0, raw HTTP requests, bounded waits. */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { switchyard, type SwitchyardMiddleware } from '@switchyard/express';
import type { SwitchyardInput } from '@switchyard/core';

export interface App {
  readonly lb: SwitchyardMiddleware;
  readonly app: Express;
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts `express()` with `setup(app, lb)` deciding the middleware order (default: `app.use(lb)`). */
export async function startApp(input: SwitchyardInput, setup?: (app: Express, lb: SwitchyardMiddleware) => void): Promise<App> {
  const lb = switchyard(input);
  const app = express();
  if (setup) setup(app, lb);
  else app.use(lb);
  return listen(app, lb);
}

export async function listen(handler: Parameters<typeof createServer>[1], lb: SwitchyardMiddleware, app?: Express): Promise<App> {
  const server = createServer(handler);
  server.on('upgrade', lb.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    lb,
    app: (app ?? handler) as Express,
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      await lb.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One request on a fresh connection (no client-side pooling or retries); the path is sent exactly as written (no URL normalisation). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | number | string[]>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const match = /^http:\/\/([^/:]+):(\d+)(.*)$/.exec(url);
    if (match === null) throw new Error(`send() needs http://host:port/path, got ${url}`);
    const target = { host: match[1], port: Number(match[2]), path: match[3] || '/' };
    const req = request({ ...target, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `check` every 10 ms, at most `limitMs`; throws with `what` when it never holds. */
export async function waitFor(check: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sum of `active` over every server of an upstream. */
export function activeIn(lb: SwitchyardMiddleware, upstream: string): number {
  return (lb.switchyard.status().upstreams[upstream]?.servers ?? []).reduce((n, s) => n + s.active, 0);
}

/** A backend handler that answers a JSON echo of the request (method, url, headers, body). */
export function echo(name: string) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  };
}
