/** @module Backends for the sticky adapter tests: each answers its name over HTTP and over a WebSocket, and can be stopped. */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface NamedBackend {
  readonly name: string;
  readonly url: string;
  /** nginx's sticky value of this server: MD5 hex of `127.0.0.1:<port>`, computed here independently. */
  readonly md5: string;
  /** Extra headers set on every HTTP answer (e.g. a session cookie). */
  answer: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  stop(): Promise<void>;
}

export async function startNamedBackends(count: number): Promise<NamedBackend[]> {
  const list: NamedBackend[] = [];
  for (let i = 0; i < count; i++) {
    const name = String.fromCharCode(97 + i);
    // eslint-disable-next-line prefer-const -- the request handler reads it; it is assigned once the server exists
    let backend: NamedBackend;
    const server = createServer((req, res) => {
      backend.answer?.(req, res);
      res.setHeader('content-type', 'text/plain');
      res.end(name);
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.send(name));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    backend = {
      name,
      url: `http://127.0.0.1:${port}`,
      md5: createHash('md5').update(`127.0.0.1:${port}`).digest('hex'),
      answer: undefined,
      async stop() {
        if (!server.listening) return;
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    list.push(backend);
  }
  return list;
}

export interface WsAnswer {
  /** The first message: the backend's name. */
  readonly name: string;
  /** Set-Cookie of the 101 answer. */
  readonly setCookie: string[];
}

/** Opens a WebSocket with these headers, reads the first message, closes. */
export function wsOnce(url: string, headers: Record<string, string> = {}): Promise<WsAnswer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let setCookie: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no WebSocket message within 5 s'));
    }, 5000);
    ws.once('upgrade', (res) => {
      setCookie = res.headers['set-cookie'] ?? [];
    });
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve({ name: data.toString(), setCookie });
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
