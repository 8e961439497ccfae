/** @module The per-request upstream facts: what switchyard did for one proxied request, as one typed object (access log, tracing, user code). */
import type { IncomingHttpHeaders } from 'node:http';
import type { FailureKind } from '../base-types.js';

/**
 * One try of a request on one server, in the order they were made (nginx keeps the same list as
 * `r->upstream_states`: it feeds `$upstream_addr`, `$upstream_status` and the `*_time` variables).
 */
export interface TryFacts {
  /** The server's url as configured (`http://127.0.0.1:8001`); the upstream's name for a try that found no live server. */
  readonly server: string;
  /** As nginx's `$upstream_addr` shows it: `127.0.0.1:8001`, `[::1]:8001`, `unix:/path`, or the upstream's name when no server was live. */
  readonly addr: string;
  /** For a resolved (DNS) or discovered address: the name it came from. */
  readonly name: string | undefined;
  /** The upstream's name (the same for every try of one forwarding). */
  readonly upstream: string;
  /**
   * The status the server answered; for a try that failed without one, the status nginx records
   * for it (502, or 504 for a timeout); `undefined` while waiting or when the client went away first.
   */
  readonly status: number | undefined;
  /** How the try failed, when it did: `error`, `timeout` or `invalid_header`. */
  readonly failure: FailureKind | undefined;
  /** The client went away (nginx 499) before this try was over. */
  readonly aborted: boolean;
  /** Milliseconds from the start of the try to a connection to write on (0 for a reused keep-alive connection); `undefined` when the adapter could not tell. */
  readonly connectMs: number | undefined;
  /** Milliseconds to the response head. */
  readonly headerMs: number | undefined;
  /** Milliseconds to the end of the try (the whole response read, or the failure). */
  readonly totalMs: number | undefined;
  /** Another try followed this one (a failure or a `retry.on` status). */
  readonly retried: boolean;
  /** With `sticky`: `hit` when the request's binding (cookie, route, learned session) chose this server, `miss` when it was balanced; `undefined` without `sticky`. */
  readonly sticky: 'hit' | 'miss' | undefined;
  /** Which upstream group of the request this try belongs to (0, then 1 after a redirect to another upstream: nginx's ` : ` separator). */
  readonly group: number;
}

/**
 * Everything switchyard knows about one proxied request once it is answered: the client's request,
 * the location and upstream it was routed to, every try in order, and the final answer. Built only
 * when something asks for it (the access log, tracing); see docs/observability.md.
 */
export interface RequestFacts {
  readonly method: string;
  /** Path and query as received (nginx `$request_uri`). */
  readonly url: string;
  /** `1.1`, `1.0`, `2.0`. */
  readonly httpVersion: string;
  /** The client's address as the socket saw it (`::ffff:` removed for IPv4). */
  readonly remoteAddr: string;
  /** The client's request headers. */
  readonly headers: IncomingHttpHeaders;
  /** Epoch milliseconds when the request arrived. */
  readonly startedAt: number;
  /** The location's key (`'/api/'`, `'~ \\.php$'`), or the code location's prefix for `proxyTo`. */
  readonly location: string | undefined;
  /** The upstream the request was sent to (the last one, after a redirect to another). */
  readonly upstream: string | undefined;
  /** Every try in order, over every upstream group. */
  readonly tries: readonly TryFacts[];
  /** The status sent to the client (0 until the response is finished or cut). */
  readonly status: number;
  /** Body bytes sent to the client (nginx `$body_bytes_sent`). */
  readonly bodyBytesSent: number;
  /** Every byte sent to the client for this response, the head (status line and headers) included (nginx `$bytes_sent`). */
  readonly bytesSent: number;
  /** Milliseconds from the request's arrival to its last byte sent (nginx `$request_time`); `undefined` until then. */
  readonly requestMs: number | undefined;
  /** Epoch milliseconds when the response ended. */
  readonly endedAt: number | undefined;
}
