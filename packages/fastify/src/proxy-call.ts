/** @module One proxied request on Fastify: the tries the core decides, moved by reply-from, each released exactly once. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import {
  addSetCookie,
  applyRequestRewrite,
  buildUpstreamHeaders,
  classifyTransportError,
  withoutUnderscoreHeaders,
  endAttempt,
  filterResponseHeaders,
  hasDuplicateHost,
  DUPLICATE_HOST_REASON,
  gatewayAnswer,
  redirectLocation,
  rewriteRedirectHeaders,
  toRedirectRequest,
  withAccelKept,
  type AccelRedirect,
  type AccelState,
  isEncrypted,
  planResponse,
  recordConnect,
  recordUpstreamHeaders,
  rewrittenRoute,
  startForwarding,
  traceTry,
  gatewayErrorBody,
  isPickFailure,
  isQueueRefusal,
  isQueueTicket,
  isRequestBuildError,
  pickFailureLine,
  requestErrorLine,
  respondedAttempt,
  retryStatus,
  toRequestInfo,
  type Attempt,
  type FailureKind,
  type FirstTry,
  type QueueTicket,
  type GatewayAnswer,
  type OpenExchange,
  type OpenExchanges,
  type ProxyRoute,
  type RequestInfo,
  type RequestRewrite,
  type Switchyard,
  type TryProgress,
} from '@switchyard/core';
import { sendThroughUndici } from './undici-spans.js';
import { TRY_KEY, type CountingPool, type ReplyFromCallback, type TryTarget, type UpstreamPools } from './upstream-pools.js';
import { quietReplyFromLog } from './quiet-log.js';
import { NO_BODY, TryBody, type BodyProgress, type ProxyBody } from './request-body.js';
import type { FromFn, FromOptions, FromResponse } from './reply-from.js';
import { dropRemovedAppHeaders, hookReporter, rewriteThenProxy, sendAnswer, withAppHeaders } from './hook-glue.js';
import { answerCutResponse } from './cut-response.js';
import { logRequest, type FastifyAccessLog } from './access-log.js';

/** What every request of one plugin instance shares. */
export interface ProxyContext {
  readonly sy: Switchyard;
  readonly pools: UpstreamPools;
  readonly from: FromFn;
  /** The response was finished by someone else while the proxy waited (a handler without `return reply.proxyTo(...)`). */
  readonly onPreempted?: (request: FastifyRequest) => void;
  /** One line per request answered 500/502 because of the request or the configuration. */
  readonly log: (line: string) => void;
  /** The calls whose response is still open, for `closeTimeout`. */
  readonly open: OpenExchanges;
  /** The access log and tracing settings; the facts are made only while `sy.wantsFacts()`. */
  readonly accessLog: FastifyAccessLog;
}

/**
 * reply-from builds its URL from this constant (cached after the first request, so no URL is
 * parsed per request); the dispatcher replaces origin and path with the chosen server's.
 */
const SOURCE = 'http://upstream.switchyard.invalid/';

/**
 * Where reply-from's callbacks find the call: a field of every Fastify request, declared by the
 * plugin with decorateRequest so that it is part of the request's initial shape. Nothing is added
 * to Node's own objects (the response, undici's body stream): a property added per request to
 * those gives Node's stream and HTTP code one more object shape to handle on every call (issue 18).
 */
export const kCall = Symbol('switchyard.call');

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
  // unix:/path servers: the socket file is missing or not ours to open.
  'ENOENT',
  'EACCES',
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

type UndiciBody = Readable & { dump?: (opts?: { limit: number }) => Promise<void> };
type CallHolder = { [kCall]?: ProxyCall | null };

/** Throw away a response that will not be delivered; a small body is read so its connection can be reused. */
function discard(stream: UndiciBody): void {
  stream.on('error', noop);
  if (typeof stream.dump === 'function') stream.dump({ limit: 64 * 1024 }).catch(noop);
  else stream.destroy();
}

function noop(): void {}

