/** @module Request headers sent upstream and response headers sent back: hop-by-hop removal, X-Forwarded-*, Host. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Location, ServerInfo } from '../types.js';
import { HOP_BY_HOP_HEADERS, connectionTokens } from './hop-by-hop.js';
import { displayAddress } from './client-address.js';
import { isForwardingHeader } from './forwarding-family.js';
import { putOwn } from '../config/own.js';

export interface UpstreamHeaderContext {
  /** The TCP peer of the client connection. */
  peerIp: string | undefined;
  /** The client connection is TLS. */
  encrypted: boolean;
  /** The peer is trusted (`sy.isTrustedProxy(peerIp)`): its X-Forwarded-* are kept and extended. */
  trusted: boolean;
  location: Location;
  server: ServerInfo;
  /** A WebSocket handshake: keep `Connection: upgrade` and `Upgrade`. */
  websocket?: boolean;
  /** The body is sent re-serialised with this length (drops the client's framing headers). */
  bodyLength?: number;
}

/** Client-address headers: replaced for untrusted peers, so nobody can choose the address an upstream sees. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'forwarded']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds a new header object for the upstream request. Client-sent X-Forwarded-*, X-Real-IP and
 * Forwarded are replaced (or dropped) unless the peer is trusted, as is the rest of the forwarding
 * family (X-Forwarded-Port, Client-IP, X-Original-URL, ...); headers named in Connection are dropped, but can never remove
 * the X-Forwarded-* headers the proxy itself adds (they are set after filtering), nor Content-Length:
 * `Connection: keep-alive, Content-Length` would otherwise send the body unframed, and the upstream
 * would read it as a second request (request smuggling).
 */
export function buildUpstreamHeaders(incoming: IncomingHttpHeaders, ctx: UpstreamHeaderContext): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    // An HTTP/2 client's pseudo-headers (`:method`, `:path`, `:authority`...) describe its own request line.
    if (name.charCodeAt(0) === 58 /* : */) continue;
    if (HOP_BY_HOP_HEADERS.has(name) || FORWARDED.has(name) || name === 'host') continue;
    if (!ctx.trusted && isForwardingHeader(name)) continue;
    if (named !== undefined && named.has(name) && name !== 'content-length') continue;
    if (ctx.bodyLength !== undefined && name === 'content-length') continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  const clientHost = incoming.host;
  const clientIp = displayAddress(ctx.peerIp);
  const priorFor = ctx.trusted ? incoming['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = priorFor ? `${Array.isArray(priorFor) ? priorFor.join(', ') : priorFor}, ${clientIp}` : clientIp;
  const priorProto = ctx.trusted ? first(incoming['x-forwarded-proto']) : undefined;
  out['x-forwarded-proto'] = priorProto ?? (ctx.encrypted ? 'https' : 'http');
  const priorHost = ctx.trusted ? first(incoming['x-forwarded-host']) : undefined;
  const forwardedHost = priorHost ?? clientHost;
  if (forwardedHost !== undefined) out['x-forwarded-host'] = forwardedHost;
  // X-Real-IP as nginx configs usually set it (`proxy_set_header X-Real-IP $remote_addr`); an RFC 7239
  // Forwarded header is only passed on from a trusted peer (switchyard does not write one).
  const priorRealIp = ctx.trusted ? first(incoming['x-real-ip']) : undefined;
  out['x-real-ip'] = priorRealIp ?? clientIp;
  if (ctx.trusted && incoming.forwarded !== undefined) out.forwarded = incoming.forwarded;
  out.host = ctx.location.preserveHost && clientHost !== undefined ? clientHost : ctx.server.host;
  if (ctx.websocket) {
    out.connection = 'upgrade';
    out.upgrade = first(incoming.upgrade) ?? 'websocket';
  }
  if (ctx.bodyLength !== undefined) out['content-length'] = String(ctx.bodyLength);
  // `TE: trailers` is the one TE an HTTP/2 hop may carry (RFC 9113 8.2.2); gRPC servers expect it, as nginx's grpc_pass sends it.
  if (ctx.server.http2 === true && /\btrailers\b/i.test(first(incoming.te) ?? '')) out.te = 'trailers';
  const extra = ctx.location.headers;
  // putOwn: a configured header named `__proto__` is a header like any other, not the object's prototype.
  for (const name in extra) putOwn(out, name.toLowerCase(), extra[name]);
  return out;
}

/** Response headers without hop-by-hop ones (Upgrade/Connection kept for a 101 handshake). */
export function filterResponseHeaders(incoming: IncomingHttpHeaders, websocket = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    if (HOP_BY_HOP_HEADERS.has(name)) {
      if (!(websocket && (name === 'upgrade' || name === 'connection'))) continue;
    }
    if (named !== undefined && named.has(name)) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
