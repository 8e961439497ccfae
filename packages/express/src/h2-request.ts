/** @module The upstream request of one try as a stream on the server's HTTP/2 session: the request headers mapped to HTTP/2, and the stream made to look like the ClientRequest/IncomingMessage pair the exchange drives (upstream-call.ts). */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import { Writable } from 'node:stream';
import { filterResponseHeaders, type ServerInfo } from '@switchyard/core';
import type { UpstreamAnswer, UpstreamCall } from './upstream-call.js';

/** Connection-specific headers an HTTP/2 message must not carry (RFC 9113 8.2.2); Node refuses to send them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host']);

/**
 * The core's upstream headers as an HTTP/2 header block: `:authority` is the Host the core chose
 * (the server's, or what `proxySetHeader`/`rewriteRequest` set), `te` only as `trailers`.
 */
export function toH2Headers(headers: OutgoingHttpHeaders, method: string, path: string, server: ServerInfo): OutgoingHttpHeaders {
  const host = headers.host;
  const out: OutgoingHttpHeaders = {
    ':method': method,
    ':scheme': server.protocol === 'https:' ? 'https' : 'http',
    ':authority': typeof host === 'string' && host !== '' ? host : server.host,
    ':path': path === '' ? '/' : path,
  };
  for (const name in headers) {
    // Names from `headers` or a hook may keep their case; HTTP/2 sends them lower-cased anyway.
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower) || lower.charCodeAt(0) === 58 /* ':' */) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (lower === 'te' && String(value).toLowerCase() !== 'trailers') continue;
    out[lower] = value;
  }
  return out;
}

/** Response or trailer headers without HTTP/2 pseudo-headers (`:status`), which an HTTP/1.1 response cannot carry. */
function withoutPseudo(headers: H2Headers): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) if (name.charCodeAt(0) !== 58) (out as Record<string, unknown>)[name] = headers[name];
  return out;
}

function streamClosedError(rstCode: number): Error {
  return Object.assign(new Error(`upstream HTTP/2 stream closed before a response (RST_STREAM code ${rstCode})`), { code: 'ERR_HTTP2_STREAM_ERROR' });
}

/** The answer on an HTTP/2 stream: its body is the stream itself, its trailers go to the client's response. */
class H2Answer implements UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly #stream: ClientHttp2Stream;

  constructor(stream: ClientHttp2Stream, headers: H2Headers) {
    this.#stream = stream;
    this.statusCode = Number(headers[':status']);
    this.headers = withoutPseudo(headers);
  }

  get complete(): boolean {
    return this.#stream.readableEnded;
  }

  pipe(destination: ServerResponse): unknown {
    // Trailers arrive before the end of the body: set on the response before the pipe ends it.
    // Node writes them only in a chunked HTTP/1.1 response; with a known length they are dropped.
    this.#stream.once('trailers', (trailers: H2Headers) => {
      try {
        destination.addTrailers(filterResponseHeaders(withoutPseudo(trailers)));
      } catch {
        // A trailer Node refuses to write: the body still goes through, without trailers.
      }
    });
    return this.#stream.pipe(destination);
  }

  resume(): this {
    this.#stream.resume();
    return this;
  }

  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: string, listener: (err: Error) => void): this {
    this.#stream.on(event, listener);
    return this;
  }
}

/**
 * One try's stream. A Writable in front of the stream so the exchange writes, pipes and destroys
 * it as it does a ClientRequest; 'socket' hands over the stream, which owns the per-stream idle
 * timer (node:http2 restarts it on every frame of that stream), and 'ready' on it is the connect.
 */
export class H2Call extends Writable implements UpstreamCall {
  readonly reusedSocket: boolean;
  readonly #session: ClientHttp2Session;
  readonly #stream: ClientHttp2Stream;
  #answered = false;

  /** Throws synchronously, as ClientRequest does, for a header Node refuses to send. */
  constructor(session: ClientHttp2Session, headers: OutgoingHttpHeaders, bodyless: boolean) {
    // autoDestroy off: an upstream error after the request was written must still be emitted.
    super({ autoDestroy: false, emitClose: true });
    this.#session = session;
    this.reusedSocket = !session.connecting;
    const stream = session.request(headers, { endStream: bodyless });
    this.#stream = stream;
    stream.on('response', (head: H2Headers) => {
      this.#answered = true;
      this.emit('response', new H2Answer(stream, head));
    });
    stream.on('error', (err: Error) => this.destroy(err));
    stream.on('close', () => {
      // Closed without an answer and without an error (RST_STREAM NO_ERROR, a GOAWAY that refused it).
      if (!this.#answered && !this.destroyed) this.destroy(streamClosedError(stream.rstCode ?? 0));
    });
    process.nextTick(() => {
      if (!this.destroyed) this.emit('socket', stream);
    });
  }

  /**
   * The server refused the stream (RST_STREAM REFUSED_STREAM, or a GOAWAY below its id): RFC 9113
   * 8.7 guarantees it did no processing, so the request counts as not sent.
   */
  get refused(): boolean {
    return this.#stream.rstCode === constants.NGHTTP2_REFUSED_STREAM;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#stream.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#stream.writableEnded) this.#stream.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const stream = this.#stream;
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    // A connect that timed out: the session is not used by the next try either (as a socket would not
    // be); tries waiting on the same session end with the same timeout.
    if (error !== null && this.#session.connecting && (error as { code?: string }).code === 'ETIMEDOUT') this.#session.destroy(error);
    callback(error);
  }
}
