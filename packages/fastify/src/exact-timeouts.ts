/** @module Exact connect and read timeouts for undici: its own timers tick every ~0.5 s (a 200 ms read timeout fired after ~1 s), so switchyard arms plain Node timers itself. */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildConnector, Client, errors, type Dispatcher } from 'undici';
import { upstreamTlsOptions, type ServerInfo } from '@switchyard/core';
import { keepH2Trailers } from './h2-trailers.js';

/**
 * The connector of one server's pool: TCP, TLS (with the server's CA, client certificate,
 * servername and verification; undici caches TLS sessions per name, so new connections resume)
 * or a unix socket, with a connect timeout on a Node timer. undici's own connect timeout
 * (a 0.5 s-tick timer) is off.
 */
export function exactConnector(server: ServerInfo, connectMs: number): buildConnector.connector {
  const tls = server.protocol === 'https:' ? upstreamTlsOptions(server) : undefined;
  const connect = buildConnector({
    ...(tls ?? {}),
    ...(server.socketPath === undefined ? {} : { socketPath: server.socketPath }),
    // h2 is chosen by ALPN; h2c (clear text) is spoken from the first byte, undici's useH2c.
    ...(server.http2 === true ? (tls !== undefined ? { allowH2: true } : { useH2c: true }) : {}),
    timeout: 0,
  });
  return (options, callback) => {
    // The SNI name is the server's (or tls.servername), whatever undici derived from the Host header.
    const opts = tls === undefined ? options : { ...options, servername: undefined };
    if (connectMs <= 0) return connect(opts, callback);
    let done = false;
    // eslint-disable-next-line prefer-const -- assigned below, after the timer that reads it is made
    let socket: { destroy(): void } | undefined;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      socket?.destroy();
      callback(new errors.ConnectTimeoutError(`Connect Timeout Error (connect timeout: ${connectMs}ms)`), null);
    }, connectMs);
    timer.unref();
    socket = connect(opts, (err: Error | null, sock: unknown) => {
      if (done) {
        (sock as { destroy?: () => void } | null)?.destroy?.();
        return;
      }
      done = true;
      clearTimeout(timer);
      (callback as (e: Error | null, s: unknown) => void)(err, sock ?? null);
    }) as unknown as { destroy(): void } | undefined;
  };
}

type LegacyHandler = Dispatcher.DispatchHandler & { onRequestSent?(): void };

/** Request options carry the try's read timeout under this key, from the pool down to its client. */
export const READ_TIMING: unique symbol = Symbol('switchyard.readTiming');

export interface ReadTiming {
  readonly readMs: number;
  /** The request body is a stream paced by the client. */
  readonly streamed: boolean;
}

const kReader = Symbol('switchyard.reader');
const kWatched = Symbol('switchyard.watched');
type WatchedSocket = Socket & { [kReader]?: ReadTimeoutHandler | undefined; [kWatched]?: true };

/** Every byte the upstream sends restarts the read timer of the request it belongs to. */
function onSocketData(this: WatchedSocket): void {
  this[kReader]?.activity();
}

/**
 * One undici Client (one connection: the pools use pipelining 1) that knows its socket, so the
 * read timer of the request it is writing can watch that socket's bytes: nginx's
 * proxy_read_timeout is the time between two reads, status line and headers included.
 */
export class TimedClient extends Client {
  socket: WatchedSocket | undefined;
  /** Speaks HTTP/2 (h2, h2c): trailers need the fix of h2-trailers.ts. */
  http2 = false;

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const timing = (opts as { [READ_TIMING]?: ReadTiming })[READ_TIMING];
    if (timing !== undefined && timing.readMs > 0) handler = new ReadTimeoutHandler(handler, timing, this, opts as { opaque?: unknown });
    if (this.http2) handler = keepH2Trailers(handler);
    return super.dispatch(opts, handler);
  }
}

/** The Pool `factory`: clients whose connector is {@link exactConnector} and who remember their socket. */
export function timedClientFactory(server: ServerInfo, connectMs: number): (origin: URL, opts: object) => Dispatcher {
  const connect = exactConnector(server, connectMs);
  return (origin, opts) => {
    const holder: { client?: TimedClient } = {};
    const tracked: buildConnector.connector = (options, callback) =>
      connect(options, (err: Error | null, socket: Socket | null) => {
        if (socket !== null && holder.client !== undefined) holder.client.socket = socket;
        (callback as (e: Error | null, s: Socket | null) => void)(err, socket);
      });
    holder.client = new TimedClient(origin, { ...(opts as Client.Options), connect: tracked });
    holder.client.http2 = server.http2 === true;
    return holder.client;
  };
}

const WAITING = 0;
const READING = 1;

/**
 * Wraps undici's request handler with nginx's proxy_read_timeout on a Node timer: armed once the
 * request is written, restarted by every byte from the upstream (head and body), stopped while the
 * client reads slowly (the body is paused). A streamed upload is paced by the client (its own send
 * timeout covers an upstream that does not read), so the timer starts when it was sent in full.
 * undici's headersTimeout / bodyTimeout are off for these requests.
 */
