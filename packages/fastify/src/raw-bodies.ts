/** @module Bodies as the client sent them on `reply.proxyTo` routes outside a `proxyBodies` scope: the raw bytes teed while the app's parser reads them, unparsable bodies on `handler()` routes, one hint where neither works. */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { MAX_HELD_BODY } from './request-body.js';

const kSent = Symbol('switchyard.sentBody');
const kHidden = Symbol('switchyard.hiddenBody');
const kProxyBodiesScope = Symbol('switchyard.proxyBodiesScope');
const kProxyHandler = Symbol('switchyard.proxyHandler');

/** Fastify 5 runs no content-type parser for these methods (their body, if any, stays in the raw request). */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/** Hints are one line per route, for at most this many routes. */
const MAX_HINTED_ROUTES = 100;

type Holder = { [kSent]?: Buffer | null; [kHidden]?: { prev: unknown } | null; additionalHeaders?: unknown };
type PreParsingDone = (err: Error | null, payload?: Readable) => void;

/** Marks a handler made by `app.switchyard.handler()`: a route known to proxy when it is made. */
export function markProxyHandler<F extends object>(handler: F): F {
  (handler as { [kProxyHandler]?: true })[kProxyHandler] = true;
  return handler;
}

/** Marks a scope where `proxyBodies` replaced the parsers (nothing to tee or bypass there). */
export function markProxyBodiesScope(scope: FastifyInstance): void {
  if (!scope.hasDecorator(kProxyBodiesScope)) scope.decorate(kProxyBodiesScope, true);
}

function inProxyBodiesScope(request: FastifyRequest): boolean {
  return (request.server as unknown as { [kProxyBodiesScope]?: true })[kProxyBodiesScope] === true;
}

/** The bytes the client sent, when the tee caught all of them (up to 64 KiB, read by the app's parser). */
export function sentBody(request: FastifyRequest): Buffer | undefined {
  return (request as unknown as Holder)[kSent] ?? undefined;
}

/**
 * A lazy copy of the raw request: it reads the socket only when the app's parser reads it (a
 * request whose body Fastify never parses keeps its raw stream untouched for `unparsedBody`), and
 * keeps what passed, up to 64 KiB, as the body to forward.
 */
class SentBodyTee extends Readable {
  readonly #raw: IncomingMessage;
  readonly #holder: Holder;
  #chunks: Buffer[] | undefined = [];
  #size = 0;
  #attached = false;

  constructor(raw: IncomingMessage, holder: Holder) {
    super();
    this.#raw = raw;
    this.#holder = holder;
  }

