/** @module The response headers of each try, kept beside the request facts (not in their documented shape) for nginx's `$upstream_http_NAME`. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestFacts, TryFacts } from './facts-types.js';

/** Weak: the headers go with the facts; a user who serialises the facts does not get every try's headers. */
const headersOf = new WeakMap<TryFacts, IncomingHttpHeaders>();

/** An adapter got the try's response head. Costs nothing for a request that records no facts. */
export function recordUpstreamHeaders(attempt: { readonly facts?: TryFacts | undefined }, headers: IncomingHttpHeaders): void {
  const record = attempt.facts;
  if (record !== undefined) headersOf.set(record, headers);
}

/**
 * The response headers of the request's last try, as nginx's `$upstream_http_NAME` reads
 * `r->upstream->headers_in` (reset for each try): undefined when the last try got no response head.
 */
export function lastUpstreamHeaders(facts: RequestFacts): IncomingHttpHeaders | undefined {
  const tries = facts.tries;
  const last = tries[tries.length - 1];
  return last === undefined ? undefined : headersOf.get(last);
}
