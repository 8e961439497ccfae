/** @module The access log on Fastify: the request's upstream facts join Fastify's own "request completed" line (one line per request). */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { compileLogFormat, createRequestFacts, finishRequestFacts, type AccessLogFormat, type RequestFacts, type ResolvedAccessLog } from '@switchyard/core';

/** How the request facts are made and logged on Fastify (made only while `sy.wantsFacts()`). */
export interface FastifyAccessLog {
  /** Undefined when only tracing is on. */
  readonly format: AccessLogFormat | undefined;
  /** Fastify logs no "request completed" line (`disableRequestLogging: true`): write one of our own. */
  readonly ownLine: boolean;
  readonly tracing: boolean;
}

/** `accessLog: true` on Fastify: the `json` fields, since Fastify's line is JSON already. */
export function fastifyAccessLog(config: ResolvedAccessLog | undefined, disableRequestLogging: unknown, tracing = false): FastifyAccessLog {
  return { format: config === undefined ? undefined : (config.format ?? compileLogFormat('json')), ownLine: disableRequestLogging === true, tracing };
}

type RawResponse = ServerResponse & { _header?: string | null };
type Fields = Record<string, string | number>;

/** A message first (`log.info('text', ...)`) or an object first (`log.info({ res }, 'request completed')`): the fields join either. */
function withFields(fields: Fields, args: unknown[]): unknown[] {
  const first = args[0];
  if (typeof first === 'object' && first !== null && !(first instanceof Error)) return [{ ...fields, ...first }, ...args.slice(1)];
  return [fields, ...args];
}

type Levels = Record<'info' | 'error' | 'warn' | 'fatal' | 'debug' | 'trace' | 'silent', (...args: unknown[]) => void>;

/**
 * For a logger without pino's `setBindings`: the reply's logger for the rest of the response, the
 * same logger with the access log fields added to what it writes (Fastify's "request completed" line).
 */
class FieldsLogger {
  readonly #inner: FastifyBaseLogger;
  /** The same logger, seen through variadic signatures (pino's are overloaded). */
  readonly #levels: Levels;
  readonly #fields: Fields;

  constructor(inner: FastifyBaseLogger, fields: Fields) {
    this.#inner = inner;
    this.#levels = inner;
    this.#fields = fields;
  }

  get level(): string {
    return this.#inner.level;
  }

  set level(level: string) {
    this.#inner.level = level;
  }

  info(...args: unknown[]): void {
    this.#levels.info(...withFields(this.#fields, args));
  }

  error(...args: unknown[]): void {
    this.#levels.error(...withFields(this.#fields, args));
  }

  warn(...args: unknown[]): void {
    this.#levels.warn(...withFields(this.#fields, args));
  }

  fatal(...args: unknown[]): void {
    this.#levels.fatal(...withFields(this.#fields, args));
  }

  debug(...args: unknown[]): void {
    this.#levels.debug(...withFields(this.#fields, args));
  }

  trace(...args: unknown[]): void {
    this.#levels.trace(...withFields(this.#fields, args));
  }

  silent(...args: unknown[]): void {
    this.#levels.silent(...args);
  }

  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    return this.#inner.child({ ...this.#fields, ...bindings }, options);
  }
}

/**
 * What went on the socket for this response: all of it (nginx `$bytes_sent`) and after the head
 * (`$body_bytes_sent`, chunk framing included). Exact on HTTP/1.x, where a connection carries one
 * response at a time: the socket's byte count since the request began, and the head as Node serialised it.
 */
function sentBytes(raw: RawResponse, socket: { readonly bytesWritten: number } | null, socketStart: number): { total: number; body: number } {
  if (socket === null) return { total: 0, body: 0 };
  const total = Math.max(0, socket.bytesWritten - socketStart);
  const head = typeof raw._header === 'string' ? Buffer.byteLength(raw._header, 'latin1') : 0;
  return { total, body: Math.max(0, total - head) };
}

/**
 * Facts for this request, written when its response finishes. The listener runs before Fastify's
 * own (prepended), so that the logger it puts on the reply is the one Fastify's "request
 * completed" line is written with.
 */
export function logRequest(log: FastifyAccessLog, request: FastifyRequest, reply: FastifyReply): RequestFacts {
  const raw = request.raw;
  const facts = createRequestFacts(
    { method: raw.method, url: raw.url, httpVersion: raw.httpVersion, remoteAddr: raw.socket.remoteAddress, headers: raw.headers },
    performance.now() - reply.elapsedTime,
    undefined,
    { tracing: log.tracing },
  );
  const res = reply.raw as RawResponse;
  // Node detaches the socket from the response when it finishes: keep it.
  const socket = res.socket;
  const socketStart = socket?.bytesWritten ?? 0;
  let done = false;
  const write = (cut: boolean): void => {
    if (done) return;
    done = true;
    res.off('finish', finished);
    res.off('close', closed);
    // nginx logs a request whose client went away first as 499.
    const sent = sentBytes(res, socket, socketStart);
    finishRequestFacts(facts, cut ? 499 : res.statusCode, sent.body, performance.now(), sent.total);
    const format = log.format;
    if (format === undefined) return;
    const ctx = { facts, sent: (name: string) => res.getHeader(name) };
    const fields = format.fields !== undefined ? format.fields(ctx) : { access: format.line(ctx) };
    if (log.ownLine || cut) reply.log.info(fields, cut ? 'request cut' : 'request completed');
    else {
      // pino's setBindings adds the fields to the request's own child logger (Fastify makes one per
      // request) in place: nearly free, where a new logger on the reply cost 5-20 µs per request.
      const logger = reply.log as FastifyBaseLogger & { setBindings?: (bindings: Fields) => void };
      if (typeof logger.setBindings === 'function') logger.setBindings(fields);
      else reply.log = new FieldsLogger(reply.log, fields);
    }
  };
  const finished = (): void => write(false);
  const closed = (): void => write(!res.writableFinished);
  res.prependListener('finish', finished);
  // A response cut before it finished gets a line too (Fastify writes none for it).
  res.on('close', closed);
  return facts;
}
