/** @module Request bodies for proxying: small ones held for retries, large ones streamed through a per-try wrapper that knows whether a byte was sent. */
import { Readable, Stream } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { UpstreamTransportError } from '@switchyard/core';

/** Bodies up to this size are held in memory so a retry can resend them (DESIGN.md "Bodies"). */
export const MAX_HELD_BODY = 64 * 1024;

/** What is sent upstream: nothing, bytes that can be resent, or a stream that can be read once. */
export type ProxyBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly data: Buffer; readonly contentType: string | undefined }
  | { readonly kind: 'stream'; readonly source: Readable };

export const NO_BODY: ProxyBody = { kind: 'none' };

type ParserDone = (err: Error | null, body?: unknown) => void;

/**
 * The catch-all content-type parser of the proxy's own encapsulated context: a body with a
 * Content-Length up to 64 KiB is read into a Buffer (replayable); anything larger or chunked is
 * handed over unread as the raw stream, so uploads of any size pass without Fastify's bodyLimit
 * and without being held in memory.
 */
export function proxyBodyParser(request: { headers: IncomingMessage['headers'] }, payload: IncomingMessage, done: ParserDone): void {
  const header = request.headers['content-length'];
  const length = header === undefined ? NaN : Number(header);
  if (header === undefined && payload.httpVersionMajor === 2) {
    holdIfArrived(payload, done);
    return;
  }
  if (!(length <= MAX_HELD_BODY)) {
    done(null, payload);
    return;
  }
  const chunks: Buffer[] = [];
  payload.on('data', (chunk: Buffer) => chunks.push(chunk));
  payload.once('end', () => done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  payload.once('error', (err) => done(err));
}

/**
 * An HTTP/2 request body has no Content-Length as a rule (gRPC never sends one), so its size is
 * unknown. When it has already arrived whole (a unary gRPC call: one DATA frame with END_STREAM)
 * and is at most 64 KiB, it is held like a small body with a length, so a retry can resend it;
 * otherwise it streams from where it is after one turn of the event loop, its first bytes put back
 * (a client-streaming call that waits for an answer is never kept waiting for its own end).
 */
function holdIfArrived(payload: IncomingMessage, done: ParserDone): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const cleanup = (): void => {
    clearImmediate(turn);
    payload.off('data', onData);
    payload.off('end', onEnd);
    payload.off('error', onError);
  };
  const stream = (): void => {
    cleanup();
    payload.pause();
    if (chunks.length > 0) payload.unshift(Buffer.concat(chunks));
    done(null, payload);
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_HELD_BODY) stream();
  };
  const onEnd = (): void => {
    cleanup();
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  };
  const onError = (err: Error): void => {
    cleanup();
    done(err);
  };
  const turn = setImmediate(stream);
  payload.on('data', onData);
  payload.once('end', onEnd);
  payload.once('error', onError);
}

/**
 * The body of a request Fastify did not parse: Fastify 5 runs no content-type parser for its
 * bodyless methods (GET, HEAD, TRACE), so `request.body` is undefined even when the client sent
 * one (Elasticsearch-style `GET _search`). Read from the raw request as `proxyBodyParser` would:
 * up to 64 KiB with a Content-Length into a Buffer (replayable), anything larger or chunked as the
 * unread stream. `undefined` when the request carries no body at all.
 */
export function unparsedBody(raw: IncomingMessage): ProxyBody | Promise<ProxyBody> | undefined {
  const headers = raw.headers;
  const header = headers['content-length'];
  const length = header === undefined ? NaN : Number(header);
  if (headers['transfer-encoding'] === undefined && !(length > 0)) return undefined;
  // Already consumed by someone else (an app hook or parser): nothing left to forward.
  if (raw.readableEnded || raw.readableDidRead) return undefined;
  const contentType = headers['content-type'];
  if (!(length <= MAX_HELD_BODY)) return { kind: 'stream', source: raw };
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ kind: 'buffer', data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), contentType });
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      if (!raw.readableEnded) onError(new Error('client closed the request body'));
    };
    function cleanup(): void {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('close', onClose);
    }
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('error', onError);
    raw.once('close', onClose);
  });
}

