/** @module One keep-alive undici Pool per upstream server (and connect timeout), and the dispatcher reply-from sends through. */
import { Pool, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { upstreamTlsOptions, type ServerInfo } from '@switchyard/core';
import { READ_TIMING, timedClientFactory } from './exact-timeouts.js';

/** What one try needs from the transport; the dispatcher finds it on the request headers under `TRY_KEY`. */
export interface TryTarget {
  pool: Pool;
  /** Server base path + route path (+ query), sent as is. */
  path: string;
  /** undici headersTimeout and bodyTimeout (nginx proxy_read_timeout); 0 = none. */
  readMs: number;
  /** The upstream's `keepalive`: idle connections to keep per server. */
  keepalive: number;
  /** An EventEmitter-like abort signal (the per-request ProxyCall). */
  signal: unknown;
  /**
   * A request body reply-from refuses to carry (it throws for a GET or HEAD with a body): sent by
   * the dispatcher in place of reply-from's empty one. Undefined for every other request.
   */
  body: Buffer | Readable | undefined;
  /** Set when the dispatcher counted this try in `pool.inFlight`; the owner uncounts it when the try ends. */
  counted: boolean;
  /** reply-from's callback for the try in flight (the dispatcher hands undici one shared callback instead). */
  replyFromCallback: ReplyFromCallback | undefined;
  /** reply-from is about to log this try's failure with a stack: keep it out of the log (switchyard logs the try itself). */
  quietReplyFromLog(): void;
  /** The response's trailers (gRPC's grpc-status), filled by undici when the body ends; reply-from does not carry them. */
  trailers: Record<string, string | string[]> | undefined;
  /** undici has a connection for the try (the access log's connect time). */
  connected(): void;
}

/**
 * Carried on the header object reply-from hands to the dispatcher (reply-from copies headers with
 * Object.assign, which keeps symbol keys; undici reads headers with Object.keys, which skips them).
 * This avoids per-request URL building: reply-from gets one constant source URL and the
 * dispatcher swaps in the real pool and path.
 */
export const TRY_KEY: unique symbol = Symbol('switchyard.try');

/** A pool that knows how many requests it is serving (head sent until the body closed). */
export class CountingPool extends Pool {
  inFlight = 0;
  /** The name sent as SNI (constant per server, so undici never reconnects over a changing Host). */
  servername: string | undefined;
  /** HTTP/2 (h2 or h2c): one multiplexed connection, undici's own read timers. */
  http2 = false;
}

function isStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}

interface PoolEntry {
  readonly connectMs: number;
  /** The server's TLS settings (one upstream's may differ from another's for the same url). */
  readonly tls: ServerInfo['tls'];
  readonly pool: CountingPool;
}

interface ReplyFromRequest {
  method: string;
  headers: Record<string | symbol, unknown>;
  body?: unknown;
}

export type ReplyFromCallback = (err: Error | null, data?: Dispatcher.ResponseData<TryTarget>) => void;

/**
 * undici's callback for every try: finds the try through `opaque` (no closure per request), tells
 * it when reply-from is going to log a failure (an error, or a status Fastify's reply.code refuses),
 * then hands the answer to reply-from.
 */
function onTryAnswer(err: Error | null, data?: Dispatcher.ResponseData<TryTarget>): void {
  const target = data?.opaque;
  const callback = target?.replyFromCallback;
  if (target === undefined || callback === undefined) return;
  target.replyFromCallback = undefined;
  if (err !== null || data === undefined || data.statusCode < 100 || data.statusCode > 599) target.quietReplyFromLog();
  else target.trailers = data.trailers;
  callback(err, data);
}

/** The `undici` option handed to reply-from: anything with `request(opts, cb)` is used as is. */
export interface ReplyFromDispatcher {
  request(opts: ReplyFromRequest, callback: ReplyFromCallback): void;
}

/** Concurrent HTTP/2 streams per server connection (the RFC's suggested minimum is 100); the core's maxConns bounds tries first. */
const H2_STREAMS = 256;

export class UpstreamPools {
  readonly #pools = new Map<string, PoolEntry[]>();
  #closed = false;

