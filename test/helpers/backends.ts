/** @module Test backends: real HTTP servers on 127.0.0.1 that answer their own name and can be stopped, restarted or slowed. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BackendHandler = (req: IncomingMessage, res: ServerResponse, backend: Backend) => void;

export interface Backend {
  readonly name: string;
  /** `http://127.0.0.1:<port>` (stable across stop/start). */
  readonly url: string;
  readonly port: number;
  /** Requests received, in order (method + url). */
  readonly seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Replace how requests are answered (default: 200 with body = name). */
  handle(handler: BackendHandler | undefined): void;
  /** Stop listening and destroy open sockets (connections are refused afterwards). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

const defaultHandler: BackendHandler = (_req, res, backend) => {
  res.setHeader('content-type', 'text/plain');
  res.end(backend.name);
};

/** Start one backend answering `name` (on `port`, or a free port). */
export async function startBackend(name: string, port = 0): Promise<Backend> {
  let handler: BackendHandler = defaultHandler;
  const sockets = new Set<Socket>();
  const seen: Backend['seen'] = [];
  let server: Server;
  let boundPort = port;
  const backend: Backend = {
    name,
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    seen,
    handle(h) {
      handler = h ?? defaultHandler;
    },
    async stop() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
    },
    async start() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(boundPort, '127.0.0.1', () => {
          boundPort = (server.address() as AddressInfo).port;
          server.off('error', reject);
          resolve();
        });
      });
    },
  };
  function make(): Server {
    const s = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      handler(req, res, backend);
    });
    s.keepAliveTimeout = 5000;
    s.on('connection', (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    return s;
  }
  await backend.start();
  return backend;
}

/** Start `count` backends named "Server 1".."Server N". */
export async function startBackends(count: number): Promise<Backend[]> {
  const list: Backend[] = [];
  for (let i = 1; i <= count; i++) list.push(await startBackend(`Server ${i}`));
  return list;
}

export async function stopAll(backends: readonly Backend[]): Promise<void> {
  await Promise.all(backends.map((b) => b.stop()));
}
