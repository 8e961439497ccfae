/** @module `switchyard(options)`: the Express/node:http middleware, `proxyTo` for mounted prefixes, the `upgrade` handler and `close`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  adminApiResponse,
  adminResponse,
  isAdminApiPath,
  attachStateLogger,
  consoleLogger,
  createSwitchyard,
  createWebSocketProxy,
  isWebSocketRequest,
  matchRequest,
  logStartupNotes,
  OpenExchanges,
  prepareMetrics,
  adoptTargetHost,
  responseHeadersOf,
  addHeadersOnWrite,
  takeUpgrade,
  upgradeResponse,
  requestErrorLine,
  type FileRoute,
  type Location,
  type ProxyRoute,
  type RouteToOptions,
  type SiteMatch,
  type Switchyard,
  type SwitchyardInput,
  type SwitchyardLogger,
} from '@switchyard/core';
import { Exchange, replyError, type ExchangeContext } from './proxy-exchange.js';
import { UpstreamAgents } from './upstream-agents.js';
import { expressAccessLog, type AccessLogDestination } from './access-log.js';
import { H2Sessions } from './h2-sessions.js';
import { sendReturn, sendSlashRedirect } from './return-answer.js';
import { createStaticFiles } from './static-files.js';
import { passLimits } from './request-limits.js';

/** Express's `next` (or any callback taking an optional error). */
export type NextFunction = (err?: unknown) => void;

/** A middleware usable with Express 4, Express 5 and plain `node:http` (`next` optional). */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

export interface ExpressSwitchyardOptions {
  /**
   * Receives one line per server state change and per failed try (never per successful
   * request), and the nginx import warnings once; pino, console, ... Default `console`
   * (as nginx logs upstream errors by default); `false` logs nothing.
   */
  logger?: SwitchyardLogger | false;
  /**
   * Where the access log's lines go when the configuration sets `accessLog`: a function or a
   * stream (`fs.createWriteStream(...)`, `pino.destination(...)`), `false` for none (the facts stay
   * available as `res.locals.switchyard`). Default: the `logger`'s `info` (standard output without one).
   */
  accessLog?: AccessLogDestination | false;
}

/** `lb.proxyTo()` options: a location's options for one mounted prefix. */
export interface ProxyToOptions extends RouteToOptions {
  /**
   * The prefix the app matched; default: where the handler is mounted (`req.baseUrl`), or `/`.
   * With `rewritePrefix` it is replaced by that (`app.use('/api', lb.proxyTo('b', { rewritePrefix: '/' }))`
   * sends `/api/users` as `/users`); without it the original path goes upstream unchanged.
   */
  prefix?: string;
}

export interface SwitchyardMiddleware extends ProxyHandler {
  /** The core instance: status, runtime control (`addServer`, `setServer`, ...), events. */
  readonly switchyard: Switchyard;
  /** A middleware that proxies everything it receives to `upstream` (for `app.use('/api', ...)`). */
  proxyTo(upstream: string, options?: ProxyToOptions): ProxyHandler;
  /**
   * `server.on('upgrade', lb.upgrade)`: proxies WebSocket upgrades for the configured locations, and
   * (when it is the server's only upgrade listener) sends the others through the app, so that
   * `proxyTo` routes tunnel them too.
   */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Closes WebSocket tunnels, gives proxied requests still open `closeTimeout` (default 10s) to
   * finish and then cuts them, stops health checks and destroys every upstream connection.
   */
  close(): Promise<void>;
}

interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
}

/** What a WebSocket handshake arriving as a plain request is told (and the log, once). */
const MISSING_UPGRADE_HINT = "WebSocket upgrades need `server.on('upgrade', lb.upgrade)` on the node:http server (the one app.listen() returns)";

