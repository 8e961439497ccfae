/** @module One proxied request: the core's tries moved over node:http keep-alive agents (or HTTP/2 sessions for h2/h2c upstreams), with timeouts, body replay, and exactly one release per try. */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  UpstreamTransportError,
  addSetCookie,
  applyRequestRewrite,
  buildUpstreamHeaders,
  classifyTransportError,
  withoutUnderscoreHeaders,
  endAttempt,
  startForwarding,
  recordConnect,
  recordUpstreamHeaders,
  traceTry,
  isPickFailure,
  isQueueRefusal,
  isQueueTicket,
  isRelayableStatus,
  isRequestBuildError,
  pickFailureLine,
  requestErrorLine,
  respondedAttempt,
  retryStatus,
  filterResponseHeaders,
  hasDuplicateHost,
  DUPLICATE_HOST_REASON,
  gatewayAnswer,
  gatewayErrorBody,
  hookFailureAnswer,
  isEncrypted,
  planResponse,
  redirectLocation,
  rewriteRedirectHeaders,
  rewrittenRoute,
  toRedirectRequest,
  toRequestInfo,
  withAccelKept,
  type AccelRedirect,
  type AccelState,
  type Attempt,
  type FailureKind,
  type FirstTry,
  type QueueTicket,
  type GatewayAnswer,
  type OpenExchange,
  type OpenExchanges,
  type PickFailure,
  type SafeDecision,
  type ProxyRoute,
  type RequestInfo,
  type RequestRewrite,
  type Switchyard,
  type SwitchyardLogger,
} from '@switchyard/core';
import type { RequestClaim, UpstreamAgents } from './upstream-agents.js';
import { createTracedUpstreamRequest, createUpstreamRequest } from './upstream-request.js';
import type { UpstreamAnswer, UpstreamCall, UpstreamSocket } from './upstream-call.js';
import type { H2Sessions } from './h2-sessions.js';
import { H2Call, toH2Headers } from './h2-request.js';
import { NO_BODY, holdBody, planBody, type BodyPlan } from './request-body.js';
import { limitBody } from './body-limit.js';
import { drainable, dropRemovedAppHeaders, hookReporter, runRewrite, withAppHeaders, writeAnswer } from './hook-glue.js';
import { frameBody } from './body-framing.js';
import { clearResponseHead, setResponseHead } from './response-head.js';
import { discardAbandonedAnswer } from './abandoned-answer.js';
import { logExchange, type ExpressAccessLog } from './access-log.js';

/** What every exchange of one middleware shares (created once per `switchyard()` call). */
export interface ExchangeContext {
  readonly sy: Switchyard;
  readonly agents: UpstreamAgents;
  /** HTTP/2 sessions for servers of upstreams with protocol h2/h2c. */
  readonly h2: H2Sessions;
  /** Hears hook failures (the middleware's `logger` option). */
  readonly logger?: SwitchyardLogger | undefined;
  /** One line per request answered 500 because choosing an upstream threw. */
  readonly log: (line: string) => void;
  /** The exchanges whose response is still open, for `closeTimeout`. */
  readonly open: OpenExchanges;
  /** The access log and tracing settings; the facts are made only while `sy.wantsFacts()`. */
  readonly accessLog: ExpressAccessLog;
}

const noop = (): void => {};
const now = (): number => performance.now();

/**
 * `socket.setTimeout(ms)` unless the socket's idle timer already runs with that duration (a pooled
 * socket comes back from the agent at its 60 s idle timeout, the default read and send timeouts):
 * each call allocates a new timer and a bound callback, twice per request (issue 18). Every read
 * and write restarts a running timer, so skipping the call changes nothing.
 */
function setIdleTimeout(socket: UpstreamSocket, ms: number): void {
  if (socket.timeout !== ms || ms === 0) socket.setTimeout(ms);
}

const kIdleOwner = Symbol('switchyard.idleOwner');
type IdleWatched = UpstreamSocket & { [kIdleOwner]?: Exchange | undefined };

