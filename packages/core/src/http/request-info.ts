/** @module Builds the core's RequestInfo from a node:http request. */
import type { IncomingMessage } from 'node:http';
import type { RedirectRequest, RequestInfo } from '../types.js';

export function toRequestInfo(req: IncomingMessage, url: string = req.url ?? '/'): RequestInfo {
  return { method: req.method ?? 'GET', url, headers: req.headers, clientIp: req.socket.remoteAddress ?? '' };
}

/** The client connection is TLS (works for raw sockets and TLS sockets). */
export function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

/** What `redirectLocation` needs of a client request: its Host header and the connection it came on. */
export function toRedirectRequest(req: IncomingMessage): RedirectRequest {
  const socket = req.socket;
  return { host: req.headers.host, localAddress: socket.localAddress, localPort: socket.localPort, encrypted: isEncrypted(req) };
}
