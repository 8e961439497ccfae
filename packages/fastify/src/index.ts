/** @module Public entry point of @switchyard/fastify: the plugin, its options and the Fastify type augmentation. */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Switchyard, SwitchyardInput } from '@switchyard/core';
import { switchyardPlugin, type ProxyToOptions } from './plugin.js';

import type { SwitchyardRouteHandler } from './proxy-handler.js';

export type { ProxyToOptions } from './plugin.js';
export type { SwitchyardRouteHandler } from './proxy-handler.js';
export type { Switchyard, SwitchyardInput, SwitchyardOptions } from '@switchyard/core';
export { defineConfig } from '@switchyard/core';
export { proxyBodies } from './proxy-bodies.js';

/** `app.switchyard`: the core instance, plus the route-handler factory. */
export interface FastifySwitchyard extends Switchyard {
  /**
   * A route handler that proxies to `upstream` (as `reply.proxyTo(upstream, options)`); an
   * unknown upstream or invalid options throw here, when the route is made. Register it in a
   * scope with `proxyBodies` to forward bodies of any content type.
   *
   * @example
   * app.all('/api/*', app.switchyard.handler('backend', { rewritePrefix: '/' }))
   */
  handler(upstream: string, options?: ProxyToOptions): SwitchyardRouteHandler;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The switchyard instance behind the plugin: `status()`, runtime control, events. */
    switchyard: FastifySwitchyard;
  }
  interface FastifyReply {
    /**
     * Proxy this request to the pool `upstream`, through the same picking, retries and headers
     * as the configured locations. The route's static prefix (`/api` for `/api/*`) is what
     * `rewritePrefix` replaces; a request whose normalised path leaves it gets a 404.
     * Return the reply from async handlers.
     *
     * @example
     * app.all('/api/*', (req, reply) => reply.proxyTo('backend', { rewritePrefix: '/' }))
     */
    proxyTo(upstream: string, options?: ProxyToOptions): FastifyReply;
  }
}

/**
 * nginx-style load balancing for Fastify 5: registers one route per location (all methods),
 * decorates `app.switchyard` and `reply.proxyTo`, proxies WebSocket upgrades. Invalid
 * configuration rejects `register` with a message naming the field.
 *
 * @example
 * import Fastify from 'fastify'
 * import switchyard from '@switchyard/fastify'
 *
 * const app = Fastify()
 * await app.register(switchyard, {
 *   upstreams: { backend: ['http://127.0.0.1:8000', 'http://127.0.0.1:8001'] },
 *   locations: { '/': 'backend' },
 * })
 * await app.listen({ port: 8080 })
 */
export const switchyard: FastifyPluginAsync<SwitchyardInput> = fp(switchyardPlugin, {
  fastify: '5.x',
  name: '@switchyard/fastify',
});

export default switchyard;
