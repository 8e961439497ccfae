/** @module The Fastify plugin: location routes, `app.switchyard`, `reply.proxyTo`, WebSocket upgrades, status routes and cleanup. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import {
  adminApiResponse,
  adminResponse,
  attachStateLogger,
  closeWithoutAnswer,
  createSwitchyard,
  createWebSocketProxy,
  isWebSocketRequest,
  matchRequest,
  logStartupNotes,
  OpenExchanges,
  prepareMetrics,
  adoptTargetHost,
  redirectResponse,
  returnResponse,
  responseHeadersOf,
  addHeadersOnWrite,
  toRedirectRequest,
  SwitchyardConfigError,
  SwitchyardError,
  takeUpgrade,
  upgradeResponse,
  type Location,
  type ProxyRoute,
  type ReturnResponse,
  type ReturnRoute,
  type SiteMatch,
  type SwitchyardInput,
} from '@switchyard/core';
import { UpstreamPools } from './upstream-pools.js';
import { loadReplyFrom } from './reply-from.js';
import { internalError, kCall, proxyRequest, type ProxyContext } from './proxy-call.js';
import { proxyBodyParser, requestBody } from './request-body.js';
import { isExactPath, locationRoutePaths, staticPrefix } from './route-paths.js';
import { handlerFactory, type ProxyToOptions } from './proxy-handler.js';

export type { ProxyToOptions };
import { limitBody } from './body-limit.js';
import { passLimits } from './request-limits.js';
import { forgottenReturnHint } from './forgotten-return.js';
import { hookIdentity } from './hook-glue.js';
import { proxiedMethods } from './http-methods.js';
import { installSentBodies, markProxyBodiesScope, sentBody } from './raw-bodies.js';
import { fastifyAccessLog } from './access-log.js';
import { registerStaticFiles, sendStaticFile, staticFileError } from './static-files.js';

/** Some location (nested ones included) answers itself: files, a return, rewrite steps. */
function hasOwnAnswers(locations: readonly Location[]): boolean {
  return locations.some((l) => l.content !== undefined || (l.locations !== undefined && hasOwnAnswers(l.locations)));
}

/** Locations made by `reply.proxyTo`, kept per (route, upstream, options); a cap guards against options built per request. */
const MAX_CACHED_LOCATIONS = 1000;

const NOT_FOUND_UPGRADE = 'HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

/**
 * Why a second registration in the same scope fails: Fastify's own FST_ERR_DEC_ALREADY_PRESENT
 * names the decorator, not what to do instead.
 */
const ALREADY_REGISTERED =
  '@switchyard/fastify is already registered in this scope (app.switchyard exists): register it once with all your pools ' +
  '(upstreams: { api: [...], billing: [...] }), or give each instance its own encapsulated plugin (app.register(async (scope) => { await scope.register(switchyard, options) })), ' +
  'beside each other, not one inside the other';

