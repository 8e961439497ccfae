/** @module Obtains @fastify/reply-from's `reply.from` without decorating any Fastify Reply. */
import replyFrom from '@fastify/reply-from';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ReplyFromDispatcher } from './upstream-pools.js';

/** The response reply-from hands to `onResponse`. */
export interface FromResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  stream: Readable;
}

/** The subset of reply-from's per-request options switchyard uses. */
export interface FromOptions {
  /** Replaces the client's method (an X-Accel-Redirect is followed with GET). */
  method?: string;
  body?: Buffer;
  contentType?: string;
  rewriteRequestHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): OutgoingHttpHeaders;
  rewriteHeaders(headers: IncomingHttpHeaders, request: FastifyRequest): OutgoingHttpHeaders;
  onResponse(request: FastifyRequest, reply: FastifyReply, res: FromResponse): void;
  onError(reply: FastifyReply, error: { error: Error }): void;
  retryDelay(): null;
  retriesCount: 0;
}

export type FromFn = (this: FastifyReply, source: string, options: FromOptions) => FastifyReply;

type PluginFn = (host: object, options: object, done: (err?: Error) => void) => void;

/**
 * reply-from is a fastify-plugin: a function that decorates the instance it is given. Calling it
 * with a minimal host instead of registering it gives us its `from` function to call on any
 * reply, so that (1) `reply.proxyTo` works on the app's own routes, outside any child context,
 * and (2) an app that registers reply-from itself does not collide with a second `from`
 * decorator (FST_ERR_DEC_ALREADY_PRESENT). The options are the transport ones only: no `base`
 * (undici would connect to the base whatever the request says), our dispatcher, no per-request
 * logging. Its onClose hook is not needed: the pools behind the dispatcher are ours to destroy.
 */
export function loadReplyFrom(dispatcher: ReplyFromDispatcher): FromFn {
  let from: FromFn | undefined;
  let failure: Error | undefined;
  const host = {
    decorateReply(name: string, fn: FromFn) {
      if (name === 'from') from = fn;
      return host;
    },
    addHook() {
      return host;
    },
    onClose() {
      return host;
    },
    hasPlugin() {
      return false;
    },
  };
  (replyFrom as unknown as PluginFn)(host, { undici: dispatcher, disableRequestLogging: true }, (err) => {
    failure = err;
  });
  if (failure !== undefined) throw failure;
  if (from === undefined) throw new Error('@fastify/reply-from did not provide reply.from');
  return from;
}
