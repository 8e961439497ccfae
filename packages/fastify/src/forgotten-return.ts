/** @module One clear hint for an async handler that calls `reply.proxyTo(...)` without returning it (Fastify then sends its own empty response). */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

/** Routes hinted about are remembered up to this many (one line per route, not per request). */
const MAX_HINTED_ROUTES = 100;

export function forgottenReturnHint(log: FastifyBaseLogger): (request: FastifyRequest) => void {
  const hinted = new Set<string>();
  return (request) => {
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    if (hinted.has(route) || hinted.size >= MAX_HINTED_ROUTES) return;
    hinted.add(route);
    log.warn(
      `switchyard: the handler of ${route} called reply.proxyTo() without returning it, so Fastify answered before the upstream did (an empty response): write \`return reply.proxyTo(...)\` in async handlers`,
    );
  };
}
