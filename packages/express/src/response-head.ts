/** @module The upstream's status and headers set on the client response without writing them, so a body that fails before its first byte can still be answered with one clean line. */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Node sends headers set this way with the first body byte (or `end()`). Until then
 * `res.headersSent` stays false: an upstream that closes before sending a byte of its announced
 * body gets the client a one-line 502 (as on Fastify), not a response cut after its head.
 * Throws as `writeHead` would for a value Node refuses.
 */
export function setResponseHead(res: ServerResponse, status: number, headers: OutgoingHttpHeaders): void {
  // setHeader validates the name and value before it changes anything, so each header is validated
  // once (not once here and again in setHeader: that was 3.5% of the Express adapter's CPU, issue 18).
  // All or nothing: when one is refused, the ones set before it are undone (an app header they
  // replaced is put back), so a retry's response or the error answer starts from the app's headers.
  let replaced: Array<[string, OutgoingHttpHeader]> | undefined;
  let failed: string | undefined;
  try {
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      failed = name;
      const prior = res.getHeader(name);
      res.setHeader(name, value);
      if (prior !== undefined) (replaced ??= []).push([name, prior]);
    }
  } catch (err) {
    for (const name in headers) {
      if (name === failed) break;
      if (headers[name] !== undefined) res.removeHeader(name);
    }
    if (replaced !== undefined) for (const [name, value] of replaced) res.setHeader(name, value);
    throw err;
  }
  res.statusCode = status;
}

/** Drops every header set on a response whose head was not written yet (before an error answer). */
export function clearResponseHead(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
}
