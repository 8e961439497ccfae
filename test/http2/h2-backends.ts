/** @module HTTP/2 test backends (node:http2, cleartext or TLS) that answer their name and count the sessions (connections) they were given. */
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

export type H2Handler = (req: Http2ServerRequest, res: Http2ServerResponse, backend: H2Backend) => void;

export interface H2Backend {
  readonly name: string;
  readonly url: string;
  /** Requests received (their :path), in order. */
  readonly seen: string[];
  /** Sessions (TCP connections) opened to this backend. */
  sessions: number;
  /** Sessions still open now. */
  readonly open: () => number;
  handle(handler: H2Handler | undefined): void;
  close(): Promise<void>;
}

const answerName: H2Handler = (_req, res, backend) => {
  res.setHeader('content-type', 'text/plain');
  res.end(backend.name);
};

/** An h2c (or, with `tls`, h2) backend on 127.0.0.1 port 0, or on the unix socket `socketPath`. */
export async function startH2Backend(name: string, tls?: { key: Buffer | string; cert: Buffer | string }, socketPath?: string): Promise<H2Backend> {
  let handler: H2Handler = answerName;
  const sessions = new Set<ServerHttp2Session>();
  const onRequest = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    backend.seen.push(req.url);
    handler(req, res, backend);
  };
  const server: Http2Server | Http2SecureServer = tls === undefined ? createServer(onRequest) : createSecureServer({ ...tls }, onRequest);
  server.on('session', (session: ServerHttp2Session) => {
    backend.sessions++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => (socketPath === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(socketPath, resolve)));
  const port = socketPath === undefined ? (server.address() as AddressInfo).port : 0;
  const backend: H2Backend = {
    name,
    url: socketPath !== undefined ? `unix:${socketPath}` : `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    seen: [],
    sessions: 0,
    open: () => sessions.size,
    handle(h) {
      handler = h ?? answerName;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
  return backend;
}
