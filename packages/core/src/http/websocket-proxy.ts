/** @module WebSocket upgrade proxying over node:http, shared by both adapters: same match, pick, failover and accounting as plain requests. */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, type Duplex } from 'node:stream';
import type { Attempt, ProxyRoute, Switchyard } from '../types.js';
import { buildUpstreamHeaders, filterResponseHeaders } from './upstream-headers.js';
import { DUPLICATE_HOST_REASON, hasDuplicateHost } from './duplicate-host.js';
import { withoutUnderscoreHeaders } from './header-names.js';
import { classifyTransportError, gatewayErrorBody } from './transport-errors.js';
import { isEncrypted, toRequestInfo } from './request-info.js';
import { requestHost } from './site-request.js';
import { addSetCookie } from '../sticky/add-set-cookie.js';
import { applyRequestRewrite, rewrittenRoute, type RequestRewrite } from '../hooks/request-hook.js';
import { STATUS_TEXT, runUpgradeRewrite, upgradeErrorAnswer, upgradeResponseHeaders } from '../hooks/websocket-hooks.js';
import { endAttempt, firstAttempt, isPickFailure, requestErrorLine, type SafeDecision } from './guarded-forwarding.js';
import { closeOnEitherEnd, closeWhenIdle, watchHandshakeClient, type HandshakeWatch } from './websocket-guards.js';
import { upstreamRequestOptions } from './upstream-connection.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n';
const NOT_PROXIED = 'HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n';

export interface WebSocketProxy {
  /**
   * Proxies the upgrade when a location matches and allows WebSockets; returns false (socket
   * untouched) otherwise, so the caller can leave it to other `upgrade` listeners.
   */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Proxies the upgrade along a route the caller resolved (a `proxyTo` location); a closed proxy
   * or a request that is not a WebSocket upgrade gets its socket ended with a 404 / 400.
   */
  proxy(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute): void;
  /** Closes every open tunnel and every handshake still under way; later upgrades are not handled. */
  close(): void;
}

export interface WebSocketProxyOptions {
  /** One line per upgrade answered 500/502 because of the request or the configuration (default: a process warning). */
  log?: (line: string) => void;
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}

function rawHead(status: number, message: string, headers: Record<string, string | string[] | number | undefined>): string {
  let head = `HTTP/1.1 ${status} ${message}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${v}\r\n`;
  }
  return head + '\r\n';
}