/** The one 'timeout' listener of an upstream socket: tells the exchange using it now, if any. */
function onSocketIdle(this: IdleWatched): void {
  this[kIdleOwner]?.idle();
}

/**
 * Makes `exchange` hear `socket`'s idle timeout until it settles. The listener is added once per
 * socket (a keep-alive socket serves many requests): adding and removing one per request showed
 * in the profile, and the socket's field is set once, so its shape does not change per request.
 */
function watchIdle(socket: UpstreamSocket, exchange: Exchange): void {
  const watched = socket as IdleWatched;
  if (!(kIdleOwner in watched)) watched.on('timeout', onSocketIdle);
  watched[kIdleOwner] = exchange;
}

function timeoutError(message: string): UpstreamTransportError {
  return new UpstreamTransportError('SWITCHYARD_UPSTREAM_TIMEOUT', message);
}

export class Exchange implements RequestClaim, OpenExchange {
  readonly #ctx: ExchangeContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #route: ProxyRoute;
  /** What `rewriteRequest` changed, applied to every try; `undefined` without that hook. */
  #rewrite: RequestRewrite | undefined;
  #info: RequestInfo | undefined;
  /** Set once an `X-Accel-Redirect` was followed: the method, URI and kept headers so far. */
  #accel: AccelState | undefined;
  /** The URL the core sees for hash keys (`$request_uri`): the original one, even under a mount path. */
  readonly #requestUrl: string;
  readonly #headers: IncomingHttpHeaders;
  #plan: BodyPlan = NO_BODY;
  #data: Buffer | undefined;
  #reserialized = false;

  #attempt: Attempt | undefined;
  /** The place in the upstream queue while every server is at maxConns. */
  #ticket: QueueTicket | undefined;
  #proxyReq: UpstreamCall | undefined;
  #proxyRes: UpstreamAnswer | undefined;
  #socket: IdleWatched | undefined;
  #gate: PassThrough | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #headerMs = 0;
  #status = 0;
  #connected = false;
  #written = false;
  #delivering = false;
  /** The current try was released (or never started). */
  #settled = true;
  #clientGone = false;
  path = '';
  openSlot = -1;

  constructor(ctx: ExchangeContext, req: IncomingMessage, res: ServerResponse, route: ProxyRoute, requestUrl: string) {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#route = route;
    this.#requestUrl = requestUrl;
    this.#headers = withoutUnderscoreHeaders(req.headers, ctx.sy.config.underscoresInHeaders);
  }