function callOf(request: FastifyRequest): ProxyCall | undefined {
  return (request as CallHolder)[kCall] ?? undefined;
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

const NO_BODY_OPTIONS: FromOptions = { rewriteRequestHeaders, rewriteHeaders, onResponse, onError, retryDelay, retriesCount: 0 };

/**
 * The state of one proxied request. It is also the per-try target the dispatcher reads (pool,
 * path, timeouts) and the abort signal handed to undici (one listener at a time: one try is in
 * flight at a time).
 */
class ProxyCall implements TryTarget, BodyProgress, OpenExchange {
  state = WAITING;
  /** reply-from reports an invalid status through onError and then still calls onResponse. */
  skipResponse = false;
  bodyStarted = false;
  aborted = false;
  counted = false;
  replyFromCallback: ReplyFromCallback | undefined = undefined;
  trailers: Record<string, string | string[]> | undefined = undefined;
  openSlot = -1;
  pool!: CountingPool;
  path = '';
  readMs = 0;
  readonly keepalive: number;
  readonly signal: this = this;
  body: Buffer | Readable | undefined = undefined;
  headers: OutgoingHttpHeaders = NO_HEADERS;
  attempt: Attempt;
  /** What `rewriteRequest` changed, applied to every try; `undefined` without that hook. */
  rewrite: RequestRewrite | undefined = undefined;
  /** Set on a call that follows an `X-Accel-Redirect`: the method, URI and kept headers so far. */
  accel: AccelState | undefined = undefined;
  info!: RequestInfo;
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

  constructor(ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply, route: ProxyRoute, attempt: Attempt, body: ProxyBody, accel?: AccelState) {
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
    // After an X-Accel-Redirect the method is nginx's (GET, or the client's for a named location).
    const method = accel?.method ?? raw.method;
    this.#bodyAside = body.kind !== 'none' && (method === 'GET' || method === 'HEAD');
    this.accel = accel;
    const options =
      body.kind === 'buffer' && !this.#bodyAside
        ? {
            body: body.data,
            contentType: body.contentType ?? 'application/octet-stream',
            rewriteRequestHeaders,
            rewriteHeaders,
            onResponse,
            onError,
            retryDelay,
            retriesCount: 0 as const,
          }
        : NO_BODY_OPTIONS;
    this.#options = accel === undefined ? options : { ...options, method: accel.method };
    (request as CallHolder)[kCall] = this;
    // 'close' is emitted once per response (`on` spares the `once` wrapper).
    reply.raw.on('close', () => this.clientClosed());
    // Tracked until that 'close' (a response already closed would never emit it); the wait before
    // this call existed was counted by countWhileWaiting.
    if (!reply.raw.closed) ctx.open.add(this);
  }

  /** Only for a failed try, not per request: the wrapper logger costs about 0.6 µs (issue 18). */
  quietReplyFromLog(): void {
    quietReplyFromLog(this.#request);
  }

  /** undici is about to write the try on a connection (new or reused): its connect time, for the access log. */
  connected(): void {
    if (this.attempt.facts !== undefined) recordConnect(this.attempt, performance.now() - this.#tryStart);
  }

  /** At close(), after the grace: the client's connection is cut, which ends the call through 'close'. */
  cut(): void {
    this.#reply.raw.destroy();
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
    const headers = buildUpstreamHeaders(withoutUnderscoreHeaders(raw.headers, this.#ctx.sy.config.underscoresInHeaders), {
      peerIp: this.#peerIp,
      encrypted: this.#encrypted,
      trusted: this.#trusted,
      location,
      server,
      bodyLength: body.kind === 'buffer' ? body.data.length : undefined,
      method: raw.method,
      requestUri: raw.url,
      socket: raw.socket,
    });
    // The client's 100-continue was already answered by Node; undici refuses an Expect header.
    if (headers.expect !== undefined) delete headers.expect;
    if (this.accel !== undefined) {
      // An internal redirect carries the held body (as nginx), a streamed one is gone: none, and
      // reply-from must not find the parsed body on the request (it refuses one on a GET).
      if (body.kind !== 'buffer') {
        delete headers['content-length'];
        delete headers['transfer-encoding'];
      }
      (this.#request as { body: unknown }).body = undefined;
    }
    if (body.kind === 'buffer' && body.contentType !== undefined) headers['content-type'] = body.contentType;
    if (this.rewrite !== undefined) applyRequestRewrite(headers, this.rewrite);
    // Late: the try's span is decided when undici makes the request (an instrumentation may make it).
    if (this.attempt.facts !== undefined) traceTry(this.attempt, headers, true);
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
      if (this.attempt.facts === undefined || !this.#ctx.accessLog.tracing) this.#ctx.from.call(this.#reply, SOURCE, this.#options);
      else sendThroughUndici(this.attempt, () => void this.#ctx.from.call(this.#reply, SOURCE, this.#options));
    } catch {
      // reply-from refused the request itself (e.g. a GET carrying a body): not the server's fault.
      this.#uncount();
      this.attempt.end({ aborted: true }, NOT_SENT);
      this.#fail(502, 'proxy error');
    }
  }

  responded(res: FromResponse): void {
    const headerMs = performance.now() - this.#tryStart;
    if (this.attempt.facts !== undefined) recordUpstreamHeaders(this.attempt, res.headers);
    const decision = respondedAttempt(this.attempt, retryStatus(res.statusCode, res.headers), headerMs, SENT);
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
      if (isPickFailure(decision)) this.#ctx.log(pickFailureLine(this.#request.raw.method, this.#request.raw.url, decision));
      this.#fail(decision.status, decision.reason);
      return;
    }
    const upstreamHeaders: IncomingHttpHeaders = res.headers;
    if (this.#route.location.accelRedirect === true && upstreamHeaders['x-accel-redirect'] !== undefined) {
      const accel = this.#ctx.sy.accelRedirect(this.#route, upstreamHeaders, this.accel ?? this.#firstAccelState());
      if (accel !== undefined) {
        this.#followAccel(res, headerMs, accel);
        return;
      }
    }
    let headers = addSetCookie(filterResponseHeaders(upstreamHeaders, false, this.#route.location.hiddenHeaders), this.attempt.responseCookie(upstreamHeaders));
    if (this.accel !== undefined) headers = withAccelKept(headers, this.accel.kept);
    // nginx proxy_redirect; the request's view is built only for a location that rewrites.
    if (this.#route.location.redirects !== undefined) rewriteRedirectHeaders(headers, this.#route.location, toRedirectRequest(this.#request.raw));
    const hooks = this.#route.location.hooks;
    if (hooks !== undefined) {
      const plan = planResponse(hooks, res.statusCode, withAppHeaders(this.#reply, headers, hooks), this.info, hookReporter(this.#request, 'response'));
      if (plan.answer !== undefined) {
        // Intercepted (or the header hook failed): the upstream answer is over, its body discarded.
        discard(res.stream);
        this.#uncount();
        this.attempt.end({ status: res.statusCode, headerMs, totalMs: headerMs }, SENT);
        this.#fail(plan.answer.status, '', plan.answer);
        return;
      }
      headers = plan.headers;
      if (hooks.rewriteResponseHeaders !== undefined) dropRemovedAppHeaders(this.#reply, headers);
    }
    this.state = STREAMING;
    this.#headerMs = headerMs;
    this.#status = res.statusCode;
    const stream = res.stream as UndiciBody;
    this.#stream = stream;
    stream.on('error', (err: Error) => this.bodyFailed(err));
    const reply = this.#reply;
    // Registered before reply.send pipes the body: runs before the pipe ends the response, when undici
    // has filled the trailers (gRPC's grpc-status and grpc-message travel there).
    if (this.trailers !== undefined) stream.once('end', () => this.#forwardTrailers());
    reply.headers(headers);
    reply.send(stream);
  }

  /** The upstream's trailers onto the client response (HTTP/2, or chunked HTTP/1.1), hop-by-hop and framing names left out. */
  #forwardTrailers(): void {
    const trailers = this.trailers;
    if (trailers === undefined) return;
    const out = filterResponseHeaders(trailers);
    const raw = this.#reply.raw;
    if (Object.keys(out).length === 0 || raw.destroyed) return;
    try {
      raw.addTrailers(out);
    } catch (err) {
      // A trailer Node refuses (an invalid character): the body is whole, the trailers are not sent; said once per request.
      this.#ctx.log(requestErrorLine(this.#request.raw.method, this.#request.raw.url, this.#status, 'upstream trailers not forwarded', err));
    }
  }

  #firstAccelState(): AccelState {
    const raw = this.#request.raw;
    return { method: raw.method ?? 'GET', url: raw.url ?? '/', followed: 0 };
  }

  /**
   * The upstream answered with an `X-Accel-Redirect` to follow: its response is over (a success for
   * the server, its body discarded) and the request goes on as the core says, like nginx's
   * internal redirect: another route (a new call, no body), a slash redirect, or a 404/500.
   */
  #followAccel(res: FromResponse, headerMs: number, accel: AccelRedirect): void {
    discard(res.stream);
    this.#uncount();
    this.attempt.end({ status: res.statusCode, headerMs, totalMs: headerMs }, SENT);
    this.state = DONE;
    const reply = this.#reply;
    const request = this.#request;
    if (accel.action === 'proxy') {
      // The new call counts itself for closeTimeout and takes the request's callbacks over.
      this.#ctx.open.remove(this);
      // A held body goes along (nginx resends it); a streamed one was consumed by the first try.
      proxyRequest(this.#ctx, request, reply, accel.route, this.#body.kind === 'buffer' ? this.#body : NO_BODY, undefined, accel.next);
      return;
    }
    if (reply.sent || reply.raw.headersSent) return;
    if (accel.action === 'redirect') {
      const headers = withAccelKept({}, accel.keep);
      reply
        .code(301)
        .headers(headers)
        .header('location', redirectLocation(accel.route, toRedirectRequest(request.raw)))
        .send();
      return;
    }
    // The reason names the upstream's URI: for the log, not for the client.
    this.#ctx.log(requestErrorLine(request.raw.method, request.raw.url, accel.status, 'X-Accel-Redirect', accel.reason));
    // nginx's error page keeps the redirecting responses' Set-Cookie, Cache-Control... (not Accept-Ranges).
    const kept = withAccelKept({}, accel.keep);
    delete kept['accept-ranges'];
    reply.headers(kept);
    sendAnswer(reply, this.#body, accelAnswer(accel.status));
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
    } else if (!this.bodyStarted && isRequestBuildError(error)) {
      // undici refused to build the request (a header value it rejects): nothing reached the
      // server, so it is neither a server failure nor worth another server.
      this.attempt.end({ aborted: true }, NOT_SENT);
      this.#ctx.log(requestErrorLine(this.#request.raw.method, this.#request.raw.url, 502, 'invalid request header', error));
      this.#fail(502, 'invalid request header');
      return;
    } else {
      failure = classifyTransportError(error);
      progress = this.bodyStarted || !neverConnected(error) ? SENT : NOT_SENT;
    }
    const decision = endAttempt(this.attempt, { failure, totalMs: performance.now() - this.#tryStart }, progress);
    if (decision.action === 'retry') {
      this.attempt = decision.attempt;
      this.send();
    } else if (decision.action === 'fail') {
      if (isPickFailure(decision)) this.#ctx.log(pickFailureLine(this.#request.raw.method, this.#request.raw.url, decision));
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
    const decision = endAttempt(this.attempt, { failure: classifyTransportError(err), headerMs: this.#headerMs, totalMs: now - this.#tryStart }, STARTED);
    // Before the first body byte Fastify would answer with its JSON error: one plain line instead.
    if (decision.action === 'fail') answerCutResponse(this.#reply, decision.status, decision.reason);
  }

  /** The client's response closed: either the response is complete, or the client went away. */
  clientClosed(): void {
    this.#ctx.open.remove(this);
    const state = this.state;
    if (state === DONE) return;
    this.state = DONE;
    this.#uncount();
    const totalMs = performance.now() - this.#tryStart;
    if (state === WAITING) {
      if (this.#reply.raw.writableFinished) this.#ctx.onPreempted?.(this.#request);
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
      // The client is gone (or was cut at close): let go of the upstream response now, before the
      // pools are destroyed under it.
      const stream = this.#stream as UndiciBody;
      stream.on('error', noop);
      stream.destroy();
    }
  }

  /** The try is over: it no longer counts against the server pool's keep-alive budget. */
  #uncount(): void {
    if (this.counted) {
      this.counted = false;
      this.pool.inFlight--;
    }
  }

  #fail(status: number, reason: string, answer?: GatewayAnswer): void {
    this.state = DONE;
    const reply = this.#reply;
    if (reply.sent || reply.raw.headersSent) return;
    // The failed try left the client's upload half read and paused: sendAnswer discards the rest (as
    // Node's own _dump does) and closes the connection after the answer, or the client socket would
    // stay open until requestTimeout.
    sendAnswer(
      reply,
      this.#body,
      answer ?? gatewayAnswer(this.#route.location.hooks, status, reason, this.info, undefined, hookReporter(this.#request, 'onError')),
    );
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

/** The plain answer to an X-Accel-Redirect that leads nowhere (404) or loops (500). */
export function accelAnswer(status: 404 | 500): GatewayAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: status === 404 ? 'Not Found\n' : 'Internal Server Error\n' };
}

/**
 * Proxy one request along `route`. `body` is what to send: nothing, held bytes (replayable) or
 * a stream (retried only if not a byte of it was sent).
 */
export function proxyRequest(
  ctx: ProxyContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: ProxyRoute,
  body: ProxyBody | Promise<ProxyBody>,
  rewrite?: RequestRewrite,
  accel?: AccelState,
): void {
  if (body instanceof Promise) {
    // A small body Fastify did not parse (GET) is read first, so that a retry can resend it.
    const release = countWhileWaiting(ctx, reply);
    body
      .then(
        (read) => proxyRequest(ctx, request, reply, route, read),
        () => {
          // The client aborted or broke its upload: nothing reached an upstream.
          if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
          reply.code(400).header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').send('Bad Request\n');
        },
      )
      .finally(release)
      .catch((err: unknown) => internalError(ctx, request, reply, err));
    return;
  }
  if (hasDuplicateHost(request.raw.rawHeaders)) {
    // nginx's 400 (Node keeps the first Host and drops the other silently); the connection closes.
    reply.code(400).header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').send(gatewayErrorBody(400, DUPLICATE_HOST_REASON));
    return;
  }
  const raw = toRequestInfo(request.raw);
  // After an X-Accel-Redirect the request goes on with the method nginx gives it (retry rules follow it).
  const info = accel === undefined || accel.method === raw.method ? raw : { ...raw, method: accel.method };
  const hooks = route.location.hooks;
  if (hooks !== undefined && hooks.rewriteRequest !== undefined && rewrite === undefined) {
    // Once per request (and per internal redirect), before the first try; the tries apply its result.
    const release = countWhileWaiting(ctx, reply);
    rewriteThenProxy(ctx.sy, hooks, request, reply, route, body, info, (done) => {
      proxyRequest(ctx, request, reply, rewrittenRoute(route, done), body, done, accel);
      release();
    });
    return;
  }
  let ticket: QueueTicket | undefined;
  let left = noop;
  const facts = ctx.sy.wantsFacts() ? logRequest(ctx.accessLog, request, reply) : undefined;
  const first = startForwarding(
    ctx.sy,
    route,
    info,
    body.kind !== 'stream',
    (later) => {
      left();
      startCall(ctx, request, reply, route, body, rewrite, info, later, accel);
    },
    facts,
  );
  if (!isQueueTicket(first)) {
    startCall(ctx, request, reply, route, body, rewrite, info, first, accel);
    return;
  }
  // Every server is at maxConns: the request waits in the upstream queue. It counts for closeTimeout
  // meanwhile, and a client that leaves gives its place up at once.
  ticket = first;
  const release = countWhileWaiting(ctx, reply);
  const onClose = (): void => {
    ticket?.cancel();
    left();
  };
  left = () => {
    reply.raw.off('close', onClose);
    release();
    ticket = undefined;
  };
  reply.raw.on('close', onClose);
}

/** The first try of a request (now, or out of the upstream queue), or its error answer. */
function startCall(
  ctx: ProxyContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: ProxyRoute,
  body: ProxyBody,
  rewrite: RequestRewrite | undefined,
  info: RequestInfo,
  first: FirstTry,
  accel: AccelState | undefined,
): void {
  const hooks = route.location.hooks;
  if (first === undefined) {
    sendAnswer(reply, body, gatewayAnswer(hooks, 502, 'no live upstream', info, 'no-live-upstream', hookReporter(request, 'onError')));
    return;
  }
  if (isPickFailure(first)) {
    ctx.log(pickFailureLine(request.raw.method, request.raw.url, first));
    reply.code(500).header('content-type', 'text/plain; charset=utf-8').send(gatewayErrorBody(500, first.reason));
    return;
  }
  if (isQueueRefusal(first)) {
    if (first.error !== undefined) ctx.log(requestErrorLine(request.raw.method, request.raw.url, first.status, first.reason, first.error));
    sendAnswer(reply, body, gatewayAnswer(hooks, first.status, first.reason, info, 'no-live-upstream', hookReporter(request, 'onError')));
    return;
  }
  const call = new ProxyCall(ctx, request, reply, route, first, body, accel);
  call.rewrite = rewrite;
  call.info = info;
  call.send();
}

/**
 * Counts a request for `closeTimeout` while it waits before its ProxyCall exists (a small GET body
 * being read, a rewriteRequest hook), so that a hook hanging through a shutdown is cut after the
 * grace like any open request. Only these slower paths pay for the entry and its listener; the
 * returned release is called once the call took over (it counts itself) or when the response closes.
 */
function countWhileWaiting(ctx: ProxyContext, reply: FastifyReply): () => void {
  const raw = reply.raw;
  if (raw.closed) return noop;
  const entry: OpenExchange = { openSlot: -1, cut: () => raw.destroy() };
  const release = (): void => {
    raw.off('close', release);
    ctx.open.remove(entry);
  };
  ctx.open.add(entry);
  raw.on('close', release);
  return release;
}

/** Anything else thrown on the request path: one log line and a one-line 500 (Fastify's own would be JSON with the message). */
export function internalError(ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply, err: unknown): void {
  ctx.log(requestErrorLine(request.raw.method, request.raw.url, 500, 'internal error', err));
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  reply.code(500).header('content-type', 'text/plain; charset=utf-8').send(gatewayErrorBody(500, 'internal error'));
}