  override _read(): void {
    if (!this.#attached) {
      this.#attached = true;
      const raw = this.#raw;
      raw.on('data', this.#onData);
      raw.once('end', this.#onEnd);
      raw.once('error', this.#onError);
      raw.once('close', this.#onClose);
    }
    this.#raw.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(err);
  }

  #detach(): void {
    const raw = this.#raw;
    raw.off('data', this.#onData);
    raw.off('end', this.#onEnd);
    raw.off('error', this.#onError);
    raw.off('close', this.#onClose);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#chunks !== undefined) {
      this.#size += chunk.length;
      if (this.#size <= MAX_HELD_BODY) this.#chunks.push(chunk);
      else this.#chunks = undefined;
    }
    if (!this.push(chunk)) this.#raw.pause();
  };

  readonly #onEnd = (): void => {
    this.#detach();
    const chunks = this.#chunks;
    if (chunks !== undefined) this.#holder[kSent] = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.push(null);
  };

  readonly #onError = (err: Error): void => {
    this.destroy(err);
  };

  readonly #onClose = (): void => {
    if (!this.#raw.readableEnded) this.destroy(new Error('client closed the request body'));
  };
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Route `preParsing`: gives the app's parser a tee of the raw request instead of the request itself. */
function teeSentBody(this: unknown, request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: PreParsingDone): void {
  const raw = request.raw;
  // Another hook already replaced the stream (decompression...): its bytes are not the client's.
  if (payload !== raw || BODYLESS.has(raw.method ?? 'GET') || inProxyBodiesScope(request)) {
    done(null, payload);
    return;
  }
  const headers = raw.headers;
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length === undefined ? headers['transfer-encoding'] === undefined : !(length > 0 && length <= MAX_HELD_BODY)) {
    done(null, payload);
    return;
  }
  done(null, new SentBodyTee(raw, request as unknown as Holder));
}

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Route `preParsing` of `app.switchyard.handler()` routes: a body no parser of the route's scope
 * would take (a form where only JSON is parsed) would get Fastify's 415 before the handler runs.
 * Such a body is hidden from Fastify's parsing step (the request headers it reads say "no body";
 * the raw request and what goes upstream are untouched), and forwarded as sent by the handler.
 */
function passUnparsable(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: PreParsingDone): void {
  const raw = request.raw;
  const headers = raw.headers;
  const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
  const contentType = headers['content-type'];
  if (
    hasBody &&
    !BODYLESS.has(raw.method ?? 'GET') &&
    !inProxyBodiesScope(request) &&
    (contentType === undefined || !request.server.hasContentTypeParser(mediaType(contentType)))
  ) {
    const holder = request as unknown as Holder;
    const prev = holder.additionalHeaders;
    holder[kHidden] = { prev };
    // Fastify's request.headers setter: merged over raw.headers, which stay as they are.
    request.headers = { ...(prev as object | undefined), 'content-type': undefined, 'content-length': '0', 'transfer-encoding': undefined };
  }
  done(null, payload);
}

/**
 * `preValidation` of the same routes: the hooks after it (every `preHandler`) and the handler see
 * the real headers again. A route hook runs after the scope's own `preValidation` hooks, which
 * see the request as Fastify's parsing step did (no body headers).
 */
function restoreHeaders(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const holder = request as unknown as Holder;
  const hidden = holder[kHidden];
  if (hidden != null) {
    holder[kHidden] = null;
    request.headers = hidden.prev as FastifyRequest['headers'];
  }
  done();
}

/** What the plugin needs from this module: the hooks installed, and the two hints. */
export interface SentBodies {
  /** Call on each `reply.proxyTo`: the route is known to proxy (for the 415 hint). */
  readonly proxied: (request: FastifyRequest) => void;
  /** A parsed body had to be re-serialised (its bytes were not caught): one hint per route. */
  readonly reserialised: (request: FastifyRequest) => void;
}

/**
 * Installs the tee, the `handler()` route bypass and the 415 hint on the routes made after the
 * plugin in its scope (`app`) and its children, except those of a `proxyBodies` scope.
 */
export function installSentBodies(app: FastifyInstance, log: FastifyBaseLogger): SentBodies {
  // Every request has the fields from its construction (a second instance in the app shares them).
  if (!app.hasRequestDecorator(kSent)) {
    app.decorateRequest(kSent, null);
    app.decorateRequest(kHidden, null);
  }
  /** `METHOD url` of routes whose handler, as written, calls proxyTo (for the 415 hint only). */
  const proxyingRoutes = new Set<string>();
  // Route hooks, not app hooks: a route without a body method (and so every GET) pays nothing.
  app.addHook('onRoute', function (this: FastifyInstance, route: RouteOptions) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => BODYLESS.has(method)) || this.hasDecorator(kProxyBodiesScope)) return;
    const handler = route.handler as RouteOptions['handler'] & { [kProxyHandler]?: true };
    const marked = handler[kProxyHandler] === true;
    // Only routes that proxy pay for the tee: the app's own POST routes keep Fastify's parsing untouched.
    // A handler that reaches proxyTo through a helper of its own is not seen here: its parsed body is
    // re-sent as JSON, with the one hint below (register proxyBodies in its scope for the bytes).
    if (!marked && !/\bproxyTo\b/.test(Function.prototype.toString.call(handler))) return;
    for (const method of methods) if (proxyingRoutes.size < MAX_HINTED_ROUTES * 10) proxyingRoutes.add(`${method} ${route.url}`);
    const hooks = [teeSentBody];
    // A body schema needs the parsed body: such a route keeps Fastify's parsing (and its 415).
    const bypass = marked && route.schema?.body === undefined;
    if (bypass) hooks.push(passUnparsable);
    route.preParsing = [...toArray(route.preParsing), ...hooks];
    if (bypass) route.preValidation = [restoreHeaders, ...toArray(route.preValidation)];
  });

  const proxyRoutes = new WeakSet<object>();
  const hinted = new Set<string>();
  const hint = (request: FastifyRequest, line: (route: string) => string): void => {
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    if (hinted.has(route) || hinted.size >= MAX_HINTED_ROUTES) return;
    hinted.add(route);
    log.warn(line(route));
  };
  app.addHook('onError', (request: FastifyRequest, _reply: FastifyReply, error: FastifyError, done: () => void) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // Known to proxy (it did before), or its source says so: this 415 comes from the route's scope, not the upstream.
      if (proxyRoutes.has(request.routeOptions.handler) || proxyingRoutes.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
        hint(
          request,
          (route) =>
            `switchyard: ${route} answered 415: no content-type parser of its scope takes ${JSON.stringify(request.headers['content-type'] ?? '')}, so the body never reached reply.proxyTo(); register proxyBodies in the plugin that holds the route (await scope.register(proxyBodies)), or use app.switchyard.handler(), to forward bodies of any type as sent`,
        );
      }
    }
    done();
  });
  return {
    proxied: (request) => {
      proxyRoutes.add(request.routeOptions.handler);
    },
    reserialised: (request) => {
      hint(
        request,
        (route) =>
          `switchyard: ${route} forwarded the body your parser made, re-serialised as JSON (its bytes are caught up to 64 KiB, when no other preParsing hook replaced the stream first and the route's scope was made after the plugin's registration): the bytes upstream differ from the client's (signatures break); register proxyBodies in the plugin that holds the route to forward bodies as sent`,
      );
    },
  };
}