  start(): void {
    const res = this.#res;
    if (hasDuplicateHost(this.#req.rawHeaders)) {
      // nginx's 400 (Node keeps the first Host and drops the other silently); the connection closes.
      replyError(res, 400, DUPLICATE_HOST_REASON, true);
      return;
    }
    // A closure made here: not a tag on `res` (a symbol property on every ServerResponse gives Node's
    // own response code a second object shape), not an arrow class field (tsx's esbuild wraps one
    // per instance). `on`, not `once`: 'close' is emitted once per response.
    res.on('close', () => this.#clientClosed());
    // Tracked until that 'close' (a response already closed would never emit it).
    if (!res.closed) this.#ctx.open.add(this);
    const plan = planBody(this.#req);
    this.#plan = plan;
    // client_max_body_size: a 413 before any upstream is picked; a body of unknown length is read first.
    const limited = limitBody(this.#req, res, this.#route.location, plan);
    if (limited === 'refused') return;
    if (limited !== 'go') {
      limited
        .then((data) => {
          if (data === undefined || data === 'refused' || this.#clientGone) return;
          this.#data = data;
          this.#begin(true);
        }, noop)
        .catch((err: unknown) => this.#crashed(err));
      return;
    }
    if (plan.kind === 'hold') {
      holdBody(this.#req)
        .then((data) => {
          if (data === undefined || this.#clientGone) return;
          this.#data = data;
          this.#begin(true);
        }, noop)
        .catch((err: unknown) => this.#crashed(err));
      return;
    }
    if (plan.kind === 'buffer') {
      this.#data = plan.data;
      this.#reserialized = plan.reserialized;
    }
    this.#begin(plan.kind !== 'stream');
  }

  #begin(replayableBody: boolean): void {
    let info = toRequestInfo(this.#req, this.#requestUrl);
    // After an X-Accel-Redirect the request goes on with the method nginx gives it (retry rules follow it).
    if (this.#accel !== undefined && this.#accel.method !== info.method) info = { ...info, method: this.#accel.method };
    this.#info = info;
    const hooks = this.#route.location.hooks;
    if (hooks !== undefined && hooks.rewriteRequest !== undefined && this.#rewrite === undefined) {
      // Once per request, before the first try; the tries apply its result.
      const { sy, logger } = this.#ctx;
      const bodyLength = this.#reserialized ? (this.#data as Buffer).length : undefined;
      runRewrite(
        sy,
        hooks,
        this.#req,
        this.#route,
        info,
        bodyLength,
        logger,
        (rewrite) => {
          if (this.#clientGone) return;
          this.#rewrite = rewrite;
          this.#route = rewrittenRoute(this.#route, rewrite);
          this.#begin(replayableBody);
        },
        () => this.#reply(500, '', hookFailureAnswer()),
      );
      return;
    }
    const ctx = this.#ctx;
    const facts = ctx.sy.wantsFacts() ? logExchange(ctx.accessLog, this.#req, this.#res) : undefined;
    const first = startForwarding(
      this.#ctx.sy,
      this.#route,
      info,
      replayableBody,
      (later) => {
        this.#ticket = undefined;
        this.#started(later, info);
      },
      facts,
    );
    // Every server is at maxConns: the request waits in the upstream queue (the client may leave meanwhile).
    if (isQueueTicket(first)) this.#ticket = first;
    else this.#started(first, info);
  }

  #started(first: FirstTry, info: RequestInfo): void {
    const hooks = this.#route.location.hooks;
    if (first === undefined) {
      this.#reply(502, 'no live upstream', gatewayAnswer(hooks, 502, 'no live upstream', info, 'no-live-upstream', hookReporter(this.#ctx.logger, 'onError')));
    } else if (isPickFailure(first)) {
      this.#pickFailed(first);
    } else if (isQueueRefusal(first)) {
      if (first.error !== undefined) this.#ctx.log(requestErrorLine(this.#req.method, this.#requestUrl, first.status, first.reason, first.error));
      this.#reply(
        first.status,
        first.reason,
        gatewayAnswer(hooks, first.status, first.reason, info, 'no-live-upstream', hookReporter(this.#ctx.logger, 'onError')),
      );
    } else {
      this.#try(first);
    }
  }

  #try(attempt: Attempt): void {
    const req = this.#req;
    if (this.#clientGone) {
      attempt.end({ aborted: true }, { requestSent: false, responseStarted: false });
      return;
    }
    const { sy, agents } = this.#ctx;
    const server = attempt.server;
    const location = this.#route.location;
    this.#attempt = attempt;
    this.#proxyReq = undefined;
    this.#proxyRes = undefined;
    this.#socket = undefined;
    this.#connected = false;
    this.#written = false;
    this.#delivering = false;
    this.#settled = false;
    this.#t0 = now();

    const peerIp = req.socket.remoteAddress;
    const headers = buildUpstreamHeaders(this.#headers, {
      peerIp,
      encrypted: isEncrypted(req),
      trusted: sy.isTrustedProxy(peerIp ?? ''),
      location,
      server,
      bodyLength: this.#reserialized ? (this.#data as Buffer).length : undefined,
      method: req.method,
      requestUri: this.#requestUrl,
      socket: req.socket,
    });
    // The body was decoded by the parser and is sent as plain bytes now.
    if (this.#reserialized && headers['content-encoding'] !== undefined) delete headers['content-encoding'];
    // Node would send a body unframed for GET/DELETE/OPTIONS unless told: always its length, or chunked.
    frameBody(headers, this.#plan, this.#data, this.#headers['content-length']);
    // Node's server already answered `100 Continue`; upstream must not wait for one.
    if (headers.expect !== undefined) delete headers.expect;
    if (this.#accel !== undefined && this.#data === undefined) {
      // An internal redirect after a streamed body is sent without it.
      delete headers['content-length'];
      delete headers['transfer-encoding'];
    }
    if (this.#rewrite !== undefined) applyRequestRewrite(headers, this.#rewrite);
    // HTTP/1: the try's span is decided once node:http made the request (an instrumentation may make it).
    if (attempt.facts !== undefined) traceTry(attempt, headers, server.http2 !== true);

    // A streamed body waits in the gate until the connection is up (#onConnected pipes it).
    if (this.#data === undefined && this.#plan.kind === 'stream') this.#gate = new PassThrough();

    if (attempt.number > 5) req.setMaxListeners(req.getMaxListeners() + 2);
    this.path = server.basePath + this.#route.path;
    let proxyReq: UpstreamCall;
    try {
      const method = this.#accel?.method ?? req.method ?? 'GET';
      proxyReq =
        server.http2 === true
          ? new H2Call(
              this.#ctx.h2.get(this.#route.upstream, server),
              toH2Headers(headers, method, this.path, server),
              this.#data === undefined && this.#gate === undefined,
            )
          : attempt.facts === undefined || !this.#ctx.accessLog.tracing
            ? createUpstreamRequest(method, this.path, headers, agents.get(this.#route.upstream, server))
            : createTracedUpstreamRequest(attempt, method, this.path, headers, agents.get(this.#route.upstream, server));
    } catch (err) {
      // Invalid characters in a header (client-sent or configured): not the server's fault.
      this.#settled = true;
      attempt.end({ aborted: true }, { requestSent: false, responseStarted: false });
      this.#ctx.log(requestErrorLine(req.method, this.#requestUrl, 502, 'invalid request header', err ?? new Error('request not built')));
      this.#reply(502, 'invalid request header');
      return;
    }
    this.claim(proxyReq);
    // Held or re-serialised bytes in one write; no body: the request ends now (nothing to pipe).
    if (this.#data !== undefined) proxyReq.end(this.#data);
    else if (this.#gate !== undefined) this.#gate.pipe(proxyReq as NodeJS.WritableStream);
    else proxyReq.end();
  }

  /**
   * Takes the request created for the current try. Closures, not shared listeners finding the
   * exchange through a symbol tag: a property added to every ClientRequest and IncomingMessage
   * gives Node's HTTP and stream code one more object shape on each call (issue 18).
   */
  claim(proxyReq: UpstreamCall): void {
    this.#proxyReq = proxyReq;
    proxyReq
      .on('socket', (socket: UpstreamSocket) => this.#onSocket(proxyReq, socket))
      .on('response', (proxyRes: UpstreamAnswer) => this.#onResponse(proxyReq, proxyRes))
      // A 101 nobody asked for comes as 'upgrade', not 'response' (and without a listener Node drops the socket silently).
      .on('upgrade', (_res: IncomingMessage, socket: Socket) => this.#onUnaskedUpgrade(proxyReq, socket))
      .on('error', (err: Error) => this.#onError(proxyReq, err))
      // A 101 to a request that asked for no upgrade (WebSockets take lb.upgrade, not this path):
      // without a listener Node drops the socket and the request never ends (the client waited forever).
      .on('upgrade', (_res: IncomingMessage, socket: Socket) => {
        socket.destroy();
        if (this.#isCurrent(proxyReq)) this.#fail('invalid_header');
      })
      .on('finish', () => this.#onWritten(proxyReq));
  }

  #isCurrent(proxyReq: UpstreamCall): boolean {
    return this.#proxyReq === proxyReq && !this.#settled;
  }

  #onSocket(proxyReq: UpstreamCall, socket: UpstreamSocket): void {
    if (!this.#isCurrent(proxyReq)) return;
    this.#socket = socket;
    if (proxyReq.reusedSocket) {
      this.#onConnected(proxyReq);
      return;
    }
    const { connectMs } = this.#route.location.timeouts;
    if (connectMs > 0) {
      // proxy_connect_timeout: a socket idle timer cannot tell connecting apart, so it has its own timer.
      this.#connectTimer = setTimeout(() => proxyReq.destroy(Object.assign(timeoutError('upstream connect timed out'), { code: 'ETIMEDOUT' })), connectMs);
    }
    // An HTTP/2 stream is 'ready' once its session is connected (TLS and settings done) and it has an id.
    const server = this.#attempt?.server;
    socket.once(server?.http2 === true ? 'ready' : server?.protocol === 'https:' ? 'secureConnect' : 'connect', () => this.#onConnected(proxyReq));
  }

  #onConnected(proxyReq: UpstreamCall): void {
    if (!this.#isCurrent(proxyReq)) return;
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#connected = true;
    const attempt = this.#attempt;
    if (attempt?.facts !== undefined) recordConnect(attempt, now() - this.#t0);
    const socket = this.#socket as UpstreamSocket;
    const { sendMs, readMs } = this.#route.location.timeouts;
    setIdleTimeout(socket, this.#written ? readMs : sendMs);
    watchIdle(socket, this);
    // A streamed body starts flowing only now, so a refused connection leaves it untouched for the next try.
    if (this.#gate !== undefined) this.#req.pipe(this.#gate);
  }

  #onWritten(proxyReq: UpstreamCall): void {
    if (!this.#isCurrent(proxyReq)) return;
    this.#written = true;
    if (this.#connected && this.#socket !== undefined) setIdleTimeout(this.#socket, this.#route.location.timeouts.readMs);
  }

  /**
   * proxy_send_timeout / proxy_read_timeout: no byte moved on the upstream socket for that long.
   * The socket's idle timer restarts with every write and every completed write, so while the
   * request is being sent it counts as a send timeout only when a write to the upstream is blocked
   * (as nginx arms proxy_send_timeout only on a blocked write): a client slow to upload leaves the
   * upstream socket idle with nothing pending, which is not the upstream's fault. The next write
   * re-arms the timer.
   */
  idle(): void {
    if (this.#settled) return;
    // The client is the slow side (the response is paused on it): not the upstream's fault.
    if (this.#delivering && this.#res.writableNeedDrain) return;
    if (!this.#written && !this.#delivering && !this.#sendBlocked()) return;
    this.#proxyReq?.destroy(timeoutError(this.#written ? 'upstream read timed out' : 'upstream send timed out'));
  }

  /** Bytes for the upstream are waiting: the request is backpressured, or the socket has unsent data. */
  #sendBlocked(): boolean {
    return this.#proxyReq?.writableNeedDrain === true || (this.#socket?.writableLength ?? 0) > 0;
  }

  #onError(proxyReq: UpstreamCall, err: unknown): void {
    if (!this.#isCurrent(proxyReq)) return;
    if (!this.#connected && isRequestBuildError(err)) {
      // Node refused to build the request: nothing was sent, not the server's failure.
      const attempt = this.#attempt as Attempt;
      this.#settle();
      proxyReq.destroy();
      attempt.end({ aborted: true }, { requestSent: false, responseStarted: false });
      this.#ctx.log(requestErrorLine(this.#req.method, this.#requestUrl, 502, 'invalid request header', err));
      this.#reply(502, 'invalid request header');
      return;
    }
    // A stream the HTTP/2 server refused was never processed: retried as a refused connection is
    // (a POST too), unless part of a streamed body already went into it.
    if (this.#gate === undefined && proxyReq instanceof H2Call && proxyReq.refused) this.#connected = false;
    this.#fail(classifyTransportError(err));
  }

  /** The current try failed in transport (refused, reset, timeout, malformed response). */
  #fail(failure: FailureKind): void {
    const attempt = this.#attempt as Attempt;
    this.#settle();
    const decision = endAttempt(
      attempt,
      { failure, headerMs: this.#delivering ? this.#headerMs : undefined, totalMs: now() - this.#t0 },
      { requestSent: this.#connected, responseStarted: this.#res.headersSent },
    );
    this.#proxyReq?.destroy();
    this.#follow(decision);
  }

  #follow(decision: SafeDecision): void {
    if (decision.action === 'retry') this.#try(decision.attempt);
    else if (isPickFailure(decision)) this.#pickFailed(decision);
    else if (decision.action === 'fail') this.#reply(decision.status, decision.reason);
  }

  /** Choosing an upstream threw (a user hash-key function): one log line, one-line 500, nothing else. */
  #pickFailed(failure: PickFailure): void {
    this.#ctx.log(pickFailureLine(this.#req.method, this.#requestUrl, failure));
    this.#reply(500, failure.reason);
  }

  /** Anything else thrown on the request path after the exchange started: answered, never a crash. */
  #crashed(err: unknown): void {
    this.#ctx.log(requestErrorLine(this.#req.method, this.#requestUrl, 500, 'internal error', err));
    this.#reply(500, 'internal error');
  }

  /** The upstream switched protocols on a plain request: an invalid answer (502, as Fastify and nginx's invalid_header). */
  #onUnaskedUpgrade(proxyReq: UpstreamCall, socket: Socket): void {
    socket.destroy();
    if (!this.#isCurrent(proxyReq)) return;
    this.#fail('invalid_header');
  }

  #onResponse(proxyReq: UpstreamCall, proxyRes: UpstreamAnswer): void {
    if (!this.#isCurrent(proxyReq)) {
      proxyRes.resume();
      return;
    }
    const attempt = this.#attempt as Attempt;
    const status = proxyRes.statusCode ?? 502;
    if (!isRelayableStatus(status)) {
      // 999 and the like (Fastify cannot send them either): a malformed answer, as undici's bad status.
      proxyRes.resume();
      this.#fail('invalid_header');
      return;
    }
    this.#headerMs = now() - this.#t0;
    this.#status = status;
    proxyRes.on('error', noop);
    if (status > 599) {
      // A status HTTP does not define: an invalid upstream answer, 502 as on Fastify.
      this.#fail('invalid_header');
      return;
    }
    if (attempt.facts !== undefined) recordUpstreamHeaders(attempt, proxyRes.headers);
    const decision = respondedAttempt(attempt, retryStatus(status, proxyRes.headers), this.#headerMs, { requestSent: true, responseStarted: false });
    if (decision.action === 'fail') {
      // No server left after moving on (502), or the pick of a retry threw; the try is released.
      this.#settle();
      proxyReq.destroy();
      this.#follow(decision);
      return;
    }
    if (decision.action === 'retry') {
      // nginx closes the connection of a response it discards; draining could hold the socket for long.
      this.#settle();
      proxyReq.destroy();
      this.#try(decision.attempt);
      return;
    }
    if (this.#route.location.accelRedirect === true && proxyRes.headers['x-accel-redirect'] !== undefined) {
      const state = this.#accel ?? { method: this.#req.method ?? 'GET', url: this.#requestUrl, followed: 0 };
      const accel = this.#ctx.sy.accelRedirect(this.#route, proxyRes.headers, state);
      if (accel !== undefined) {
        this.#followAccel(proxyReq, proxyRes, accel);
        return;
      }
    }
    this.#delivering = true;
    const res = this.#res;
    if (res.destroyed) {
      // The client connection died without a 'close' on the response yet: nobody to deliver to.
      this.#settle();
      proxyReq.destroy();
      attempt.end({ aborted: true, headerMs: this.#headerMs, totalMs: now() - this.#t0 }, { requestSent: true, responseStarted: false });
      return;
    }
    let headers = addSetCookie(filterResponseHeaders(proxyRes.headers, false, this.#route.location.hiddenHeaders), attempt.responseCookie(proxyRes.headers));
    if (this.#accel !== undefined) headers = withAccelKept(headers, this.#accel.kept);
    // nginx proxy_redirect; the request's view is built only for a location that rewrites.
    if (this.#route.location.redirects !== undefined) rewriteRedirectHeaders(headers, this.#route.location, toRedirectRequest(this.#req));
    const hooks = this.#route.location.hooks;
    if (hooks !== undefined) {
      const plan = planResponse(hooks, status, withAppHeaders(res, headers, hooks), this.#info as RequestInfo, hookReporter(this.#ctx.logger, 'response'));
      if (plan.answer !== undefined) {
        // Intercepted (or the header hook failed): the upstream answer is over, its body discarded;
        // a small one is read out so the connection is reused, otherwise the connection is cut.
        this.#settle();
        if (drainable(proxyRes)) proxyRes.resume();
        else proxyReq.destroy();
        attempt.end({ status, headerMs: this.#headerMs, totalMs: this.#headerMs }, { requestSent: true, responseStarted: false });
        this.#reply(plan.answer.status, '', plan.answer);
        return;
      }
      headers = plan.headers;
      if (hooks.rewriteResponseHeaders !== undefined) dropRemovedAppHeaders(res, headers);
    }
    // The upstream answered before the whole streamed upload arrived: the rest is discarded once the
    // try settles, and the connection closes after the response (as nginx does), so a keep-alive or
    // pipelined next request never waits behind an unread body.
    if (this.#gate !== undefined && !this.#req.complete) headers.connection = 'close';
    // `proxy_hide_header X-Powered-By` (hideHeaders): the proxy's answer has none, so neither does the
    // header Express itself set on the response (nginx has no app of its own in front).
    const hidden = this.#route.location.hiddenHeaders;
    if (hidden !== undefined) for (const name of res.getHeaderNames()) if (hidden.has(name)) res.removeHeader(name);
    try {
      setResponseHead(res, status, headers);
    } catch {
      // A header value Node refuses to write: the upstream answered something unusable.
      this.#fail('invalid_header');
      return;
    }
    this.#proxyRes = proxyRes;
    proxyRes.on('end', () => this.#onBodyEnd(proxyRes)).on('close', () => this.#onBodyClose(proxyRes));
    proxyRes.pipe(res);
  }

  /**
   * The upstream answered with an `X-Accel-Redirect` to follow: its response is over (a success for
   * the server, a small body read out so the connection is reused) and the request goes on as the
   * core says, like nginx's internal redirect: another route (no body), a slash redirect, or a 404/500.
   */
  #followAccel(proxyReq: UpstreamCall, proxyRes: UpstreamAnswer, accel: AccelRedirect): void {
    const attempt = this.#attempt as Attempt;
    this.#settle();
    if (drainable(proxyRes)) proxyRes.resume();
    else proxyReq.destroy();
    attempt.end({ status: this.#status, headerMs: this.#headerMs, totalMs: this.#headerMs }, { requestSent: true, responseStarted: false });
    if (accel.action === 'proxy') {
      this.#accel = accel.next;
      this.#route = accel.route;
      // The new location's own rewriteRequest hook runs for it.
      this.#rewrite = undefined;
      // A held body goes along (nginx resends it); a streamed one was consumed by the first try.
      if (this.#data === undefined) {
        this.#plan = NO_BODY;
        this.#reserialized = false;
      }
      this.#gate = undefined;
      this.#begin(true);
      return;
    }
    const res = this.#res;
    if (this.#clientGone || res.headersSent || res.writableEnded) return;
    if (accel.action === 'redirect') {
      const headers = withAccelKept({}, accel.keep);
      headers.location = redirectLocation(accel.route, toRedirectRequest(this.#req));
      headers['content-length'] = 0;
      res.writeHead(301, headers);
      res.end();
      return;
    }
    // The reason names the upstream's URI: for the log, not for the client.
    this.#ctx.log(requestErrorLine(this.#req.method, this.#requestUrl, accel.status, 'X-Accel-Redirect', accel.reason));
    // nginx's error page keeps the redirecting responses' Set-Cookie, Cache-Control... (not Accept-Ranges).
    const kept = withAccelKept({}, accel.keep);
    delete kept['accept-ranges'];
    for (const [name, value] of Object.entries(kept)) if (value !== undefined) res.setHeader(name, value);
    const body = accel.status === 404 ? 'Not Found\n' : 'Internal Server Error\n';
    this.#reply(accel.status, '', { status: accel.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
  }

  #onBodyEnd(proxyRes: UpstreamAnswer): void {
    if (this.#settled || proxyRes !== this.#proxyRes) return;
    const attempt = this.#attempt as Attempt;
    this.#settle();
    const totalMs = now() - this.#t0;
    attempt.end({ status: this.#status, headerMs: this.#headerMs, totalMs }, { requestSent: true, responseStarted: true });
  }

  #onBodyClose(proxyRes: UpstreamAnswer): void {
    if (this.#settled || proxyRes.complete || proxyRes !== this.#proxyRes) return;
    // The upstream went away in the middle of the body: cut the client's response short too.
    this.#fail('error');
  }

  /** At close(), after the grace: the client's connection is cut, which ends the exchange through 'close'. */
  cut(): void {
    this.#res.destroy();
  }

  #clientClosed(): void {
    this.#ctx.open.remove(this);
    if (this.#res.writableFinished) return;
    this.#clientGone = true;
    // Waiting in the upstream queue: leave it at once, the slot goes to the next request.
    this.#ticket?.cancel();
    this.#ticket = undefined;
    if (this.#settled) return;
    const attempt = this.#attempt as Attempt;
    this.#settle();
    // A request sent whole can keep its upstream connection if its answer is near and small.
    // (An HTTP/2 stream is reset instead: that costs no connection.)
    const proxyReq = this.#proxyReq;
    if (this.#written && proxyReq !== undefined && !(proxyReq instanceof H2Call)) {
      discardAbandonedAnswer(proxyReq as ClientRequest, this.#proxyRes as IncomingMessage | undefined);
    } else proxyReq?.destroy();
    attempt.end({ aborted: true, totalMs: now() - this.#t0 }, { requestSent: this.#connected, responseStarted: this.#res.headersSent });
  }

  /** Ends the current try's bookkeeping: timers, the idle watch on a (possibly reused) socket, the body pipe. */
  #settle(): void {
    this.#settled = true;
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    const socket = this.#socket;
    if (socket !== undefined && socket[kIdleOwner] === this) socket[kIdleOwner] = undefined;
    if (this.#gate !== undefined) {
      this.#req.unpipe(this.#gate);
      this.#gate = undefined;
      // Part of the body went upstream, so no other try can send it: discard the rest (nginx does)
      // instead of leaving the request paused, which would hold the client connection.
      if (this.#connected && !this.#req.complete) this.#req.resume();
    }
  }

  #reply(status: number, reason: string, answer?: GatewayAnswer): void {
    const res = this.#res;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (this.#clientGone || res.writableEnded) return;
    // Part of a streamed body is still unread: close after answering (as nginx does) rather than
    // keep a paused request, which would also hide the client leaving.
    const close = this.#plan.kind === 'stream' && !this.#req.readableEnded;
    const info = this.#info;
    if (answer === undefined && info !== undefined && this.#route.location.hooks !== undefined) {
      answer = gatewayAnswer(this.#route.location.hooks, status, reason, info, undefined, hookReporter(this.#ctx.logger, 'onError'));
    }
    if (answer !== undefined) writeAnswer(res, answer, close);
    else replyError(res, status, reason, close);
  }
}

/** A short plain-text gateway error (no stack, no internal address). */
export function replyError(res: ServerResponse, status: number, reason: string, close = false): void {
  const body = gatewayErrorBody(status, reason);
  const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (close) headers.connection = 'close';
  // An upstream's head may be set but not written yet (see setResponseHead): it is not this answer's.
  clearResponseHead(res);
  res.writeHead(status, headers);
  res.end(body);
}
