/** @module Building the per-request facts: created by an adapter for a request that records them, filled by the core's tries, closed by the adapter when the response ends. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Attempt, FailureKind, Location, Outcome, ServerInfo } from '../types.js';
import type { RequestFacts, TryFacts } from './facts-types.js';
import { startRequestTrace, type RequestTrace, type SetLateHeader } from '../tracing/request-trace.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The writable form of one try (users see `TryFacts`). */
export type TryRecord = Mutable<TryFacts>;

/** What an adapter knows of the client's request. */
export interface FactsRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly httpVersion: string | undefined;
  readonly remoteAddr: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

function clientAddr(addr: string | undefined): string {
  if (addr === undefined) return '-';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/**
 * The facts of one request as the core and the adapters fill them. Bookkeeping stays in private
 * fields, so that a user who logs or serialises the facts sees exactly the documented shape.
 */
export class FactsRecord implements RequestFacts {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly remoteAddr: string;
  readonly headers: IncomingHttpHeaders;
  readonly startedAt: number;
  location: string | undefined = undefined;
  upstream: string | undefined = undefined;
  readonly tries: TryRecord[] = [];
  status = 0;
  bodyBytesSent = 0;
  bytesSent = 0;
  requestMs: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  /** performance.now() at arrival, for `requestMs`. */
  readonly #startMs: number;
  /** performance.now() when each try was made: the end of a try still streaming when the response finished. */
  readonly #tryStarts: number[] = [];
  #groups = 0;
  #onFinish: ((facts: RequestFacts) => void) | undefined = undefined;
  /** OpenTelemetry spans of this request (`tracing: true`), else undefined. */
  readonly #trace: RequestTrace | undefined;

  constructor(request: FactsRequest, startMs: number, startedAt: number, trace: RequestTrace | undefined) {
    this.method = request.method ?? 'GET';
    this.url = request.url ?? '/';
    this.httpVersion = request.httpVersion ?? '1.1';
    this.remoteAddr = clientAddr(request.remoteAddr);
    this.headers = request.headers;
    this.startedAt = startedAt;
    this.#startMs = startMs;
    this.#trace = trace;
  }

  /** A getter, not a field: the facts serialise to their documented shape. */
  get trace(): RequestTrace | undefined {
    return this.#trace;
  }

  /** A forwarding starts: a new upstream group (nginx's ` : ` between groups). */
  beginGroup(location: Location, upstream: string): number {
    this.location = location.key;
    this.upstream = upstream;
    return this.#groups++;
  }

  addTry(group: number, upstream: string, server: ServerInfo, sticky: 'hit' | 'miss' | undefined): TryRecord {
    const record: TryRecord = {
      server: server.url,
      addr: upstreamAddr(server),
      name: server.name,
      upstream,
      status: undefined,
      failure: undefined,
      aborted: false,
      connectMs: undefined,
      headerMs: undefined,
      totalMs: undefined,
      retried: false,
      sticky,
      group,
    };
    this.tries.push(record);
    this.#tryStarts.push(performance.now());
    noteTracedTry(this, record);
    return record;
  }

  /** No server was live: nginx records the upstream's name with a 502 (`$upstream_addr` = `backend`). */
  addNoLiveTry(group: number, upstream: string): void {
    this.tries.push({
      server: upstream,
      addr: upstream,
      name: undefined,
      upstream,
      status: 502,
      failure: undefined,
      aborted: false,
      connectMs: undefined,
      headerMs: 0,
      totalMs: 0,
      retried: false,
      sticky: undefined,
      group,
    });
    this.#tryStarts.push(performance.now());
  }

  finish(status: number, bodyBytesSent: number, now: number, bytesSent: number): void {
    if (this.endedAt !== undefined) return;
    this.status = status;
    this.bodyBytesSent = bodyBytesSent;
    this.bytesSent = bytesSent;
    this.requestMs = Math.max(0, now - this.#startMs);
    this.endedAt = Date.now();
    // The last try may still be reading the end of its body (released when the response closes).
    const tries = this.tries;
    for (let i = 0; i < tries.length; i++) {
      const t = tries[i] as TryRecord;
      if (t.totalMs === undefined && !t.aborted) t.totalMs = Math.max(0, now - (this.#tryStarts[i] ?? now));
    }
    this.trace?.finish(this);
    this.#onFinish?.(this);
  }

  /** Called once when the response ends (the instance's `request` event). */
  onFinish(listener: (facts: RequestFacts) => void): void {
    this.#onFinish = listener;
  }

  /** The try is being sent: with tracing, its client span starts and `traceparent` goes into `headers` (with `late`, at {@link sendTry}). */
  sendingTry(record: TryRecord, headers: Record<string, unknown>, late: boolean): void {
    const trace = this.trace;
    if (trace === undefined) return;
    const index = this.tries.indexOf(record);
    if (index !== -1) trace.startTry(index, this.method, this.tries, headers, late);
  }

  /** The try is handed to the HTTP client: `send()` runs in the try's OpenTelemetry context. */
  sendTry<T>(record: TryRecord, send: () => T, setHeader: SetLateHeader<T> | undefined): T {
    const trace = this.trace;
    const index = this.tries.indexOf(record);
    return trace === undefined || index === -1 ? send() : trace.send(index, send, setHeader);
  }
}

/**
 * A new facts object for a request about to be proxied. Adapters call it only when something
 * reads the facts (an access log, tracing), and hand it to `sy.forward` in `ForwardOptions.facts`.
 */
export function createRequestFacts(
  request: FactsRequest,
  startMs: number = performance.now(),
  startedAt: number = Date.now(),
  options: { tracing?: boolean } = {},
): RequestFacts {
  return new FactsRecord(request, startMs, startedAt, options.tracing === true ? startRequestTrace() : undefined);
}

/** Which facts each try belongs to, only for traced requests (the adapters hand in the try, not the facts). */
const tracedTries = new WeakMap<TryRecord, FactsRecord>();

/** Remember the owner of a try of a traced request (called by the core when it makes the try). */
export function noteTracedTry(facts: FactsRecord, record: TryRecord): void {
  if (facts.trace !== undefined) tracedTries.set(record, facts);
}

/**
 * An adapter is about to send `attempt` with these upstream request headers: with `tracing`, the
 * try's client span starts and `traceparent` (and `tracestate`) are added. Nothing otherwise.
 * With `late` (an instrumentation of the adapter's HTTP client may make the client span), the
 * span is decided when the adapter sends the try through {@link sendTry}.
 */
export function traceTry(attempt: Attempt, headers: Record<string, unknown>, late = false): void {
  const record = attempt.facts;
  if (record === undefined) return;
  tracedTries.get(record)?.sendingTry(record, headers, late);
}

/**
 * An adapter sends `attempt`: `send()` makes the upstream request, and returns it. With tracing,
 * it runs in the try's OpenTelemetry context (a child of the request's), and for a try traced
 * `late` the client span that the app's auto-instrumentation of the HTTP client makes in there
 * becomes the try's span, with switchyard's attributes and no span of switchyard's own; when none
 * is made, switchyard's span starts and its `traceparent` is written with `setHeader` on the
 * request `send()` returned (whose head must not be written yet). `send()` as is otherwise.
 */
export function sendTry<T>(attempt: Attempt, send: () => T, setHeader?: SetLateHeader<T>): T {
  const record = attempt.facts;
  const facts = record === undefined ? undefined : tracedTries.get(record);
  return facts === undefined ? send() : facts.sendTry(record as TryRecord, send, setHeader);
}

/** Facts made by createRequestFacts; anything else handed in as facts is ignored. */
export function factsRecord(facts: RequestFacts | undefined): FactsRecord | undefined {
  return facts instanceof FactsRecord ? facts : undefined;
}

/** nginx's `$upstream_addr` spelling of a server: `host:port`, `[v6]:port`, `unix:/path`. */
export function upstreamAddr(server: ServerInfo): string {
  if (server.socketPath !== undefined) return `unix:${server.socketPath}`;
  return server.hostname.includes(':') ? `[${server.hostname}]:${server.port}` : `${server.hostname}:${server.port}`;
}

const FAILED_STATUS: Record<FailureKind, number> = { error: 502, timeout: 504, invalid_header: 502 };

export function tryResponded(record: TryRecord, status: number, headerMs: number): void {
  record.status = status;
  record.headerMs = headerMs;
}

export function tryEnded(record: TryRecord, outcome: Outcome): void {
  if (outcome.headerMs !== undefined) record.headerMs = outcome.headerMs;
  // A response given up at its head (retried on its status) lasted until then.
  record.totalMs = outcome.totalMs ?? outcome.headerMs ?? record.totalMs;
  if (outcome.failure !== undefined) {
    record.failure = outcome.failure;
    // A failed try after its head arrived keeps the status it answered (nginx keeps it too).
    if (record.status === undefined) record.status = FAILED_STATUS[outcome.failure];
  } else if (outcome.aborted === true) {
    record.aborted = true;
  } else {
    record.status = outcome.status;
  }
}

/**
 * An adapter saw the try's connection ready to write on (`connectMs` from the start of the try;
 * 0 for a reused keep-alive connection). Costs nothing for a request that records no facts.
 */
export function recordConnect(attempt: Attempt, connectMs: number): void {
  // The core's own tries carry a TryRecord: the public type is the same object, read-only.
  const record: TryRecord | undefined = attempt.facts;
  if (record !== undefined && record.connectMs === undefined) record.connectMs = connectMs;
}

/**
 * The response ended (or was cut): the final status, the body bytes sent, the request time and
 * every byte sent with the head (`bytesSent`, nginx `$bytes_sent`; the body bytes when not given).
 * Only the first call counts.
 */
export function finishRequestFacts(
  facts: RequestFacts,
  status: number,
  bodyBytesSent: number,
  now: number = performance.now(),
  bytesSent: number = bodyBytesSent,
): void {
  factsRecord(facts)?.finish(status, bodyBytesSent, now, bytesSent);
}
