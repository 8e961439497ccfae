/** @module An https test backend (optionally requiring a client certificate) that records what TLS showed it: SNI, the client's subject, connections and resumed sessions; also speaks WebSocket. */
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestContext } from 'node:test';
import { WebSocketServer } from 'ws';

export interface TlsSeen {
  path: string;
  host: string | undefined;
  /** SNI the client sent (false when none). */
  servername: string | false;
  /** CN of the client certificate, when one was presented. */
  clientCn: string | undefined;
  /** The TLS session was resumed rather than negotiated in full. */
  resumed: boolean;
}

export interface TlsBackend {
  readonly url: string;
  readonly port: number;
  readonly seen: TlsSeen[];
  /** TLS handshakes completed (a keep-alive connection is counted once). */
  handshakes: number;
  /** Messages echoed over WebSockets. */
  readonly echoed: string[];
}

/** Starts an https server on 127.0.0.1 answering `name`; `requireClientCert` asks for (and verifies against `ca`) a client certificate. */
export async function startTlsBackend(
  t: TestContext,
  name: string,
  options: { cert: string; key: string; ca?: string; requireClientCert?: boolean; closeEach?: boolean },
): Promise<TlsBackend> {
  const serverOptions: ServerOptions = { cert: options.cert, key: options.key };
  if (options.requireClientCert === true) Object.assign(serverOptions, { requestCert: true, rejectUnauthorized: true, ca: options.ca });
  const seen: TlsSeen[] = [];
  const echoed: string[] = [];
  const server: Server = createServer(serverOptions, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    seen.push({
      path: req.url ?? '',
      host: req.headers.host,
      servername: (socket as TLSSocket & { servername?: string | false }).servername ?? false,
      clientCn: peer !== null && typeof peer === 'object' && peer.subject !== undefined ? String(peer.subject.CN) : undefined,
      resumed: socket.isSessionReused(),
    });
    if (options.closeEach === true) res.setHeader('connection', 'close');
    res.end(name);
  });
  const backend: TlsBackend = { url: '', port: 0, seen, handshakes: 0, echoed };
  server.on('secureConnection', () => backend.handshakes++);
  server.on('tlsClientError', () => undefined);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      echoed.push(data.toString());
      ws.send(`${name} echo: ${data.toString()}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(backend, { url: `https://127.0.0.1:${port}`, port });
  t.after(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return backend;
}