/**
 * What to send upstream for `request`: the bytes the client sent when they were caught (`sent`,
 * teed while the app's parser read them), else the body Fastify parsed, or, when it parsed none,
 * whatever the raw request still carries (a GET body). A Promise when a small raw body has to be
 * read first. `onReserialised` hears of a parsed object sent as JSON instead of the client's bytes.
 */
export function requestBody<R extends { body: unknown; raw: IncomingMessage }>(
  request: R,
  sent?: Buffer,
  onReserialised?: (request: R) => void,
): ProxyBody | Promise<ProxyBody> {
  const body = request.body;
  if (body === undefined) return unparsedBody(request.raw) ?? NO_BODY;
  const contentType = request.raw.headers['content-type'];
  if (sent !== undefined && !(body instanceof Stream)) return { kind: 'buffer', data: sent, contentType };
  if (onReserialised !== undefined && !Buffer.isBuffer(body) && !(body instanceof Stream) && typeof body !== 'string') onReserialised(request);
  return bodyFromParsed(body, contentType);
}

/** A raw request stream handed over by the parser is forwarded as a stream; everything else was read. */
export function bodyFromParsed(body: unknown, contentType: string | undefined): ProxyBody {
  if (body === undefined) return NO_BODY;
  if (Buffer.isBuffer(body)) return { kind: 'buffer', data: body, contentType };
  if (body instanceof Stream) return { kind: 'stream', source: body as Readable };
  if (typeof body === 'string') return { kind: 'buffer', data: Buffer.from(body), contentType };
  // Parsed by the app (JSON, or a form parser producing an object) and its bytes not caught: re-serialised as JSON.
  const json = Buffer.from(JSON.stringify(body));
  const isJson = contentType !== undefined && contentType.toLowerCase().includes('json');
  return { kind: 'buffer', data: json, contentType: isJson ? contentType : 'application/json' };
}

/** Set by TryBody when the upstream connection starts reading the body. */
export interface BodyProgress {
  bodyStarted: boolean;
}

/**
 * A one-try view of the client's body stream. Nothing is taken from the source until undici
 * reads (which it only does once connected and the head is written), so a try that failed
 * before that leaves the source untouched for the next try. `sendMs` is nginx's
 * proxy_send_timeout: how long the upstream may leave a pending write unread.
 */
export class TryBody extends Readable {
  readonly #source: Readable;
  readonly #progress: BodyProgress;
  readonly #sendMs: number;
  #attached = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(source: Readable, progress: BodyProgress, sendMs: number) {
    super();
    this.#source = source;
    this.#progress = progress;
    this.#sendMs = sendMs;
  }

  override _read(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#attached) {
      this.#attached = true;
      this.#progress.bodyStarted = true;
      const source = this.#source;
      if (source.readableEnded) {
        this.push(null);
        return;
      }
      source.on('data', this.#onData);
      source.once('end', this.#onEnd);
      source.once('error', this.#onError);
      source.once('close', this.#onClose);
    }
    this.#source.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#detach();
    callback(err);
  }

  #detach(): void {
    if (!this.#attached) return;
    const source = this.#source;
    source.off('data', this.#onData);
    source.off('end', this.#onEnd);
    source.off('error', this.#onError);
    source.off('close', this.#onClose);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) {
      this.#source.pause();
      if (this.#sendMs > 0 && this.#timer === undefined) {
        this.#timer = setTimeout(this.#onSendTimeout, this.#sendMs);
      }
    }
  };

  readonly #onEnd = (): void => {
    this.#detach();
    this.push(null);
  };

  readonly #onError = (err: Error): void => {
    this.destroy(err);
  };

  readonly #onClose = (): void => {
    // The client went away mid-upload: the upstream request cannot complete.
    if (!this.#source.readableEnded) this.destroy(new Error('client closed the request body'));
  };

  readonly #onSendTimeout = (): void => {
    this.#timer = undefined;
    this.destroy(new UpstreamTransportError('SWITCHYARD_UPSTREAM_TIMEOUT', 'upstream send timed out'));
  };
}
