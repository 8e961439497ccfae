/** @module A backend that accepts connections and never answers (a hung process), for the bench's hang failover scenario. */
import { createServer, type Server, type Socket } from 'node:net';

export interface HangingServer {
  /** Connections accepted so far. */
  readonly accepted: () => number;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1:`port`, reads and discards whatever arrives, never writes a byte. */
export async function startHangingServer(port: number): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    accepted: () => accepted,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
