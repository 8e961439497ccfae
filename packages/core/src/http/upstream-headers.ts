/** @module Request headers sent upstream and response headers sent back: hop-by-hop removal, X-Forwarded-*, Host, configured and hidden headers. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Location, ServerInfo } from '../types.js';
import { HOP_BY_HOP_HEADERS, connectionTokens } from './hop-by-hop.js';
import { displayAddress } from './client-address.js';
import { isForwardingHeader } from './forwarding-family.js';
import { putOwn } from '../config/own.js';
import type { HeaderValue, VariableSource } from './header-variables.js';
import { compileRequestHeaders, type RequestHeaderPlan } from './request-header-plan.js';
import { DEFAULT_HIDDEN_HEADERS } from './hidden-response-headers.js';

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
  /** For `$request_method` in configured header values. */
  method?: string | undefined;
  /** The request target as the client sent it, for `$request_uri`, `$arg_NAME`, `$args`. */
  requestUri?: string | undefined;
  /** The client connection, for `$remote_port` and `$server_port` (read only when a value uses them). */
  socket?: { readonly remotePort?: number | undefined; readonly localPort?: number | undefined } | undefined;
}

/** Client-address headers: replaced for untrusted peers, so nobody can choose the address an upstream sees. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'forwarded']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Plans of locations built without one (a Location object made by hand): compiled once each. */
const lazyPlans = new WeakMap<Location, RequestHeaderPlan>();

/** The compiled request headers of a location. */
export function requestHeaderPlan(location: Location): RequestHeaderPlan {
  if (location.requestHeaders !== undefined) return location.requestHeaders;
  let plan = lazyPlans.get(location);
  if (plan === undefined) {
    plan = compileRequestHeaders(
      location.headers,
      location.forwardedHeaders ?? location.headerDefaults !== 'nginx',
      location.preserveHost,
      location.headerDefaults === 'nginx',
      location.upstream,
    );
    lazyPlans.set(location, plan);
  }
  return plan;
}

/**
 * Builds a new header object for the upstream request. By default (`forwardedHeaders` not false)
 * client-sent X-Forwarded-*, X-Real-IP and Forwarded are replaced (or dropped) unless the peer is
 * trusted, as is the rest of the forwarding family (X-Forwarded-Port, Client-IP, X-Original-URL,
 * ...). With `forwardedHeaders: false` (what an imported nginx config says) the client's headers
 * pass as they came and only the configured ones are written, as nginx does. Either way headers
 * named in Connection are dropped, but can never remove the headers the proxy itself adds (they
 * are set after filtering), nor Content-Length: `Connection: keep-alive, Content-Length` would
 * otherwise send the body unframed, and the upstream would read it as a second request (request
 * smuggling). A configured value evaluating to `''` removes the header (nginx `proxy_set_header Proxy "";`).
 */
export function buildUpstreamHeaders(incoming: IncomingHttpHeaders, ctx: UpstreamHeaderContext): OutgoingHttpHeaders {
  const plan = requestHeaderPlan(ctx.location);
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(incoming.connection);
  const replaced = plan.replaced;
  if (plan.forwarded) {
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
  } else {
    // nginx: every client header is passed on (proxy_pass_request_headers), except the ones the
    // configuration sets itself; hop-by-hop ones stay switchyard's business.
    for (const name in incoming) {
      if (name.charCodeAt(0) === 58 /* : */) continue;
      if (HOP_BY_HOP_HEADERS.has(name) || name === 'host' || replaced.has(name)) continue;
      if (named !== undefined && named.has(name) && name !== 'content-length') continue;
      if (ctx.bodyLength !== undefined && name === 'content-length') continue;
      const value = incoming[name];
      if (value !== undefined) out[name] = value;
    }
  }
  const source = plan.dynamic ? variableSource(incoming, ctx) : undefined;
  const { names, values } = plan;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const template = values[i] as HeaderValue;
    const value = typeof template === 'string' ? template : template(source as VariableSource);
    // putOwn: a configured header named `__proto__` is a header like any other, not the object's prototype.
    if (value !== '') putOwn(out, name, value);
    else if (Object.hasOwn(out, name)) delete out[name];
  }
  let host: string | undefined;
  if (plan.host !== undefined) host = typeof plan.host === 'string' ? plan.host : plan.host(source as VariableSource);
  if (host === undefined || host === '') {
    const clientHost = incoming.host;
    host = ctx.location.preserveHost && clientHost !== undefined ? clientHost : ctx.server.host;
  }
  out.host = host;
  if (ctx.websocket) {
    out.connection = 'upgrade';
    out.upgrade = first(incoming.upgrade) ?? 'websocket';
  }
  if (ctx.bodyLength !== undefined) out['content-length'] = String(ctx.bodyLength);
  // `TE: trailers` is the one TE an HTTP/2 hop may carry (RFC 9113 8.2.2); gRPC servers expect it, as nginx's grpc_pass sends it.
  if (ctx.server.http2 === true && /\btrailers\b/i.test(first(incoming.te) ?? '')) out.te = 'trailers';
  return out;
}

function variableSource(incoming: IncomingHttpHeaders, ctx: UpstreamHeaderContext): VariableSource {
  return {
    incoming,
    peerIp: ctx.peerIp,
    encrypted: ctx.encrypted,
    upstream: ctx.location.upstream ?? '',
    serverProtocol: ctx.server.protocol,
    method: ctx.method,
    requestUri: ctx.requestUri,
    socket: ctx.socket,
  };
}

/**
 * Response headers for the client: without hop-by-hop ones (Upgrade/Connection kept for a 101
 * handshake) and without the location's hidden ones (`hidden`: `location.hiddenHeaders`, by default
 * X-Accel-Redirect and the other instructions meant for a proxy). Code that must read a hidden
 * header (following X-Accel-Redirect) reads the upstream's own headers before calling this.
 */
export function filterResponseHeaders(
  incoming: IncomingHttpHeaders,
  websocket = false,
  hidden: ReadonlySet<string> = DEFAULT_HIDDEN_HEADERS,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    if (HOP_BY_HOP_HEADERS.has(name)) {
      if (!(websocket && (name === 'upgrade' || name === 'connection'))) continue;
    }
    if (hidden.has(name)) continue;
    if (named !== undefined && named.has(name)) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