function writeError(socket: Duplex, status: 400 | 500 | 502 | 504, reason: string, route?: ProxyRoute, req?: IncomingMessage): void {
  if (socket.destroyed) return;
  // onError's answer when the location has one.
  const answer =
    status >= 502 && route?.location.hooks !== undefined && req !== undefined ? upgradeErrorAnswer(route.location.hooks, status, reason, req) : undefined;
  if (answer !== undefined) {
    socket.write(rawHead(answer.status, STATUS_TEXT[answer.status] ?? '', { ...answer.headers, connection: 'close' }));
    socket.end(answer.body);
    return;
  }
  const body = gatewayErrorBody(status, reason);
  const text = status === 400 ? 'Bad Request' : status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Timeout' : 'Internal Server Error';
  socket.end(rawHead(status, text, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' }) + body);
}

/** Creates the upgrade handler for a switchyard instance (used for `server.on('upgrade', ...)`). */
export function createWebSocketProxy(sy: Switchyard, options: WebSocketProxyOptions = {}): WebSocketProxy {
  const log = options.log ?? ((line: string) => process.emitWarning(line));
  const tunnels = new Set<Duplex>();
  /** Reads each handshaking client so its leaving is noticed (see watchHandshakeClient). */
  const watches = new WeakMap<Duplex, HandshakeWatch>();
  /** Client sockets whose handshake with an upstream is still under way (closed by close() too). */
  const handshakes = new Set<Duplex>();
  let closed = false;

  /**
   * One try. Anything thrown while building the upstream request (a header value node:http refuses)
   * is answered 502 without counting against the server; this also runs inside event listeners
   * (a retry), where a throw would end the process.
   */
  function tryAttempt(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: ProxyRoute,
    attempt: Attempt,
    started: number,
    rewrite?: RequestRewrite,
  ): void {
    try {
      sendAttempt(req, socket, head, route, attempt, started, rewrite);
    } catch (err) {
      attempt.end({ aborted: true }, { requestSent: false, responseStarted: false });
      log(requestErrorLine(req.method, req.url, 502, 'invalid request header', err));
      writeError(socket, 502, 'invalid request header');
    }
  }

  function sendAttempt(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: ProxyRoute,
    attempt: Attempt,
    started: number,
    rewrite?: RequestRewrite,
  ): void {
    const { server } = attempt;
    const headers = buildUpstreamHeaders(withoutUnderscoreHeaders(req.headers, sy.config.underscoresInHeaders), {
      peerIp: req.socket.remoteAddress,
      encrypted: isEncrypted(req),
      trusted: sy.isTrustedProxy(req.socket.remoteAddress ?? ''),
      location: route.location,
      server,
      websocket: true,
      method: req.method,
      requestUri: req.url,
      socket: req.socket,
    });
    if (rewrite !== undefined) applyRequestRewrite(headers, rewrite);
    const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    // eslint-disable-next-line prefer-const -- read by onClientGone (defined above its one assignment) while still undefined
    let upstreamReq: ClientRequest | undefined;
    const connectMs = route.location.timeouts.connectMs;

    const finish = (decision: SafeDecision): void => {
      if (decision.action === 'retry') {
        tryAttempt(req, socket, head, route, decision.attempt, started, rewrite);
      } else if (decision.action === 'fail') {
        if (isPickFailure(decision)) log(requestErrorLine(req.method, req.url, 500, decision.reason, decision.error));
        writeError(socket, decision.status, decision.reason, route, req);
      }
    };
    const onClientGone = (): void => {
      if (settled) return;
      settled = true;
      upstreamReq?.destroy();
      attempt.end({ aborted: true, totalMs: performance.now() - started }, { requestSent: true, responseStarted: false });
    };
    const sent = send({
      // Address or unix socket, and the server's TLS settings (CA, client certificate, servername).
      ...upstreamRequestOptions(server),
      method: req.method,
      path: server.basePath + route.path,
      headers,
      agent: false,
    });
    upstreamReq = sent;
    // Only now: a request that could not be built was never under way (tryAttempt ends that try).
    socket.once('close', onClientGone);
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, message: string): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (ms <= 0) return;
      timer = setTimeout(() => upstreamReq?.destroy(Object.assign(new Error(message), { code: 'ETIMEDOUT' })), ms);
      timer.unref();
    };
    // connect timeout until the (TLS) connection is up, then the read timeout for the handshake
    // answer: an upstream that accepts and never answers must not hold the client for long.
    arm(connectMs, 'upstream connect timed out');
    upstreamReq.once('socket', (sock) =>
      sock.once(server.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        connected = true;
        arm(route.location.timeouts.readMs, 'upstream handshake timed out');
      }),
    );
    upstreamReq.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if (settled) return;
      settled = true;
      socket.off('close', onClientGone);
      const failure = classifyTransportError(err);
      finish(endAttempt(attempt, { failure, totalMs: performance.now() - started }, { requestSent: connected, responseStarted: false }));
    });
    upstreamReq.on('response', (res: IncomingMessage) => {
      // The upstream refused the upgrade: relay its answer as a normal response and close.
      if (timer) clearTimeout(timer);
      if (settled) {
        res.resume();
        return;
      }
      settled = true;
      socket.off('close', onClientGone);
      const decision = endAttempt(
        attempt,
        { status: res.statusCode ?? 502, totalMs: performance.now() - started },
        { requestSent: true, responseStarted: false },
      );
      if (decision.action === 'retry' || isPickFailure(decision)) {
        res.resume();
        finish(decision);
        return;
      }
      watches.get(socket)?.release();
      const out = addSetCookie(filterResponseHeaders(res.headers, false, route.location.hiddenHeaders), attempt.responseCookie(res.headers));
      out.connection = 'close';
      socket.write(rawHead(res.statusCode ?? 502, res.statusMessage ?? '', out));
      // pipeline, not pipe: a client that leaves mid-answer must also end the upstream request.
      pipeline(res, socket, () => {
        upstreamReq?.destroy();
        socket.destroy();
      });
    });
    upstreamReq.on('upgrade', (res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
      if (timer) clearTimeout(timer);
      if (settled) {
        upstream.destroy();
        return;
      }
      settled = true;
      socket.off('close', onClientGone);
      const key = req.headers['sec-websocket-key'];
      const expected =
        typeof key === 'string'
          ? createHash('sha1')
              .update(key + WS_GUID)
              .digest('base64')
          : undefined;
      if (res.statusCode !== 101 || (expected !== undefined && res.headers['sec-websocket-accept'] !== expected)) {
        upstream.destroy();
        finish(endAttempt(attempt, { failure: 'invalid_header', totalMs: performance.now() - started }, { requestSent: true, responseStarted: false }));
        return;
      }
      const answerHeaders = upgradeResponseHeaders(
        route.location.hooks,
        // The upgrade answer carries the sticky cookie too: the binding follows the WebSocket.
        addSetCookie(filterResponseHeaders(res.headers, true, route.location.hiddenHeaders), attempt.responseCookie(res.headers)),
        req,
      );
      if (answerHeaders === undefined) {
        // rewriteResponseHeaders failed: no tunnel.
        upstream.destroy();
        socket.destroy();
        attempt.end({ aborted: true, totalMs: performance.now() - started }, { requestSent: true, responseStarted: false });
        return;
      }
      const early = watches.get(socket)?.release() ?? [];
      socket.write(rawHead(101, 'Switching Protocols', answerHeaders));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      for (const chunk of early) upstream.write(chunk);
      handshakes.delete(socket);
      tunnels.add(socket);
      let closed = false;
      // nginx applies proxy_read_timeout to idle tunnels: no byte either way for that long closes it.
      const timeouts = route.location.timeouts;
      const stopIdle = closeWhenIdle(socket, upstream, timeouts.websocketIdleMs ?? timeouts.readMs, () => close());
      const close = (): void => {
        if (closed) return;
        closed = true;
        stopIdle();
        tunnels.delete(socket);
        socket.destroy();
        upstream.destroy();
        // An open WebSocket counts as active until here, as DESIGN.md asks.
        attempt.end({ status: 101, totalMs: performance.now() - started }, { requestSent: true, responseStarted: true });
      };
      upstream.on('error', close);
      upstream.on('close', close);
      socket.on('error', close);
      socket.on('close', close);
      closeOnEitherEnd(socket, upstream, close);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstreamReq.end();
  }

  function start(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute, rewrite: RequestRewrite | undefined): void {
    try {
      const attempt = firstAttempt(sy, route, toRequestInfo(req), { replayableBody: true });
      if (attempt === undefined) {
        writeError(socket, 502, 'no live upstream', route, req);
      } else if (isPickFailure(attempt)) {
        log(requestErrorLine(req.method, req.url, 500, attempt.reason, attempt.error));
        writeError(socket, 500, attempt.reason);
      } else {
        tryAttempt(req, socket, head, route, attempt, performance.now(), rewrite);
      }
    } catch (err) {
      // Inside the server's `upgrade` listener a throw would end the process.
      log(requestErrorLine(req.method, req.url, 500, 'internal error', err));
      writeError(socket, 500, 'internal error');
    }
  }

  /** A handshake of ours from here on: guarded, tracked for close(), through the request hook when set. */
  function begin(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute): void {
    // A client socket error before the upgrade completes must never crash the process.
    socket.on('error', () => socket.destroy());
    if (hasDuplicateHost(req.rawHeaders)) {
      // nginx's 400, as for plain requests on both adapters.
      writeError(socket, 400, DUPLICATE_HOST_REASON);
      return;
    }
    handshakes.add(socket);
    socket.once('close', () => handshakes.delete(socket));
    watches.set(socket, watchHandshakeClient(socket));
    const hooks = route.location.hooks;
    if (hooks !== undefined && hooks.rewriteRequest !== undefined) {
      // Auth headers matter most here: the hook runs once before the first try, as for requests.
      runUpgradeRewrite(sy, hooks, req, socket, route, (rewrite) => {
        if (closed || socket.destroyed) return;
        start(req, socket, head, rewrittenRoute(route, rewrite), rewrite);
      });
      return;
    }
    start(req, socket, head, route, undefined);
  }

  return {
    handle(req, socket, head) {
      if (!isWebSocketUpgrade(req)) return false;
      let route: ReturnType<Switchyard['match']>;
      try {
        route = sy.match(req.method ?? 'GET', req.url ?? '/', requestHost(req));
      } catch (err) {
        // Inside the server's `upgrade` listener a throw would end the process.
        socket.on('error', () => socket.destroy());
        log(requestErrorLine(req.method, req.url, 500, 'internal error', err));
        writeError(socket, 500, 'internal error');
        return true;
      }
      if (route !== undefined && route.internal === true) {
        // An internal location (nginx `internal`): 404 here, so no other upgrade listener is offered it.
        socket.on('error', () => socket.destroy());
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return true;
      }
      if (route === undefined || route.redirect !== undefined || !route.location.websocket) return false;
      if (closed) return false;
      begin(req, socket, head, route);
      return true;
    },
    proxy(req, socket, head, route) {
      if (closed) {
        socket.destroy();
        return;
      }
      if (!isWebSocketUpgrade(req) || !route.location.websocket) {
        // Not a WebSocket (h2c...), or the route turned WebSockets off: refused, never tunnelled.
        socket.on('error', () => socket.destroy());
        socket.end(isWebSocketUpgrade(req) ? NOT_FOUND : NOT_PROXIED);
        return;
      }
      begin(req, socket, head, route);
    },
    close() {
      closed = true;
      // Destroying a handshaking client socket aborts its upstream request and releases its try.
      for (const socket of handshakes) socket.destroy();
      for (const socket of tunnels) socket.destroy();
      handshakes.clear();
      tunnels.clear();
    },
  };
}
