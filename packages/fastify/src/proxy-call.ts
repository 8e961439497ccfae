/** @module One proxied request on Fastify: the tries the core decides, moved by reply-from, each released exactly once. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import {
  buildUpstreamHeaders,
  classifyTransportError,
  filterResponseHeaders,
  gatewayErrorBody,
  isEncrypted,
  toRequestInfo,
  type Attempt,
  type FailureKind,
  type ProxyRoute,
  type Switchyard,
  type TryProgress,
} from '@switchyard/core';
import { TRY_KEY, type CountingPool, type TryTarget, type UpstreamPools } from './upstream-pools.js';
import { TryBody, type BodyProgress, type ProxyBody } from './request-body.js';
import type { FromFn, FromOptions, FromResponse } from './reply-from.js';

/** What every request of one plugin instance shares. */
export interface ProxyContext {
  readonly sy: Switchyard;
  readonly pools: UpstreamPools;
  readonly from: FromFn;
}

/**
 * reply-from builds its URL from this constant (cached after the first request, so no URL is
 * parsed per request); the dispatcher replaces origin and path with the chosen server's.
 */
const SOURCE = 'http://upstream.switchyard.invalid/';

const kCall = Symbol('switchyard.call');

const WAITING = 0;
const STREAMING = 1;
const DONE = 2;

const SENT: TryProgress = { requestSent: true, responseStarted: false };
const NOT_SENT: TryProgress = { requestSent: false, responseStarted: false };
const STARTED: TryProgress = { requestSent: true, responseStarted: true };
const NO_HEADERS: OutgoingHttpHeaders = Object.freeze({});

/** Errors that mean no byte reached the server: always safe to retry, even a POST. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function neverConnected(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

type UndiciBody = Readable & { dump?: (opts?: { limit: number }) => Promise<void>; [kCall]?: ProxyCall };
type CallHolder = { [kCall]?: ProxyCall };

/** Throw away a response that will not be delivered; a small body is read so its connection can be reused. */
function discard(stream: UndiciBody): void {
  stream.on('error', noop);
  if (typeof stream.dump === 'function') stream.dump({ limit: 64 * 1024 }).catch(noop);
  else stream.destroy();
}

function noop(): void {}

function callOf(holder: unknown): ProxyCall | undefined {
  return (holder as CallHolder)[kCall];
}

// reply-from callbacks: shared functions that find the call on the request, no per-request closures.
const rewriteRequestHeaders = (request: FastifyRequest): OutgoingHttpHeaders => (callOf(request) as ProxyCall).headers;
const rewriteHeaders = (): OutgoingHttpHeaders => NO_HEADERS;
const retryDelay = (): null => null;

function onResponse(request: FastifyRequest, _reply: FastifyReply, res: FromResponse): void {
  const call = callOf(request);
  if (call === undefined || call.state !== WAITING || call.skipResponse) {
    if (call !== undefined) call.skipResponse = false;
    discard(res.stream);
    return;
  }
  call.responded(res);
}

function onError(reply: FastifyReply, { error }: { error: Error }): void {
  const call = callOf(reply.request);
  if (call === undefined || call.state !== WAITING) return;
  call.failed(error);
}

function onClientClose(this: ServerResponse): void {
  callOf(this)?.clientClosed();
}

function onUpstreamBodyError(this: UndiciBody, err: Error): void {
  this[kCall]?.bodyFailed(err);
}

const NO_BODY_OPTIONS: FromOptions = { rewriteRequestHeaders, rewriteHeaders, onResponse, onError, retryDelay, retriesCount: 0 };

/**
 * The state of one proxied request. It is also the per-try target the dispatcher reads (pool,
 * path, timeouts) and the abort signal handed to undici (one listener at a time: one try is in
 * flight at a time).
 */
class ProxyCall implements TryTarget, BodyProgress {
  state = WAITING;
  /** reply-from reports an invalid status through onError and then still calls onResponse. */
  skipResponse = false;
  bodyStarted = false;
  aborted = false;
  counted = false;
  pool!: CountingPool;
  path = '';
  readMs = 0;
  readonly keepalive: number;
  readonly signal: this = this;
  body: Buffer | Readable | undefined = undefined;
  headers: OutgoingHttpHeaders = NO_HEADERS;
  attempt: Attempt;
  readonly #ctx: ProxyContext;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly #route: ProxyRoute;
  readonly #body: ProxyBody;
  readonly #options: FromOptions;
  readonly #peerIp: string | undefined;
  readonly #encrypted: boolean;
  readonly #trusted: boolean;
  /** reply-from refuses a body on GET/HEAD: the dispatcher sends it instead (`body`). */
  readonly #bodyAside: boolean;
  #abortListener: (() => void) | undefined;
  #stream: UndiciBody | undefined;
  #tryStart = 0;
  #headerMs = 0;
  #status = 0;

