/** @module WebSocket upgrade proxying over node:http, shared by both adapters: same match, pick, failover and accounting as plain requests. */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, type Duplex } from 'node:stream';
import type { Attempt, ProxyRoute, Switchyard } from '../types.js';
import { buildUpstreamHeaders, filterResponseHeaders } from './upstream-headers.js';
import { classifyTransportError, gatewayErrorBody } from './transport-errors.js';
import { isEncrypted, toRequestInfo } from './request-info.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WebSocketProxy {
  /**
   * Proxies the upgrade when a location matches and allows WebSockets; returns false (socket
   * untouched) otherwise, so the caller can leave it to other `upgrade` listeners.
   */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every open tunnel and every handshake still under way; later upgrades are not handled. */
  close(): void;
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

function writeError(socket: Duplex, status: 502 | 504, reason: string): void {
  if (socket.destroyed) return;
  const body = gatewayErrorBody(status, reason);
  const text = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
  socket.end(rawHead(status, text, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' }) + body);
}

/** Creates the upgrade handler for a switchyard instance (used for `server.on('upgrade', ...)`). */
export function createWebSocketProxy(sy: Switchyard): WebSocketProxy {
  const tunnels = new Set<Duplex>();
  /** Client sockets whose handshake with an upstream is still under way (closed by close() too). */
  const handshakes = new Set<Duplex>();
  let closed = false;

  function tryAttempt(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute, attempt: Attempt, started: number): void {
    const { server } = attempt;
    const headers = buildUpstreamHeaders(req.headers, {
      peerIp: req.socket.remoteAddress,
      encrypted: isEncrypted(req),
      trusted: sy.isTrustedProxy(req.socket.remoteAddress ?? ''),
      location: route.location,
      server,
      websocket: true,
    });
    const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    // eslint-disable-next-line prefer-const -- read by onClientGone (defined above its one assignment) while still undefined
    let upstreamReq: ClientRequest | undefined;
    const connectMs = route.location.timeouts.connectMs;

    const finish = (decision: ReturnType<Attempt['end']>): void => {
      if (decision.action === 'retry') {
        tryAttempt(req, socket, head, route, decision.attempt, started);
      } else if (decision.action === 'fail') {
        writeError(socket, decision.status, decision.reason);
      }
    };
    const onClientGone = (): void => {
      if (settled) return;
      settled = true;
      upstreamReq?.destroy();
      attempt.end({ aborted: true, totalMs: performance.now() - started }, { requestSent: true, responseStarted: false });
    };
    socket.once('close', onClientGone);

    upstreamReq = send({
      host: server.hostname,
      port: server.port,
      method: req.method,
      path: server.basePath + route.path,
      headers,
      agent: false,
      servername: server.protocol === 'https:' ? server.hostname : undefined,
    });
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
      finish(attempt.end({ failure, totalMs: performance.now() - started }, { requestSent: connected, responseStarted: false }));
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
      const decision = attempt.end({ status: res.statusCode ?? 502, totalMs: performance.now() - started }, { requestSent: true, responseStarted: false });
      if (decision.action === 'retry') {
        res.resume();
        tryAttempt(req, socket, head, route, decision.attempt, started);
        return;
      }
      const out = filterResponseHeaders(res.headers);
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
        finish(attempt.end({ failure: 'invalid_header', totalMs: performance.now() - started }, { requestSent: true, responseStarted: false }));
        return;
      }
      socket.write(rawHead(101, 'Switching Protocols', filterResponseHeaders(res.headers, true)));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      handshakes.delete(socket);
      tunnels.add(socket);
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
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
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstreamReq.end();
  }

  return {
    handle(req, socket, head) {
      if (!isWebSocketUpgrade(req)) return false;
      const route = sy.match(req.method ?? 'GET', req.url ?? '/');
      if (route === undefined || route.redirect !== undefined || !route.location.websocket) return false;
      if (closed) return false;
      // A client socket error before the upgrade completes must never crash the process.
      socket.on('error', () => socket.destroy());
      handshakes.add(socket);
      socket.once('close', () => handshakes.delete(socket));
      const forwarding = sy.forward(route, toRequestInfo(req), { replayableBody: true });
      const attempt = forwarding.first();
      if (attempt === undefined) {
        writeError(socket, 502, 'no live upstream');
        return true;
      }
      tryAttempt(req, socket, head, route, attempt, performance.now());
      return true;
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
