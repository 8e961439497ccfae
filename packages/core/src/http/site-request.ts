/** @module The virtual-host side of a node:http request: its Host and scheme, passed to `sy.matchSite`. */
import type { IncomingMessage } from 'node:http';
import type { SiteMatch, Switchyard } from '../types.js';
import { isEncrypted } from './request-info.js';

/** The Host as received (`:authority` on HTTP/2), `undefined` when there is none (HTTP/1.0). */
export function requestHost(req: IncomingMessage): string | undefined {
  const host = req.headers.host ?? req.headers[':authority'];
  return typeof host === 'string' ? host : undefined;
}

/**
 * `sy.matchSite` for a node:http request: its Host picks the virtual host, and the connection
 * (TLS or not, never X-Forwarded-Proto) gives `$scheme`, as nginx's own listening side does.
 */
export function matchRequest(sy: Switchyard, req: IncomingMessage, url: string = req.url ?? '/'): SiteMatch | undefined {
  // `$http_*`, `$cookie_*` and `$remote_addr` for rewrite steps (read only when a config has some).
  return sy.matchSite(req.method ?? 'GET', url, requestHost(req), isEncrypted(req) ? 'https' : 'http', {
    headers: req.headers,
    remoteAddress: req.socket?.remoteAddress,
  });
}
