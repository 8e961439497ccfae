/** @module The access log on Express: one line per proxied request to the given destination, and the facts for morgan / pino-http users (`res.locals.switchyard`, tokens). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  compileLogFormat,
  createRequestFacts,
  finishRequestFacts,
  VARIABLE_NAMES,
  type AccessLogFormat,
  type RequestFacts,
  type ResolvedAccessLog,
  type SwitchyardLogger,
} from '@switchyard/core';

/** Where Express access log lines go: a function, or a stream (`fs.createWriteStream`, `pino.destination()`), written asynchronously. */
export type AccessLogDestination = ((line: string) => void) | { write(line: string): unknown };

/** How the request facts are made and logged on Express (made only while `sy.wantsFacts()`). */
export interface ExpressAccessLog {
  readonly format: AccessLogFormat;
  readonly tracing: boolean;
  /** Undefined with the destination `false`: no line, the facts only. */
  readonly write: ((line: string) => void) | undefined;
}

/** `accessLog: true` on Express: the `upstream` format (nginx's combined plus the upstream variables). */
export function expressAccessLog(
  config: ResolvedAccessLog | undefined,
  destination: AccessLogDestination | false | undefined,
  logger: SwitchyardLogger | undefined,
  tracing = false,
): ExpressAccessLog {
  const format = config?.format ?? compileLogFormat('upstream');
  let write: ((line: string) => void) | undefined;
  if (destination === false || config === undefined) write = undefined;
  else if (typeof destination === 'function') write = destination;
  else if (destination !== undefined) write = (line) => void destination.write(`${line}\n`);
  else if (logger !== undefined) write = (line) => logger.info(line);
  else write = (line) => void process.stdout.write(`${line}\n`);
  return { format, write, tracing };
}

const factsOf = new WeakMap<ServerResponse, RequestFacts>();

type RawResponse = ServerResponse & { _header?: string | null; locals?: Record<string, unknown> };

/** The response's socket and its byte count when the exchange began (Node detaches the socket before user 'finish' listeners run). */
interface SocketMark {
  readonly socket: { readonly bytesWritten: number } | null;
  readonly start: number;
}

/**
 * What went on the socket for this response: all of it (nginx `$bytes_sent`) and after the head
 * (`$body_bytes_sent`, chunk framing included). Exact on HTTP/1.x, where a connection carries one
 * response at a time: the socket's byte count since the exchange began, and the head as Node serialised it.
 */
function sentBytes(res: RawResponse, mark: SocketMark | undefined): { total: number; body: number } {
  const socket = mark?.socket;
  if (mark === undefined || socket === null || socket === undefined) return { total: 0, body: 0 };
  const total = Math.max(0, socket.bytesWritten - mark.start);
  const head = typeof res._header === 'string' ? Buffer.byteLength(res._header, 'latin1') : 0;
  return { total, body: Math.max(0, total - head) };
}

/** Closes the facts once (the first of: our own 'finish'/'close', or a morgan / pino-http read at 'finish'). */
function close(res: RawResponse, facts: RequestFacts, mark: SocketMark | undefined): void {
  const sent = sentBytes(res, mark);
  finishRequestFacts(facts, res.writableFinished ? res.statusCode : 499, sent.body, performance.now(), sent.total);
}

const marks = new WeakMap<RequestFacts, SocketMark>();

/** Facts for this exchange, written as one line when its response ends (or is cut: status 499, as nginx). */
export function logExchange(log: ExpressAccessLog, req: IncomingMessage, res: ServerResponse): RequestFacts {
  const raw = res as RawResponse;
  const facts = createRequestFacts(
    {
      method: req.method,
      url: (req as { originalUrl?: string }).originalUrl ?? req.url,
      httpVersion: req.httpVersion,
      remoteAddr: req.socket.remoteAddress,
      headers: req.headers,
    },
    undefined,
    undefined,
    { tracing: log.tracing },
  );
  const socket = res.socket;
  const mark: SocketMark = { socket, start: socket?.bytesWritten ?? 0 };
  marks.set(facts, mark);
  factsOf.set(res, facts);
  // Express gives every response a `locals` object: the documented place for the facts.
  if (typeof raw.locals === 'object' && raw.locals !== null) raw.locals.switchyard = facts;
  let done = false;
  const end = (): void => {
    if (done) return;
    done = true;
    res.off('finish', end);
    res.off('close', end);
    close(raw, facts, mark);
    const write = log.write;
    if (write === undefined) return;
    try {
      write(log.format.line({ facts, sent: (name) => res.getHeader(name) }));
    } catch {
      // A throwing destination never reaches the request path.
    }
  };
  res.on('finish', end);
  res.on('close', end);
  return facts;
}

/** The facts of a proxied response (also `res.locals.switchyard` on Express); undefined when the access log is off or the request was not proxied. */
export function requestFacts(res: ServerResponse): RequestFacts | undefined {
  return factsOf.get(res);
}

/**
 * The `json` access log fields of a proxied response, for pino-http's `customProps` (called when
 * the response finishes) or any logger; undefined when the request was not proxied.
 *
 * @example
 * app.use(pinoHttp({ customProps: (req, res) => accessLogFields(res) ?? {} }))
 */
export function accessLogFields(res: ServerResponse): Record<string, string | number> | undefined {
  const facts = factsOf.get(res);
  if (facts === undefined) return undefined;
  if (res.writableFinished) close(res, facts, marks.get(facts));
  return jsonFormat().fields?.({ facts, sent: (name) => res.getHeader(name) });
}

let json: AccessLogFormat | undefined;
function jsonFormat(): AccessLogFormat {
  return (json ??= compileLogFormat('json'));
}

/** What `morganTokens` needs of morgan: its `token(name, fn)`. */
export interface MorganLike {
  token(name: string, fn: (req: IncomingMessage, res: ServerResponse) => string | undefined): unknown;
}

/**
 * Registers the upstream variables as morgan tokens (`:upstream_addr`, `:upstream_status`,
 * `:upstream_response_time`, ... every name of the access log's variables that morgan does not
 * have), so a morgan format can carry them.
 *
 * @example
 * morganTokens(morgan)
 * app.use(morgan(':method :url :status :upstream_addr :upstream_status :upstream_response_time'))
 */
export function morganTokens(morgan: MorganLike): void {
  for (const name of VARIABLE_NAMES) {
    if (!name.startsWith('upstream_')) continue;
    const format = compileLogFormat(`$${name}`, 'none');
    morgan.token(name, (_req, res) => {
      const facts = factsOf.get(res);
      if (facts === undefined) return undefined;
      if (res.writableFinished) close(res, facts, marks.get(facts));
      const value = format.line({ facts });
      return value === '-' ? undefined : value;
    });
  }
}
