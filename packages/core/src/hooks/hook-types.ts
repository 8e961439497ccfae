/** @module Public types of the per-location hooks (rewriteRequest, rewriteResponseHeaders, onError, interceptErrors). */
import type { RequestInfo } from '../base-types.js';

/** Header values as hooks see and write them: lower-case names, a string or a list of strings. */
export type HookHeaders = Record<string, string | string[]>;

/**
 * What `rewriteRequest` receives, once per proxied request (not per retry).
 *
 * `Req` is the framework's own request object, there for auth state the app put on it:
 * the `FastifyRequest` in `@switchyard/fastify`, the Express `req` in `@switchyard/express`,
 * and the `node:http` `IncomingMessage` for a WebSocket upgrade in both (no framework route runs
 * for an upgrade).
 */
export interface RequestHookContext<Req = unknown> {
  /**
   * The headers that will go upstream, mutable: switchyard's X-Forwarded-* / X-Real-IP are already
   * set and hop-by-hop headers removed. Host is the chosen server's unless you set it here.
   * Framing headers (Content-Length, Transfer-Encoding, Connection, ...) stay switchyard's.
   */
  headers: HookHeaders;
  /** Path + query that will go upstream (after `rewritePrefix`), mutable; must start with `/`. */
  path: string;
  /** The client request as the core sees it (method, original url, headers, client address). */
  readonly request: RequestInfo;
  /** The framework's own request object (see the type parameter). */
  readonly req: Req;
}

/** What `rewriteResponseHeaders` receives next to the headers. */
export interface ResponseHookContext {
  readonly request: RequestInfo;
  /** The upstream's status, about to be sent to the client. */
  readonly status: number;
}

/** Why switchyard is about to answer an error itself. */
export type ErrorReason = 'no-live-upstream' | 'timeout' | 'error' | 'intercepted';

export interface ErrorHookContext {
  /**
   * `no-live-upstream`: no server could be picked (502); `timeout`: the upstream timed out (504);
   * `error`: connection refused/reset or an invalid response (502); `intercepted`: the upstream
   * answered a status listed in `interceptErrors` (its body is discarded).
   */
  readonly reason: ErrorReason;
  /** The status switchyard would answer (the upstream's own status when `intercepted`). */
  readonly status: number;
  readonly request: RequestInfo;
}

/** An answer given by `onError`; `status` defaults to `ctx.status`, Content-Type to `text/plain; charset=utf-8`. */
export interface ErrorAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/**
 * Hooks of a location, also accepted on an upstream as defaults for its locations (a location's own
 * hook replaces the upstream's, field by field). Written as methods so that a hook typed with the
 * framework's request (`RequestHookContext<FastifyRequest>`) is accepted.
 */
export interface LocationHooks {
  /**
   * Shape the upstream request: add a header from the app's auth state, rewrite the path. Called
   * once per request before the first try (retries reuse the result), also for WebSocket upgrades.
   * A throw or a rejection answers 500 and nothing reaches an upstream.
   */
  rewriteRequest?(ctx: RequestHookContext): void | Promise<void>;
  /**
   * Change the response headers before the response starts (remove `server`, add CORS headers...).
   * Hop-by-hop names added back here are still removed. The body is never touched (it streams).
   */
  rewriteResponseHeaders?(headers: HookHeaders, ctx: ResponseHookContext): void;
  /** Answer switchyard's own 502/504 (and `interceptErrors` statuses) your way; `undefined` keeps the default. */
  onError?(ctx: ErrorHookContext): ErrorAnswer | undefined;
  /**
   * nginx `proxy_intercept_errors on` + `error_page`: an upstream answer with one of these statuses
   * (300-599) is replaced by `onError`'s answer (reason `intercepted`); when `onError` returns
   * `undefined` the upstream's answer goes through. Requires `onError`.
   */
  interceptErrors?: readonly number[];
}

/** The hooks of a location after validation, merged over its upstream's; `undefined` on a location when none is set. */
export interface ResolvedHooks {
  readonly rewriteRequest: LocationHooks['rewriteRequest'];
  readonly rewriteResponseHeaders: LocationHooks['rewriteResponseHeaders'];
  readonly onError: LocationHooks['onError'];
  /** Empty when not intercepting. */
  readonly interceptErrors: ReadonlySet<number>;
}
