/** @module `proxyBodies`: a plugin that makes the scope it is registered in hand every request body to the proxy unparsed (any content type). */
import fp from 'fastify-plugin';
import type { FastifyPluginCallback } from 'fastify';
import { proxyBodyParser } from './request-body.js';
import { markProxyBodiesScope } from './raw-bodies.js';

/**
 * Fastify answers 415 to a body no content-type parser accepts, before any handler runs: a route
 * that proxies with `reply.proxyTo` must be in a scope whose parsers accept everything. Register
 * this plugin inside your own encapsulated plugin (never at the root, which would change how
 * every route of the app parses bodies): it replaces that scope's parsers with the one the
 * configured locations use (bodies up to 64 KiB held for retries, larger ones streamed).
 *
 * @example
 * await app.register(async (proxied) => {
 *   await proxied.register(proxyBodies)
 *   proxied.post('/upload/*', app.switchyard.handler('files'))
 * })
 */
const proxyBodiesPlugin: FastifyPluginCallback = (scope, _options, done) => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', proxyBodyParser);
  markProxyBodiesScope(scope);
  done();
};

export const proxyBodies = fp(proxyBodiesPlugin, { fastify: '5.x', name: '@switchyard/fastify/proxy-bodies' });