/** Distinct mount paths remembered per `proxyTo` handler; beyond this a location is made per request. */
const MAX_MOUNTS = 64;

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Creates the middleware for a configuration (options, a `parseNginxConfig` result, or
 * `{ nginx }`); an invalid configuration throws here, naming the field.
 *
 * @example
 * const lb = switchyard({ upstreams: { api: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'] }, locations: { '/api/': 'api' } })
 * app.use(lb)                                   // configured locations, next() for the rest
 * app.use('/v2', lb.proxyTo('api', { rewritePrefix: '/' }))
 * server.on('upgrade', lb.upgrade)
 * await lb.close()
 */
export function switchyard(input: SwitchyardInput, options: ExpressSwitchyardOptions = {}): SwitchyardMiddleware {
  const sy = createSwitchyard(input);
  const logger = options.logger === undefined ? consoleLogger : options.logger;
  const detachLogger = logger !== false ? attachStateLogger(sy, logger) : undefined;
  if (logger !== false) logStartupNotes(sy, logger);
  // The factory is synchronous: a missing prom-client is logged once now, and the path answers 503.
  prepareMetrics(sy).catch((err: unknown) => {
    if (logger !== false)
      logger.error(`switchyard: metrics.path ${sy.config.metrics?.path ?? ''} is unavailable (503): ${err instanceof Error ? err.message : String(err)}`);
  });
  const log = requestLog(logger === false ? undefined : logger);
  const open = new OpenExchanges();
  const ctx: ExchangeContext = {
    sy,
    agents: new UpstreamAgents(sy),
    h2: new H2Sessions(sy),
    logger: logger === false ? undefined : logger,
    log,
    open,
    accessLog: expressAccessLog(sy.config.accessLog, options.accessLog, logger === false ? undefined : logger, sy.config.tracing),
  };
  const ws = createWebSocketProxy(sy, { log });
  // Loaded here, so a missing serve-static is an error when the middleware is made, not at a request.
  const staticFiles = createStaticFiles(sy.config.locations);
  const adminPaths = new Set<string>();
  if (sy.config.status !== undefined) adminPaths.add(sy.config.status.path);
  if (sy.config.metrics !== undefined) adminPaths.add(sy.config.metrics.path);
  let closed = false;
  /** Some `proxyTo` handler exists: unmatched WebSocket upgrades go through the app to find it. */
  let routedUpgrades = false;
  // `resolve` names and `discover` hooks: requests arriving before their first answers wait (at most the resolver timeout).
  let ready = ![...sy.config.upstreams.values()].some((u) => u.dynamic !== undefined);
  const whenReady = sy.ready().then(() => {
    ready = true;
  });

  function serveAdmin(req: IncomingMessage, res: ServerResponse, path: string, next: NextFunction | undefined): void {
    adminResponse(sy, path, req.headers.accept, {
      request: { method: req.method ?? 'GET', url: req.url ?? path, headers: req.headers, clientIp: req.socket.remoteAddress ?? '' },
    }).then(
      (answer) => {
        if (answer === undefined) {
          if (next !== undefined) next();
          else replyNotFound(res);
          return;
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      },
      (err: unknown) => {
        if (next !== undefined) next(err);
        else if (!res.headersSent) replyError(res, 502, 'status unavailable');
      },
    );
  }

  function serveAdminApi(req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined): void {
    // A body parser that ran first (express.json()) left the parsed value and an ended stream.
    const parsed = (req as { body?: unknown }).body;
    const body = req.readableEnded && parsed !== undefined ? JSON.stringify(parsed) : req;
    const log = logger !== false ? (msg: string): void => logger.info(msg) : undefined;
    adminApiResponse(
      sy,
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, clientIp: req.socket.remoteAddress ?? '', body },
      { ...(log !== undefined ? { log } : {}) },
    ).then(
      (answer) => {
        if (answer === undefined) {
          if (next !== undefined) next();
          else replyNotFound(res);
          return;
        }
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
      },
      (err: unknown) => {
        if (next !== undefined) next(err);
        else if (!res.headersSent) replyError(res, 500, 'admin API error');
      },
    );
  }

  const middleware: ProxyHandler = (req, res, next) => {
    if (!ready) {
      void whenReady.then(() => middleware(req, res, next));
      return;
    }
    const url = req.url ?? '/';
    if (sy.config.admin !== undefined && isAdminApiPath(sy, pathOf(url))) {
      serveAdminApi(req, res, next);
      return;
    }
    if (adminPaths.size > 0) {
      const path = pathOf(url);
      if (adminPaths.has(path)) {
        serveAdmin(req, res, path, next);
        return;
      }
    }
    let route: ReturnType<typeof sy.matchSite>;
    adoptTargetHost(url, req.headers);
    try {
      route = matchRequest(sy, req, url);
    } catch (err) {
      // Express's own error handler would show the stack: one line instead.
      log(requestErrorLine(req.method, url, 500, 'internal error', err));
      replyError(res, 500, 'internal error');
      return;
    }
    answer(req, res, next, route, url);
  };

  /** Answer what the core decided: the app's routes, a return, a redirect, a file (after its lookups), or the proxy. */
  function answer(req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined, route: SiteMatch | undefined, url: string): void {
    if (route === undefined) {
      if (next !== undefined) next();
      else replyNotFound(res);
      return;
    }
    if ('files' in route) {
      sy.resolveFiles(route).then(
        (found) => answer(req, res, next, found, url),
        (err: unknown) => {
          log(requestErrorLine(req.method, url, 500, 'internal error', err));
          if (!res.headersSent) replyError(res, 500, 'internal error');
        },
      );
      return;
    }
    // nginx's add_header / expires on the answers written here (proxied answers get them through the response hook).
    const plan = responseHeadersOf(route);
    if (plan !== undefined && route.internal !== true && ('return' in route || 'file' in route || route.redirect !== undefined)) {
      addHeadersOnWrite(req, res, plan, { file: 'file' in route });
    }
    if ('return' in route) {
      sendReturn(req, res, route, sy.config.absoluteRedirect);
      return;
    }
    if (route.internal === true) {
      // An internal location (nginx `internal`): 404 here, never offered to the app's later routes.
      replyNotFound(res);
      return;
    }
    if ('file' in route) {
      // `staticFiles` exists whenever the core can give a FileRoute (some location serves files).
      const serve = (): void =>
        staticFiles?.(req, res, route, (status) => {
          if (!res.headersSent) sendFileError(req, res, route, status);
          else res.destroy();
        });
      // nginx's access phase (limit_req, allow, auth_basic...) guards files as it guards the proxy.
      if (route.location.limits === undefined || passLimits(sy, req, res, route.location, serve, log)) serve();
      return;
    }
    if (route.redirect !== undefined) {
      sendSlashRedirect(req, res, route);
      return;
    }
    if (isWebSocketRequest(req)) {
      missingUpgrade(req, res);
      return;
    }
    if (
      route.location.limits !== undefined &&
      !passLimits(sy, req, res, route.location, () => startExchange(ctx, req, res, route, (req as ExpressRequest).originalUrl ?? url), log)
    )
      return;
    startExchange(ctx, req, res, route, (req as ExpressRequest).originalUrl ?? url);
  }

  let upgradeHinted = false;
  /**
   * A WebSocket handshake reached the middleware as a plain request: the server has no `upgrade`
   * listener (only `lb.upgrade` sees upgrades). Proxied as a GET it would reach the backend as a
   * plain request and the client would report a confusing `Unexpected server response: 200`:
   * answered 501 with a body naming the missing line, which is also logged once.
   */
  function missingUpgrade(req: IncomingMessage, res: ServerResponse): void {
    if (!upgradeHinted && logger !== false) {
      upgradeHinted = true;
      warn(
        logger,
        `switchyard: ${MISSING_UPGRADE_HINT} (WebSocket upgrade ${req.method ?? 'GET'} ${pathOf((req as ExpressRequest).originalUrl ?? req.url ?? '/')} answered 501)`,
      );
    }
    res.setHeader('connection', 'close');
    replyPlain(res, 501, `${MISSING_UPGRADE_HINT}\n`);
  }

  function proxyTo(upstream: string, routeOptions: ProxyToOptions = {}): ProxyHandler {
    const where = `proxyTo("${upstream}")`;
    // Validates now (unknown upstream, bad options), not at the first request.
    const fixed = routeOptions.prefix !== undefined ? sy.createLocation(upstream, routeOptions, where) : undefined;
    if (fixed === undefined) sy.createLocation(upstream, { ...routeOptions, prefix: '/' }, where);
    routedUpgrades = true;
    const byMount = new Map<string, Location>();
    const locationFor = (mount: string): Location => {
      let location = byMount.get(mount);
      if (location === undefined) {
        location = sy.createLocation(upstream, { ...routeOptions, prefix: mount === '' ? '/' : mount }, where);
        if (byMount.size < MAX_MOUNTS) byMount.set(mount, location);
      }
      return location;
    };
    const handler: ProxyHandler = (req, res, next) => {
      if (!ready) {
        void whenReady.then(() => handler(req, res, next));
        return;
      }
      const express = req as ExpressRequest;
      const url = express.originalUrl ?? req.url ?? '/';
      let route;
      adoptTargetHost(url, req.headers);
      try {
        route = sy.route(fixed ?? locationFor(express.baseUrl ?? ''), url);
      } catch {
        route = undefined;
      }
      if (route === undefined) {
        // The normalised path leaves the mounted prefix (`/api/../admin`): never forwarded; not this
        // route's request, as Fastify's `reply.proxyTo` answers with callNotFound().
        if (next !== undefined) next();
        else replyNotFound(res);
        return;
      }
      const upgrade = takeUpgrade(req);
      // A WebSocket upgrade that `upgrade` sent through the app: tunnel it along this route.
      if (upgrade !== undefined) ws.proxy(req, upgrade.socket, upgrade.head, route);
      else if (isWebSocketRequest(req)) missingUpgrade(req, res);
      else startExchange(ctx, req, res, route, url);
    };
    return handler;
  }

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!ready && !closed) {
      void whenReady.then(() => upgrade(req, socket, head));
      return;
    }
    if (!closed && ws.handle(req, socket, head)) return;
    // Not ours: leave the socket to other `upgrade` listeners, or refuse it when there are none.
    const server = (req.socket as { server?: EventEmitter }).server;
    if (server !== undefined && server.listenerCount('upgrade') > 1) return;
    if (!closed && routedUpgrades && server !== undefined && isWebSocketRequest(req)) {
      // Through the app (Express has no upgrade routing): a `proxyTo` handler on the way tunnels
      // it; any other answer (404, an auth middleware's 401) is written to the socket, which closes.
      server.emit('request', req, upgradeResponse(req, socket, head));
      return;
    }
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  };

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    closed = true;
    ws.close();
    await open.close(sy.config.closeTimeoutMs);
    detachLogger?.();
    ctx.agents.destroyAll();
    ctx.h2.destroyAll();
    await sy.close();
  }
  // A second call (a signal handler and a test cleanup) waits for the same shutdown.
  const close = (): Promise<void> => (closing ??= shutdown());

  return Object.assign(middleware, { switchyard: sy, proxyTo, upgrade, close });
}

