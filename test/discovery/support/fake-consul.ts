/** @module A small Consul-compatible HTTP server for the discover tests: `/v1/health/service/NAME?passing&index=N&wait=D` with real blocking-query semantics. */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeConsul {
  readonly url: string;
  /** Queries received (path + query), in order. */
  readonly queries: string[];
  /** Replace the passing instances of a service (bumps the index, answers blocked queries). */
  setInstances(service: string, instances: Array<{ address: string; port: number; weight?: number }>): void;
  close(): Promise<void>;
}

export async function startFakeConsul(): Promise<FakeConsul> {
  let index = 1;
  const services = new Map<string, Array<{ address: string; port: number; weight?: number }>>();
  const waiting = new Set<{ service: string; res: ServerResponse; timer: NodeJS.Timeout }>();
  const queries: string[] = [];
  const answer = (res: ServerResponse, service: string): void => {
    const body = JSON.stringify(
      (services.get(service) ?? []).map((i) => ({
        Node: { Node: 'node1', Address: '127.0.0.1' },
        Service: { ID: `${service}-${i.address}`, Service: service, Address: i.address, Port: i.port, Weights: { Passing: i.weight ?? 1, Warning: 1 } },
        Checks: [],
      })),
    );
    res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(index) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://consul');
    queries.push(`${url.pathname}${url.search}`);
    const match = /^\/v1\/health\/service\/([^/]+)$/.exec(url.pathname);
    if (match === null || !url.searchParams.has('passing')) {
      res.writeHead(404).end();
      return;
    }
    const service = decodeURIComponent(match[1]!);
    const asked = Number(url.searchParams.get('index') ?? 0);
    if (asked === 0 || asked < index) return answer(res, service);
    // Blocking query: hold until the index moves or `wait` passes (Consul caps it; so do we, at 2 s).
    const waitMs = Math.min(2000, parseWait(url.searchParams.get('wait')));
    const entry = { service, res, timer: setTimeout(() => release(entry), waitMs) };
    waiting.add(entry);
    res.on('close', () => {
      clearTimeout(entry.timer);
      waiting.delete(entry);
    });
  });
  const release = (entry: { service: string; res: ServerResponse; timer: NodeJS.Timeout }): void => {
    clearTimeout(entry.timer);
    waiting.delete(entry);
    if (!entry.res.writableEnded) answer(entry.res, entry.service);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    setInstances(service, instances) {
      services.set(service, instances);
      index++;
      for (const entry of [...waiting]) if (entry.service === service) release(entry);
    },
    async close() {
      for (const entry of [...waiting]) {
        clearTimeout(entry.timer);
        entry.res.destroy();
      }
      waiting.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseWait(text: string | null): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text ?? '');
  if (m === null) return 2000;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}
