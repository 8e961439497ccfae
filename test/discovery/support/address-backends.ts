/** @module Backends on 127.0.0.2, 127.0.0.3, ... sharing one port, so one DNS name can point at several of them. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../../helpers/child-scripts.js';

export interface AddressBackend {
  readonly address: string;
  /** Host headers seen, in order. */
  readonly hosts: string[];
  /** Replace the handler (default: 200 with the address as body). */
  handle(handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined): void;
  stop(): Promise<void>;
}

export interface AddressBackends {
  readonly port: number;
  readonly byAddress: Map<string, AddressBackend>;
  close(): Promise<void>;
}

/** One HTTP server per address, all on the same (free) port. */
export async function startAddressBackends(addresses: string[]): Promise<AddressBackends> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const started: AddressBackend[] = [];
    try {
      for (const address of addresses) started.push(await listenOn(address, port));
    } catch {
      await Promise.all(started.map((b) => b.stop()));
      continue;
    }
    const byAddress = new Map(started.map((b) => [b.address, b]));
    return { port, byAddress, close: async () => void (await Promise.all(started.map((b) => b.stop()))) };
  }
  throw new Error('no common free port for the address backends');
}

async function listenOn(address: string, port: number): Promise<AddressBackend> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const hosts: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    if (handler !== undefined) return handler(req, res);
    res.setHeader('content-type', 'text/plain');
    res.end(address);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address,
    hosts,
    handle(h) {
      handler = h;
    },
    async stop() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
