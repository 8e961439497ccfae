/** @module WebSocket upgrades for routes the app declares (`proxyTo`): the upgrade goes through the app's own router with a response bound to its socket. */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const kUpgrade = Symbol('switchyard.upgrade');

/** The raw socket and first bytes of an upgrade that the app's router is handling. */
export interface PendingUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
  /** The response bound to the socket: detached when a `proxyTo` takes the socket over. */
  readonly res: ServerResponse;
}

type Holder = { [kUpgrade]?: PendingUpgrade };

/**
 * Prepare an `upgrade` request to be routed like a plain one (what @fastify/websocket does): a
 * ServerResponse written to the upgrade's socket, so routes that do not proxy it answer normally
 * (a 404, an auth hook's 401) and the socket is closed after that answer. `takeUpgrade` in a
 * `proxyTo` handler finds the socket and tunnels it instead.
 */
export function upgradeResponse(req: IncomingMessage, socket: Duplex, head: Buffer): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  // The HTTP parser left this socket for the upgrade: after a plain answer nothing more can be read.
  res.once('finish', () => socket.end());
  socket.on('error', () => socket.destroy());
  (req as Holder)[kUpgrade] = { socket, head, res };
  return res;
}

/** The pending upgrade of this request (once: the caller now owns the socket), or undefined for a plain request. */
export function takeUpgrade(req: IncomingMessage): PendingUpgrade | undefined {
  const holder = req as Holder;
  const pending = holder[kUpgrade];
  if (pending === undefined) return undefined;
  holder[kUpgrade] = undefined;
  pending.res.detachSocket(pending.socket as Socket);
  return pending;
}

/** A WebSocket upgrade (not h2c or another protocol). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}