  /**
   * reply-from's undici handler calls `request` synchronously with the headers our
   * rewriteRequestHeaders returned (plus its own `connection`/`transfer-encoding` set to undefined).
   */
  readonly dispatcher: ReplyFromDispatcher = {
    request(opts, callback) {
      const headers = opts.headers;
      const target = headers[TRY_KEY] as TryTarget;
      const pool = target.pool as CountingPool;
      // nginx keeps at most `keepalive` idle connections per server; undici cannot cap idle
      // ones, so a request that needs a connection beyond that many busy ones closes it after use.
      // (Counted here: undici's pool.stats.running walks every client six times per read.)
      // HTTP/2 multiplexes every try on one connection: nothing to close.
      const reset = !pool.http2 && (target.keepalive === 0 || pool.inFlight >= target.keepalive);
      // Given back by the try's owner when the try ends (ProxyCall.uncount), without a listener here.
      pool.inFlight++;
      target.counted = true;
      const body = (target.body ?? opts.body) as Dispatcher.DispatchOptions['body'];
      target.replyFromCallback = callback;
      pool.request(
        {
          path: target.path,
          method: opts.method,
          headers: headers as Record<string, string>,
          body,
          // undici's header/body timers tick every ~0.5 s: the read timeout runs on a Node timer
          // instead (ReadTimeoutHandler, attached by the pool's client from READ_TIMING).
          // On HTTP/2 the connection's bytes belong to many streams, so a per-socket timer cannot tell
          // one try's silence: undici's per-request timers (0.5 s granularity) keep the read timeout.
          headersTimeout: pool.http2 ? target.readMs : 0,
          bodyTimeout: pool.http2 ? target.readMs : 0,
          ...(pool.http2 ? {} : { [READ_TIMING]: { readMs: target.readMs, streamed: isStream(body) } }),
          reset,
          servername: pool.servername,
          signal: target.signal,
          opaque: target,
        } as Dispatcher.RequestOptions<TryTarget>,
        onTryAnswer,
      );
    },
  };

  /** The pool for `server` (created on first use; servers can be added at run time). */
  poolFor(server: ServerInfo, connectMs: number): CountingPool {
    const list = this.#pools.get(server.url);
    if (list !== undefined) {
      for (const entry of list) if (entry.connectMs === connectMs && entry.tls === server.tls) return entry.pool;
    }
    const http2 = server.http2 === true;
    const pool = new CountingPool(server.origin, {
      // HTTP/1.1: no cap on concurrent connections (that is `maxConns`, decided by the core); idle
      // ones live for undici's keep-alive timeout (4 s, or less if the server says so). HTTP/2: one
      // connection per server carrying every try as a stream (undici opens no second one).
      connections: http2 ? 1 : null,
      pipelining: http2 ? H2_STREAMS : 1,
      ...(http2 ? { allowH2: true, maxConcurrentStreams: H2_STREAMS } : {}),
      // TCP, TLS (verified unless configured off: reply-from's own transports default to
      // rejectUnauthorized: false) or a unix socket, with exact connect and read timeouts.
      factory: timedClientFactory(server, connectMs),
    });
    pool.http2 = http2;
    if (server.protocol === 'https:') pool.servername = upstreamTlsOptions(server).servername || server.hostname;
    if (this.#closed) void pool.destroy();
    const entry: PoolEntry = { connectMs, tls: server.tls, pool };
    if (list === undefined) this.#pools.set(server.url, [entry]);
    else list.push(entry);
    return pool;
  }

  /** A server was removed: let its pools finish their requests, then close. */
  release(url: string): void {
    const list = this.#pools.get(url);
    if (list === undefined) return;
    this.#pools.delete(url);
    for (const entry of list) entry.pool.close().catch(() => undefined);
  }

  /** Destroys every pool and its sockets (Fastify close). */
  async destroy(): Promise<void> {
    this.#closed = true;
    const all: Array<Promise<void>> = [];
    for (const list of this.#pools.values()) for (const entry of list) all.push(entry.pool.destroy().catch(() => undefined));
    this.#pools.clear();
    await Promise.all(all);
  }
}
