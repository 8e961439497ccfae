/** @module Three socket.io 4 servers and N socket.io-client clients with the default transports, for the sticky tests and the report table. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';

export interface IoBackend {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

export async function startIoBackends(count: number): Promise<IoBackend[]> {
  const list: IoBackend[] = [];
  for (let i = 0; i < count; i++) {
    const name = `io${i + 1}`;
    const http: HttpServer = createServer();
    const io = new Server(http);
    io.on('connection', (socket) => {
      socket.on('ping', (n: number, ack: (answer: { server: string; n: number }) => void) => ack({ server: name, n }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    list.push({
      name,
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      async close() {
        // io.close() ends every engine.io client (pending long-polls answered) and the http server.
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          http.closeAllConnections();
        });
      },
    });
  }
  return list;
}

/** What one client got: `ok` (connected, upgraded to WebSocket, ack received) or the first error. */
export interface ClientResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly server?: string;
  readonly transport?: string;
}

const STEP_MS = 5000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_MS} ms`)), STEP_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One client with socket.io's defaults (polling, then the WebSocket upgrade); `withCredentials` keeps cookies in Node. */
export async function runClient(url: string, n: number): Promise<ClientResult> {
  const socket: Socket = connect(url, { withCredentials: true, reconnection: false, forceNew: true, timeout: STEP_MS });
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      }),
      'connect',
    );
    const engine = socket.io.engine;
    if (engine.transport.name !== 'websocket') {
      await within(
        new Promise<void>((resolve, reject) => {
          engine.once('upgrade', () => resolve());
          engine.once('upgradeError', (err: Error) => reject(err));
          engine.once('close', (reason: string) => reject(new Error(`closed: ${reason}`)));
        }),
        'upgrade',
      );
    }
    const answer = (await socket.timeout(STEP_MS).emitWithAck('ping', n)) as { server: string; n: number };
    if (answer.n !== n) return { ok: false, error: `ack for ${answer.n}, sent ${n}` };
    return { ok: true, server: answer.server, transport: engine.transport.name };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    socket.disconnect();
  }
}

/** N clients at once; resolves when all are done (each step bounded). */
export function runClients(url: string, count: number): Promise<ClientResult[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => runClient(url, i)));
}
