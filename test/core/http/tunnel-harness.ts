/** @module A front server whose upgrades go through the core's WebSocket tunnel, and a raw client that asks for one. */
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createWebSocketProxy, type Switchyard, type WebSocketProxy } from '@switchyard/core';

export interface Front {
  tunnel: WebSocketProxy;
  /** A raw client that has sent a WebSocket handshake for `/chat`. */
  upgrade(): Socket;
  close(): Promise<void>;
}

export async function startFront(sy: Switchyard): Promise<Front> {
  const tunnel = createWebSocketProxy(sy);
  const front = createHttpServer((_req, res) => res.end());
  front.on('upgrade', (req, socket, head) => {
    if (!tunnel.handle(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    tunnel,
    upgrade() {
      const client = connect((front.address() as AddressInfo).port, '127.0.0.1');
      client.on('error', () => undefined);
      client.write(
        'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      return client;
    },
    async close() {
      tunnel.close();
      await sy.close();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
