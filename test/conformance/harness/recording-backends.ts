/** @module Backends of the conformance suite: node:http servers on 127.0.0.x that record every request they see and answer as the scenario says. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { REFUSED, type BackendSpec, type Reply } from './scenario.js';

/** One request as a backend received it. */
export interface Seen {
  backend: string;
  method: string;
  url: string;
  version: string;
  /** Header names (lowercase) to every value received, in order (duplicates kept). */
  headers: Map<string, string[]>;
}

/** The fixed Date every backend sends, so a proxy's own Date is told apart from the upstream's. */
export const BACKEND_DATE = 'Mon, 01 Jan 2001 00:00:00 GMT';

export interface BackendSet {
  /** `host:port` by backend name. */
  readonly addresses: ReadonlyMap<string, string>;
  /** Every request seen by any backend since the last `reset()`, in arrival order. */
  readonly log: Seen[];
  /** Forget the log and the per-backend counters (between targets). */
  reset(): void;
  close(): Promise<void>;
}

/** Backend n listens on 127.0.0.(n+2): distinct addresses make the diffs easier to read than ports alone. */
function hostOf(index: number): string {
  return `127.0.0.${index + 2}`;
}

/** Starts the scenario's backends; on failure the ones already started are closed. */
export async function startBackends(specs: Record<string, BackendSpec | typeof REFUSED>): Promise<BackendSet> {
  const log: Seen[] = [];
  const addresses = new Map<string, string>();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const counts = new Map<string, number>();
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  try {
    let index = 0;
    for (const [name, spec] of Object.entries(specs)) {
      const host = hostOf(index++);
      if (spec === REFUSED) {
        addresses.set(name, `${host}:${await closedPort(host)}`);
        continue;
      }
      const server = createServer((req, res) => {
        const n = counts.get(name) ?? 0;
        counts.set(name, n + 1);
        log.push(record(name, req));
        // The body is read before answering, as a real application would (nginx sends it in full first).
        req.resume();
        const answer = (): void => reply(pick(spec, n, req.url ?? '/'), name, req, res);
        if (req.readableEnded) answer();
        else req.once('end', answer);
      });
      server.keepAliveTimeout = 30_000;
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      addresses.set(name, `${host}:${(server.address() as AddressInfo).port}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    addresses,
    log,
    reset() {
      log.length = 0;
      counts.clear();
    },
    close,
  };
}

function record(backend: string, req: IncomingMessage): Seen {
  const headers = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(req.rawHeaders[i + 1] as string);
    headers.set(name, list);
  }
  return { backend, method: req.method ?? '', url: req.url ?? '', version: req.httpVersion, headers };
}

function pick(spec: BackendSpec, n: number, url: string): Reply {
  const early = spec.first?.[n];
  if (early !== undefined) return early;
  const byPath = spec.byPath?.[url] ?? spec.byPath?.[url.split('?')[0] as string];
  return byPath ?? spec.reply ?? {};
}

function reply(r: Reply, name: string, req: IncomingMessage, res: ServerResponse): void {
  if (r === 'hang') return;
  if (r === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  if (r === 'close') {
    req.socket.destroy();
    return;
  }
  if ('raw' in r) {
    req.socket.end(r.raw);
    return;
  }
  res.statusCode = r.status ?? 200;
  res.setHeader('date', BACKEND_DATE);
  res.setHeader('server', `backend-${name}`);
  res.setHeader('content-type', 'text/plain');
  for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
  res.end(r.body ?? name);
}

/** A port on `host` nothing listens on: bound by the kernel's choice, then closed, so connections are refused. */
async function closedPort(host: string): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
