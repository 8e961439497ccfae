/** @module Fastify side of the location hooks: runs rewriteRequest before the first try, writes hook and error answers. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  hookFailureLine,
  HOOK_KEYS,
  hookFailureAnswer,
  isEncrypted,
  runRequestHook,
  type GatewayAnswer,
  type ProxyRoute,
  type RequestInfo,
  type RequestRewrite,
  type ResolvedHooks,
  type Switchyard,
} from '@switchyard/core';
import type { ProxyBody } from './request-body.js';

/** A logger for hook failures (the request's pino logger). */
export function hookReporter(request: FastifyRequest, hook: string): (err: unknown) => void {
  // One line, no stack (as every line switchyard logs).
  return (err) => request.log.error(hookFailureLine(hook, err));
}

/**
 * Write an answer switchyard makes itself (error line, onError's, hook failure). A streamed upload
 * still half read is discarded and the connection closed after the answer, as for a failed try.
 */
export function sendAnswer(reply: FastifyReply, body: ProxyBody, answer: GatewayAnswer): void {
  if (reply.sent || reply.raw.headersSent) return;
  if (body.kind === 'stream' && !body.source.readableEnded) {
    reply.header('connection', 'close');
    body.source.resume();
  }
  // A Buffer: Fastify would append a charset to the hook's Content-Type for a string.
  reply
    .code(answer.status)
    .headers(answer.headers)
    .send(typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body);
}

/**
 * Run `rewriteRequest` once for this request, then `proceed` with its rewrite; a throw or rejection
 * answers 500 and nothing is sent upstream. A client gone meanwhile gets nothing.
 */
export function rewriteThenProxy(
  sy: Switchyard,
  hooks: ResolvedHooks,
  request: FastifyRequest,
  reply: FastifyReply,
  route: ProxyRoute,
  body: ProxyBody,
  info: RequestInfo,
  proceed: (rewrite: RequestRewrite) => void,
): void {
  const raw = request.raw;
  const peerIp = raw.socket.remoteAddress;
  runRequestHook(hooks, {
    incoming: raw.headers,
    headerContext: {
      peerIp,
      encrypted: isEncrypted(raw),
      trusted: sy.isTrustedProxy(peerIp ?? ''),
      location: route.location,
      bodyLength: body.kind === 'buffer' ? body.data.length : undefined,
      method: raw.method,
      requestUri: raw.url,
      socket: raw.socket,
    },
    route,
    request: info,
    req: request,
  }).then(
    (rewrite) => {
      if (reply.sent || reply.raw.destroyed) return;
      proceed(rewrite);
    },
    (err: unknown) => {
      hookReporter(request, 'rewriteRequest')(err);
      if (reply.raw.destroyed) return;
      sendAnswer(reply, body, hookFailureAnswer());
    },
  );
}

/**
 * With a header hook, the hook sees what the client would get: headers the app already set on the
 * reply (a CORS hook's, say) under the upstream's; those it removes are taken off the reply too.
 */
export function withAppHeaders(reply: FastifyReply, headers: OutgoingHttpHeaders, hooks: ResolvedHooks): OutgoingHttpHeaders {
  if (hooks.rewriteResponseHeaders === undefined) return headers;
  const own = reply.getHeaders();
  return Object.keys(own).length === 0 ? headers : ({ ...own, ...headers } as OutgoingHttpHeaders);
}

export function dropRemovedAppHeaders(reply: FastifyReply, headers: OutgoingHttpHeaders): void {
  for (const name of Object.keys(reply.getHeaders())) if (!(name in headers)) reply.removeHeader(name);
}

const hookIds = new WeakMap<object, number>();
let lastHookId = 0;

/**
 * The part of a `proxyTo` location cache key that JSON.stringify loses: which hook functions the
 * options carry, so two routes with the same options but different hooks never share a location.
 */
export function hookIdentity(options: object): string {
  let out = '';
  for (const key of HOOK_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (typeof value !== 'function') continue;
    let id = hookIds.get(value);
    if (id === undefined) hookIds.set(value, (id = ++lastHookId));
    out += `\n${key}#${id}`;
  }
  return out;
}