  constructor(ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply, route: ProxyRoute, attempt: Attempt, body: ProxyBody) {
    this.#ctx = ctx;
    this.#request = request;
    this.#reply = reply;
    this.#route = route;
    this.attempt = attempt;
    this.#body = body;
    const raw = request.raw;
    this.#peerIp = raw.socket.remoteAddress;
    this.#encrypted = isEncrypted(raw);
    this.#trusted = ctx.sy.isTrustedProxy(this.#peerIp ?? '');
    this.keepalive = ctx.sy.config.upstreams.get(route.upstream)?.keepalive ?? 32;
    const method = raw.method;
    this.#bodyAside = body.kind !== 'none' && (method === 'GET' || method === 'HEAD');
    this.#options =
      body.kind === 'buffer' && !this.#bodyAside
        ? {
            body: body.data,
            contentType: body.contentType ?? 'application/octet-stream',
            rewriteRequestHeaders,
            rewriteHeaders,
            onResponse,
            onError,
            retryDelay,
            retriesCount: 0,
          }
        : NO_BODY_OPTIONS;
    (request as CallHolder)[kCall] = this;
    (reply.raw as CallHolder)[kCall] = this;
    reply.raw.once('close', onClientClose);
  }

  /** Send the current try to its server. */
  send(): void {
    const server = this.attempt.server;
    const location = this.#route.location;
    const body = this.#body;
    this.pool = this.#ctx.pools.poolFor(server, location.timeouts.connectMs);
    this.path = server.basePath + this.#route.path;
    this.readMs = location.timeouts.readMs;
    const raw = this.#request.raw;
    const headers = buildUpstreamHeaders(raw.headers, {
      peerIp: this.#peerIp,
      encrypted: this.#encrypted,
      trusted: this.#trusted,
      location,
      server,
      bodyLength: body.kind === 'buffer' ? body.data.length : undefined,
    });
    // The client's 100-continue was already answered by Node; undici refuses an Expect header.
    if (headers.expect !== undefined) delete headers.expect;
    if (body.kind === 'buffer' && body.contentType !== undefined) headers['content-type'] = body.contentType;
    (headers as Record<symbol, unknown>)[TRY_KEY] = this;
    this.headers = headers;
    if (body.kind === 'stream') {
      const tryBody = new TryBody(body.source, this, location.timeouts.sendMs);
      if (this.#bodyAside) this.body = tryBody;
      else (this.#request as { body: unknown }).body = tryBody;
    } else if (this.#bodyAside && body.kind === 'buffer') {
      this.body = body.data;
    }
    this.#tryStart = performance.now();
    try {
      this.#ctx.from.call(this.#reply, SOURCE, this.#options);
    } catch {
      // reply-from refused the request itself (e.g. a GET carrying a body): not the server's fault.
      this.#uncount();
      this.attempt.end({ aborted: true }, NOT_SENT);
      this.#fail(502, 'proxy error');
    }
  }

  responded(res: FromResponse): void {
    const headerMs = performance.now() - this.#tryStart;
    const decision = this.attempt.responded(res.statusCode, headerMs, SENT);
    if (decision.action === 'retry') {
      discard(res.stream);
      this.#uncount();
      this.attempt = decision.attempt;
      this.send();
      return;
    }
    if (decision.action === 'fail') {
      discard(res.stream);
      this.#uncount();
      this.#fail(decision.status, decision.reason);
      return;
    }
    this.state = STREAMING;
    this.#headerMs = headerMs;
    this.#status = res.statusCode;
    const stream = res.stream as UndiciBody;
    this.#stream = stream;
    stream[kCall] = this;
    stream.on('error', onUpstreamBodyError);
    const reply = this.#reply;
    reply.headers(filterResponseHeaders(res.headers));
    reply.send(stream);
  }

  failed(error: Error): void {
    this.#uncount();
    let failure: FailureKind;
    let progress: TryProgress;
    if ((error as { code?: unknown }).code === 'FST_REPLY_FROM_BAD_GATEWAY') {
      // An invalid status code: reply-from calls onResponse right after this.
      failure = 'invalid_header';
      progress = SENT;
      this.skipResponse = true;
    } else {
      failure = classifyTransportError(error);
      progress = this.bodyStarted || !neverConnected(error) ? SENT : NOT_SENT;
    }
    const decision = this.attempt.end({ failure, totalMs: performance.now() - this.#tryStart }, progress);
    if (decision.action === 'retry') {
      this.attempt = decision.attempt;
      this.send();
    } else if (decision.action === 'fail') {
      this.#fail(decision.status, decision.reason);
    } else {
      this.#fail(502, 'upstream connection failed');
    }
  }

  /** The delivered response's body failed (upstream reset, read timeout). */
  bodyFailed(err: Error): void {
    if (this.state !== STREAMING) return;
    this.state = DONE;
    this.#uncount();
    const now = performance.now();
    const decision = this.attempt.end({ failure: classifyTransportError(err), headerMs: this.#headerMs, totalMs: now - this.#tryStart }, STARTED);
    // Fastify answers an error before the first body byte with its error handler: make it a 502/504.
    if (decision.action === 'fail' && !this.#reply.raw.headersSent) (err as { statusCode?: number }).statusCode = decision.status;
  }

  /** The client's response closed: either the response is complete, or the client went away. */
  clientClosed(): void {
    const state = this.state;
    if (state === DONE) return;
    this.state = DONE;
    this.#uncount();
    const totalMs = performance.now() - this.#tryStart;
    if (state === WAITING) {
      this.#abort();
      this.attempt.end({ aborted: true, totalMs }, this.bodyStarted ? SENT : NOT_SENT);
    } else if ((this.#stream as UndiciBody).readableEnded || this.#reply.raw.writableFinished) {
      // The response was delivered in full. For a 204 (and 1xx) Fastify ends the response first
      // and only then resumes the upstream body, so that may not have ended yet: make sure it is
      // read (connection reused) or destroyed rather than left paused.
      const stream = this.#stream as UndiciBody;
      if (!stream.readableEnded && stream.readableFlowing !== true) discard(stream);
      this.attempt.end({ status: this.#status, headerMs: this.#headerMs, totalMs }, STARTED);
    } else {
      this.attempt.end({ aborted: true, headerMs: this.#headerMs, totalMs }, STARTED);
    }
  }

  /** The try is over: it no longer counts against the server pool's keep-alive budget. */
  #uncount(): void {
    if (this.counted) {
      this.counted = false;
      this.pool.inFlight--;
    }
  }

  #fail(status: number, reason: string): void {
    this.state = DONE;
    const reply = this.#reply;
    if (reply.sent || reply.raw.headersSent) return;
    const body = this.#body;
    if (body.kind === 'stream' && !body.source.readableEnded) {
      // The failed try left the client's upload half read and paused: discard the rest (as Node's
      // own _dump does) and close the connection after the answer, or the client socket would
      // stay open until requestTimeout.
      reply.header('connection', 'close');
      body.source.resume();
    }
    reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(gatewayErrorBody(status, reason));
  }

  #abort(): void {
    this.aborted = true;
    const listener = this.#abortListener;
    this.#abortListener = undefined;
    if (listener !== undefined) listener();
  }

  // EventEmitter-style abort signal for undici (it calls once/on and removeListener).
  once(_event: 'abort', listener: () => void): this {
    this.#abortListener = listener;
    return this;
  }

  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    if (this.#abortListener === listener) this.#abortListener = undefined;
    return this;
  }
}

/**
 * Proxy one request along `route`. `body` is what to send: nothing, held bytes (replayable) or
 * a stream (retried only if not a byte of it was sent).
 */
export function proxyRequest(ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply, route: ProxyRoute, body: ProxyBody | Promise<ProxyBody>): void {
  if (body instanceof Promise) {
    // A small body Fastify did not parse (GET) is read first, so that a retry can resend it.
    body.then(
      (read) => proxyRequest(ctx, request, reply, route, read),
      () => {
        // The client aborted or broke its upload: nothing reached an upstream.
        if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
        reply.code(400).header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').send('Bad Request\n');
      },
    );
    return;
  }
  const forwarding = ctx.sy.forward(route, toRequestInfo(request.raw), { replayableBody: body.kind !== 'stream' });
  const attempt = forwarding.first();
  if (attempt === undefined) {
    reply.code(502).header('content-type', 'text/plain; charset=utf-8').send(gatewayErrorBody(502, 'no live upstream'));
    return;
  }
  new ProxyCall(ctx, request, reply, route, attempt, body).send();
}
