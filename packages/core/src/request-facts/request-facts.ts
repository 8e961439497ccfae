/** @module Building the per-request facts: created by an adapter for a request that records them, filled by the core's tries, closed by the adapter when the response ends. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Attempt, FailureKind, Location, Outcome, ServerInfo } from '../types.js';
import type { RequestFacts, TryFacts } from './facts-types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The writable form the core and the adapters fill (users see `RequestFacts`). */
export interface FactsRecord extends Mutable<Omit<RequestFacts, 'tries'>> {
  tries: TryRecord[];
  /** Upstream groups started so far (one per forwarding). */
  groups: number;
  /** performance.now() at arrival, for `requestMs`. */
  readonly startMs: number;
}

export type TryRecord = Mutable<TryFacts> & {
  /** performance.now() when the try was made: the end of a try still streaming when the response finished. */
  startMs?: number;
};

/** Facts records are only made here: anything else handed in as facts is ignored. */
const records = new WeakSet<object>();

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
 * A new facts object for a request about to be proxied. Adapters call it only when something
 * reads the facts (an access log, tracing), and hand it to `sy.forward` in `ForwardOptions.facts`.
 */
export function createRequestFacts(request: FactsRequest, startMs: number = performance.now(), startedAt: number = Date.now()): RequestFacts {
  const facts: FactsRecord = {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    httpVersion: request.httpVersion ?? '1.1',
    remoteAddr: clientAddr(request.remoteAddr),
    headers: request.headers,
    startedAt,
    startMs,
    location: undefined,
    upstream: undefined,
    tries: [],
    groups: 0,
    status: 0,
    bodyBytesSent: 0,
    requestMs: undefined,
    endedAt: undefined,
  };
  records.add(facts);
  return facts;
}

export function factsRecord(facts: RequestFacts | undefined): FactsRecord | undefined {
  return facts !== undefined && records.has(facts) ? (facts as unknown as FactsRecord) : undefined;
}

/** nginx's `$upstream_addr` spelling of a server: `host:port`, `[v6]:port`, `unix:/path`. */
export function upstreamAddr(server: ServerInfo): string {
  if (server.socketPath !== undefined) return `unix:${server.socketPath}`;
  return server.hostname.includes(':') ? `[${server.hostname}]:${server.port}` : `${server.hostname}:${server.port}`;
}

/** A forwarding starts: a new upstream group (nginx's ` : ` between groups). */
export function beginGroup(facts: FactsRecord, location: Location, upstream: string): number {
  facts.location = location.key;
  facts.upstream = upstream;
  return facts.groups++;
}

export function addTry(facts: FactsRecord, group: number, upstream: string, server: ServerInfo, sticky: 'hit' | 'miss' | undefined): TryRecord {
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
  // Not enumerable: the facts stay the documented shape when a user logs or serialises them.
  Object.defineProperty(record, 'startMs', { value: performance.now(), writable: true });
  facts.tries.push(record);
  return record;
}

/** No server was live: nginx records the upstream's name with a 502 (`$upstream_addr` = `backend`). */
export function addNoLiveTry(facts: FactsRecord, group: number, upstream: string): void {
  facts.tries.push({
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

/** The try's facts, when its request records them. */
function tryRecordOf(attempt: Attempt): TryRecord | undefined {
  return (attempt as { facts?: TryRecord }).facts;
}

/**
 * An adapter saw the try's connection ready to write on (`connectMs` from the start of the try;
 * 0 for a reused keep-alive connection). Costs nothing for a request that records no facts.
 */
export function recordConnect(attempt: Attempt, connectMs: number): void {
  const record = tryRecordOf(attempt);
  if (record !== undefined && record.connectMs === undefined) record.connectMs = connectMs;
}

/** The response ended (or was cut): the final status, the body bytes sent and the request time. */
export function finishRequestFacts(facts: RequestFacts, status: number, bodyBytesSent: number, now: number = performance.now()): void {
  const record = factsRecord(facts);
  if (record === undefined || record.endedAt !== undefined) return;
  record.status = status;
  record.bodyBytesSent = bodyBytesSent;
  record.requestMs = Math.max(0, now - record.startMs);
  record.endedAt = Date.now();
  // The last try may still be reading the end of its body (released when the response closes).
  for (const t of record.tries) {
    if (t.totalMs === undefined && t.startMs !== undefined && !t.aborted) t.totalMs = Math.max(0, now - t.startMs);
  }
}