export class ReadTimeoutHandler implements LegacyHandler {
  readonly #inner: LegacyHandler;
  readonly #readMs: number;
  readonly #streamed: boolean;
  readonly #client: TimedClient;
  #socket: WatchedSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #abort: ((err?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  /**
   * What the response body calls to read on: bound once a head arrives. Not an arrow class field:
   * tsx/esbuild (keepNames) wraps such a field in a per-instance `__name(...)` defineProperty,
   * after which each request's whole object graph survived young-generation GCs (promoted, then
   * freed only by mark-compacts) whenever a read timeout was set.
   */
  #onResume: (() => void) | undefined;
  #phase = WAITING;
  #paused = false;
  #sent = false;

  /** The try (ProxyCall), told when its connection is ready: the access log's `$upstream_connect_time`. */
  readonly #target: { connected?: () => void } | undefined;

  constructor(inner: Dispatcher.DispatchHandler, timing: ReadTiming, client: TimedClient, opts?: { opaque?: unknown }) {
    this.#inner = inner;
    this.#target = opts?.opaque as { connected?: () => void } | undefined;
    this.#readMs = timing.readMs;
    this.#streamed = timing.streamed;
    this.#client = client;
  }

  /** A byte arrived on the socket this request is using. */
  activity(): void {
    if (this.#timer !== undefined) this.#timer.refresh();
  }

  onConnect(abort: (err?: Error) => void, context?: unknown): void {
    this.#abort = abort;
    this.#phase = WAITING;
    this.#sent = false;
    this.#paused = false;
    // undici is about to write this request on its client's one socket (attached its own
    // 'readable' listener already, so a 'data' listener only observes: it does not change the flow).
    const socket = this.#client.socket;
    if (socket !== undefined) {
      if (socket[kWatched] !== true) {
        socket[kWatched] = true;
        socket.on('data', onSocketData);
      }
      socket[kReader] = this;
      this.#socket = socket;
    }
    if (this.#streamed) this.#disarm();
    else this.#arm();
    this.#target?.connected?.();
    (this.#inner.onConnect as (a: (err?: Error) => void, c?: unknown) => void)(abort, context);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    if (!this.#streamed) this.#arm();
    this.#inner.onBodySent?.(chunkSize, totalBytesSent);
  }

  onRequestSent(): void {
    this.#sent = true;
    if (this.#phase === WAITING || !this.#paused) this.#arm();
    this.#inner.onRequestSent?.();
  }

  onResponseStarted(): void {
    this.#inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx heads come first and keep us waiting for the real one.
    if (statusCode >= 200) this.#phase = READING;
    this.#resume = resume;
    const more = (this.#inner.onHeaders as NonNullable<LegacyHandler['onHeaders']>)(
      statusCode,
      headers,
      this.#onResume ?? (this.#onResume = resumeReader.bind(this)),
      statusText,
    );
    this.#flow(more);
    return more;
  }

  onData(chunk: Buffer): boolean {
    const more = (this.#inner.onData as NonNullable<LegacyHandler['onData']>)(chunk);
    this.#flow(more);
    return more;
  }

  onComplete(trailers: string[] | null): void {
    this.#done();
    (this.#inner.onComplete as NonNullable<LegacyHandler['onComplete']>)(trailers);
  }

  onError(err: Error): void {
    this.#done();
    (this.#inner.onError as NonNullable<LegacyHandler['onError']>)(err);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.#done();
    this.#inner.onUpgrade?.(statusCode, headers, socket);
  }

  /** `false` from the reader: the client is the slow side; the upstream is off the clock until resume. */
  #flow(more: boolean): void {
    this.#paused = more === false;
    if (this.#paused) this.#disarm();
    else if (this.#sent || !this.#streamed) this.#arm();
  }

  /** The reader wants more: the upstream is back on the clock. */
  resumed(): void {
    this.#paused = false;
    this.#arm();
    this.#resume?.();
  }

  #done(): void {
    this.#disarm();
    const socket = this.#socket;
    if (socket !== undefined && socket[kReader] === this) socket[kReader] = undefined;
    this.#socket = undefined;
  }

  #arm(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(onReadTimeout, this.#readMs, this);
      this.#timer.unref();
    } else {
      this.#timer.refresh();
    }
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** The upstream was silent for readMs: end the request (undici destroys the socket). */
  timedOut(): void {
    this.#timer = undefined;
    const abort = this.#abort;
    if (abort === undefined) return;
    abort(this.#phase === WAITING ? new errors.HeadersTimeoutError() : new errors.BodyTimeoutError());
  }
}

/** The body's resume, bound to its handler. */
function resumeReader(this: ReadTimeoutHandler): void {
  this.resumed();
}

/** One shared timer callback (no closure per request). */
function onReadTimeout(handler: ReadTimeoutHandler): void {
  handler.timedOut();
}
