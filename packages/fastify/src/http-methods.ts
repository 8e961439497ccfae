/** @module The methods the location routes take: every one Node parses (WebDAV's PROPFIND, MKCOL, ...), as nginx proxies any method. */
import { METHODS } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** CONNECT asks for a tunnel (authority-form target), not a proxied request: nginx refuses it too. */
const NOT_PROXIED = new Set(['CONNECT']);

/**
 * Fastify 5 routes only GET, HEAD, TRACE, DELETE, OPTIONS, PATCH, PUT, POST and QUERY unless told:
 * the others are added to the app (with a body, as a proxy must pass one on), so a PROPFIND reaches
 * its location instead of Fastify's 404. The app's own routes can then use them too.
 */
export function proxiedMethods(app: FastifyInstance): string[] {
  const known = new Set(app.supportedMethods);
  for (const method of METHODS) {
    if (!known.has(method) && !NOT_PROXIED.has(method)) app.addHttpMethod(method, { hasBody: true });
  }
  return app.supportedMethods.filter((m) => !NOT_PROXIED.has(m));
}
