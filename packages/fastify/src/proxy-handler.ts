/** @module `app.switchyard.handler(upstream, options)`: a route handler that proxies to a pool, checked when the route is made. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteToOptions, Switchyard } from '@switchyard/core';
import { markProxyHandler } from './raw-bodies.js';

/** Options of `reply.proxyTo` and `app.switchyard.handler`: a location built in code; `prefix` defaults to the route's static prefix. */
export type ProxyToOptions = RouteToOptions;

/** A Fastify route handler made by `app.switchyard.handler()`. */
export type SwitchyardRouteHandler = (request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * The factory behind `app.switchyard.handler`: an unknown upstream or invalid options throw here,
 * while the app is being built (as Express's `lb.proxyTo` does), not at the first request.
 */
export function handlerFactory(sy: Switchyard): (upstream: string, options?: ProxyToOptions) => SwitchyardRouteHandler {
  return function handler(upstream, options) {
    sy.createLocation(upstream, { ...options, prefix: options?.prefix ?? '/' }, `app.switchyard.handler("${upstream}")`);
    // Marked: the plugin knows this route proxies, and lets bodies its scope cannot parse through.
    return markProxyHandler(function proxyHandler(_request: FastifyRequest, reply: FastifyReply) {
      return reply.proxyTo(upstream, options);
    });
  };
}