export async function switchyardPlugin(app: FastifyInstance, input: SwitchyardInput): Promise<void> {
  if (app.hasDecorator('switchyard')) throw new SwitchyardConfigError('', ALREADY_REGISTERED);
  // Throws SwitchyardConfigError naming the field: `register` rejects with the core's message.
  const sy = createSwitchyard(input);
  try {
    await prepareMetrics(sy);
  } catch (err) {
    await sy.close();
    throw new SwitchyardConfigError(
      'metrics.path',
      `needs the optional peer dependency prom-client, which cannot be loaded (npm install prom-client): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // `resolve` names and `discover` hooks: no window of 502s while their first answers come in.
  await sy.ready();
  const pools = new UpstreamPools();
  const requestLog = (line: string): void => app.log.error(line);
  const open = new OpenExchanges();
  const ctx: ProxyContext = {
    sy,
    pools,
    from: loadReplyFrom(pools.dispatcher),
    onPreempted: forgottenReturnHint(app.log),
    log: requestLog,
    open,
    accessLog: fastifyAccessLog(sy.config.accessLog, app.initialConfig.disableRequestLogging, sy.config.tracing),
  };
  const onRemoved = (event: { url: string }): void => pools.release(event.url);
  sy.on('server:removed', onRemoved);
  const log = app.log;
  const stopLogger = attachStateLogger(sy, {
    info: (msg) => log.info(msg),
    warn: (msg) => log.warn(msg),
    error: (msg) => log.error(msg),
  });
  logStartupNotes(sy, { info: (msg) => log.info(msg), warn: (msg) => log.warn(msg), error: (msg) => log.error(msg), debug: (msg) => log.debug(msg) });

  // reply.proxyTo routes of the app's own scopes: the bytes the client sent, not the parser's object.
  const sentBodies = installSentBodies(app, log);

  /** Every proxied request (its ProxyCall is counted for the grace at close and quiets reply-from's warning when a try fails). */
  function proxy(request: FastifyRequest, reply: FastifyReply, route: ProxyRoute, admitted = false): void {
    if (!admitted && route.location.limits !== undefined && !passLimits(sy, request, reply, route.location, () => proxy(request, reply, route, true))) return;
    // client_max_body_size: a 413 before any upstream is picked.
    const body = limitBody(request, reply, route.location, requestBody(request, sentBody(request), sentBodies.reserialised));
    if (body !== undefined) proxyRequest(ctx, request, reply, route, body);
  }

  const locations = new Map<string, Location>();
  function locationFor(upstream: string, options: ProxyToOptions | undefined, routeUrl: string): Location {
    const key = options === undefined ? `${routeUrl}\n${upstream}` : `${routeUrl}\n${upstream}\n${JSON.stringify(options)}${hookIdentity(options)}`;
    let location = locations.get(key);
    if (location === undefined) {
      const prefix = options?.prefix ?? staticPrefix(routeUrl);
      location = sy.createLocation(upstream, { ...options, prefix }, `proxyTo("${upstream}")`);
      if (locations.size >= MAX_CACHED_LOCATIONS) locations.clear();
      locations.set(key, location);
    }
    return location;
  }

  app.decorate('switchyard', Object.assign(sy, { handler: handlerFactory(sy) }));
  // Every request has the field from its construction (a second instance in the app shares it).
  if (!app.hasRequestDecorator(kCall)) app.decorateRequest(kCall, null);
  app.decorateReply('proxyTo', function proxyTo(this: FastifyReply, upstream: string, options?: ProxyToOptions): FastifyReply {
    const request = this.request;
    let location: Location;
    try {
      location = locationFor(upstream, options, request.routeOptions.url ?? '/');
    } catch (err) {
      // A typo in the upstream name or bad options: the detail (pool names) is for the log only.
      if (!(err instanceof SwitchyardError)) throw err;
      request.log.error(`switchyard: ${err.message}`);
      return this.code(500).type('text/plain; charset=utf-8').send('Internal Server Error\n');
    }
    try {
      adoptTargetHost(request.raw.url ?? '/', request.raw.headers);
      const route = sy.route(location, request.raw.url ?? '/');
      // The normalised path left the route's prefix (`/api/../admin`): not this route's to proxy.
      if (route === undefined) this.callNotFound();
      else {
        const upgrade = takeUpgrade(request.raw);
        sentBodies.proxied(request);
        if (upgrade === undefined) proxy(request, this, route);
        else {
          // A WebSocket upgrade routed here by onUpgrade: tunnel it, Fastify sends nothing.
          this.hijack();
          websockets.proxy(request.raw, upgrade.socket, upgrade.head, route);
        }
      }
    } catch (err) {
      internalError(ctx, request, this, err);
    }
    return this;
  });

  const websockets = createWebSocketProxy(sy, { log: requestLog });
  const server = app.server;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (websockets.handle(req, socket, head)) return;
    // Not ours: leave it to other upgrade listeners (e.g. @fastify/websocket), or refuse it.
    if (server.listenerCount('upgrade') > 1) return;
    if (isWebSocketRequest(req)) {
      // Through Fastify's router, hooks included: a route calling reply.proxyTo tunnels it; any
      // other answer (404, an auth hook's 401) is written to the socket, which then closes.
      app.routing(req, upgradeResponse(req, socket, head));
      return;
    }
    socket.on('error', () => socket.destroy());
    socket.end(NOT_FOUND_UPGRADE);
  };
  server.on('upgrade', onUpgrade);

  app.addHook('preClose', (done) => {
    // Open tunnels would keep server.close() waiting.
    server.off('upgrade', onUpgrade);
    websockets.close();
    // Not awaited: server.close() waits for these; after closeTimeout they are cut.
    void open.close(sy.config.closeTimeoutMs);
    done();
  });
  app.addHook('onClose', async () => {
    stopLogger();
    sy.off('server:removed', onRemoved);
    await sy.close();
    // Requests cut at closeTimeout have let go of their upstream responses before the pools go.
    await open.close(sy.config.closeTimeoutMs);
    await pools.destroy();
  });

  function handleLocation(request: FastifyRequest, reply: FastifyReply): void {
    try {
      adoptTargetHost(request.raw.url ?? '/', request.raw.headers);
      answer(request, reply, matchRequest(sy, request.raw));
    } catch (err) {
      internalError(ctx, request, reply, err);
    }
  }

  /** Answer what the core decided: the app's 404, a return, a redirect, a file (after its lookups), or the proxy. */
  function answer(request: FastifyRequest, reply: FastifyReply, route: SiteMatch | undefined): void {
    if (route === undefined || route.internal === true) {
      // An internal location (nginx `internal`) is not the client's: the app's 404, no route of it.
      reply.callNotFound();
    } else if ('files' in route) {
      sy.resolveFiles(route).then(
        (found) => answer(request, reply, found),
        (err: unknown) => internalError(ctx, request, reply, err),
      );
    } else if ('return' in route) {
      answerHeaders(request, reply, route);
      sendReturn(reply, request, route);
    } else if ('file' in route) {
      answerHeaders(request, reply, route);
      // nginx's access phase (limit_req, allow, auth_basic...) guards files as it guards the proxy.
      if (passLimits(sy, request, reply, route.location, () => sendStaticFile(reply, route))) sendStaticFile(reply, route);
    } else if (route.redirect !== undefined) {
      answerHeaders(request, reply, route);
      write(reply, redirectResponse(route, toRedirectRequest(request.raw)));
    } else {
      proxy(request, reply, route);
    }
  }

  /** nginx's add_header / expires on an answer switchyard or @fastify/static writes (proxied answers get them through the response hook). */
  function answerHeaders(request: FastifyRequest, reply: FastifyReply, route: SiteMatch): void {
    const plan = responseHeadersOf(route);
    if (plan !== undefined) addHeadersOnWrite(request.raw, reply.raw, plan, { file: 'file' in route });
  }

  /** A virtual host's `return`: its status, Location and text, nothing proxied. */
  function sendReturn(reply: FastifyReply, request: FastifyRequest, route: ReturnRoute): void {
    write(reply, returnResponse(route, toRedirectRequest(request.raw), sy.config.absoluteRedirect));
  }

  /** An answer switchyard makes itself, as nginx writes it (the core's status, headers and page). */
  function write(reply: FastifyReply, answer: ReturnResponse): void {
    if (answer.close) return closeWithoutAnswer(reply.hijack().raw);
    reply.code(answer.status).headers(answer.headers);
    if (answer.body === '') reply.send();
    else reply.send(answer.body);
  }

  const adminPaths = new Set<string>();
  if (sy.config.status !== undefined) adminPaths.add(sy.config.status.path);
  if (sy.config.metrics !== undefined) adminPaths.add(sy.config.metrics.path);
  const methods = proxiedMethods(app);

  // An encapsulated context: its content-type parsers (hold small bodies, stream the rest) never
  // change how the app's own routes parse bodies.
  await app.register(async function switchyardRoutes(child) {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', proxyBodyParser);
    markProxyBodiesScope(child);
    await registerStaticFiles(child, sy.config.locations);
    // A file's error (a Range past its end, a file gone since the lookup) gets nginx's page, not the
    // framework's JSON; every other error goes on to the app's own error handler.
    child.setErrorHandler((err, request, reply) => {
      const failed = staticFileError(reply, err);
      if (failed === undefined || reply.sent) throw err;
      const answer = returnResponse({ return: { status: failed.status }, location: failed.route.location }, toRedirectRequest(request.raw));
      write(reply, { ...answer, headers: { ...answer.headers, ...failed.headers } });
    });
    for (const path of adminPaths) {
      // Static routes: they win over any location wildcard.
      child.get(path, async (request, reply) => {
        // find-my-way decodes the path (`/%73witchyard/status` would match): only the exact
        // configured spelling is the status route, as on Express; other spellings are ordinary requests.
        if (!isExactPath(request.raw.url, path)) {
          handleLocation(request, reply);
          return reply;
        }
        const answer = await adminResponse(sy, path, request.headers.accept, {
          request: { method: request.method, url: request.raw.url ?? path, headers: request.headers, clientIp: request.ip },
        });
        if (answer === undefined) return reply.callNotFound();
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      });
    }
    const api = sy.config.admin?.path;
    if (api !== undefined) {
      // Static and `{path}/*` routes: they win over any location wildcard, as the status path does.
      const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        const body = request.body;
        const answer = await adminApiResponse(
          sy,
          {
            method: request.method,
            url: request.raw.url ?? '/',
            headers: request.headers,
            clientIp: request.ip,
            body: Buffer.isBuffer(body) || body instanceof Readable ? body : undefined,
          },
          { log: (msg) => log.info(msg) },
        );
        if (answer === undefined) {
          reply.callNotFound();
          return reply;
        }
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      };
      for (const url of [api, `${api}/*`]) child.route({ method: methods, url, handler });
    }
    // A virtual host that answers with `return` answers every path: the catch-all route dispatches by host.
    // So does a configuration with rewrite steps or files: a rewritten URI may reach any location.
    const returns =
      sy.config.servers?.some((s) => s.return !== undefined || s.rewrite !== undefined) === true ||
      sy.config.rewrite !== undefined ||
      hasOwnAnswers(sy.config.locations);
    for (const url of locationRoutePaths(sy.config.locations, adminPaths, returns)) {
      child.route({ method: methods, url, handler: handleLocation });
    }
  });
}
