/** @module Small helpers shared by the reliability scenarios: starting a proxy per test, refused ports, plain requests, status sums. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { Switchyard, SwitchyardInput } from '@switchyard/core';
import type { AdapterDriver, ProxyUnderTest } from '../../adapters/driver.js';
import type { StartOptions } from '../../adapters/driver.js';
import type { RawBackend } from './raw-backend.js';

/** Start a proxy for one test; it is closed when the test ends. */
export async function startProxy(t: TestContext, driver: AdapterDriver, input: SwitchyardInput, options?: StartOptions): Promise<ProxyUnderTest> {
  const proxy = await driver.start(input, options);
  t.after(() => proxy.close());
  return proxy;
}

/** A loopback port nobody listens on (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no agent, no retries); rejects on a transport error. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    // node:http frames no body for GET/DELETE/OPTIONS unless told its length.
    if (options.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('client gave up waiting')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Requests received by all these backends together. */
export function totalRequests(backends: readonly RawBackend[]): number {
  return backends.reduce((n, b) => n + b.requests.length, 0);
}

/** Sum of a numeric status field over an upstream's servers. */
export function sumOf(sy: Switchyard, upstream: string, field: 'fails' | 'active' | 'requests'): number {
  const servers = sy.status().upstreams[upstream]?.servers ?? [];
  return servers.reduce((n, s) => n + s[field], 0);
}

/** Every server's active count, for "nothing left active" checks. */
export function activeCounts(sy: Switchyard): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, up] of Object.entries(sy.status().upstreams)) for (const s of up.servers) out[`${name} ${s.url}`] = s.active;
  return out;
}

/** Poll `check` every 20 ms until it returns true or `maxMs` passed; returns its last result. */
export async function eventually(check: () => boolean | Promise<boolean>, maxMs = 3000): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Backend urls as a pool, each with `maxFails: 0` unless told otherwise (so one scenario's failures do not bias the next pick). */
export function pool(backends: ReadonlyArray<{ url: string }>, extra: { maxFails?: number } = {}): Array<{ url: string; maxFails: number }> {
  return backends.map((b) => ({ url: b.url, maxFails: extra.maxFails ?? 0 }));
}
