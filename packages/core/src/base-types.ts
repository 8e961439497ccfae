/** @module The few public types every other type file needs, kept in a file that imports nothing of the core (so no type file imports types.ts back). */
import type { IncomingHttpHeaders } from 'node:http';

/** Milliseconds as a number, or an nginx-style string: `'500ms'`, `'10s'`, `'1m'`, `'1h'`, `'1m30s'`. */
export type Duration = number | string;

/** What the core needs to know about a client request (hash keys, retries, headers). */
export interface RequestInfo {
  method: string;
  /** Path and query as received, e.g. `/api/users?id=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The client's address as seen by the server socket (`::ffff:` forms allowed). */
  clientIp: string;
}

/** A failure that is not an HTTP status: connection error/reset, timeout, malformed response. */
export type FailureKind = 'error' | 'timeout' | 'invalid_header';