/** Where request errors go: the logger's `error`, else a process warning (one line each). */
function requestLog(logger: SwitchyardLogger | undefined): (line: string) => void {
  return (line) => {
    try {
      if (logger !== undefined) logger.error(line);
      else process.emitWarning(line);
    } catch {
      // A throwing logger must not turn one bad request into a crash.
    }
  };
}

/** A warning that a throwing logger cannot turn into a failed request. */
function warn(logger: SwitchyardLogger, line: string): void {
  try {
    logger.warn(line);
  } catch {
    // The answer is sent whatever the logger does.
  }
}

/** Starts an exchange; whatever it throws is answered as a one-line 500 (Express's own handler would show the stack). */
function startExchange(ctx: ExchangeContext, req: IncomingMessage, res: ServerResponse, route: ProxyRoute, url: string): void {
  try {
    new Exchange(ctx, req, res, route, url).start();
  } catch (err) {
    ctx.log(requestErrorLine(req.method, url, 500, 'internal error', err));
    if (!res.headersSent) replyError(res, 500, 'internal error');
    else res.destroy();
  }
}

function replyPlain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function replyNotFound(res: ServerResponse): void {
  replyPlain(res, 404, 'Not Found\n');
}

/** Headers serve-static sets on the file before it fails (a Range past the end): not part of nginx's error answer. */
const FILE_HEADERS = ['accept-ranges', 'cache-control', 'etag', 'last-modified', 'content-type', 'content-length', 'content-encoding'];

/** serve-static's error for a file (416 for a Range past the end, a file gone since the lookup: 404; 403; 500) with nginx's page; its Content-Range stays. */
function sendFileError(req: IncomingMessage, res: ServerResponse, route: FileRoute, status: number): void {
  for (const name of FILE_HEADERS) res.removeHeader(name);
  sendReturn(req, res, { return: { status }, location: route.location }, undefined);
}
