/** @module The upstream's status and headers set on the client response without writing them, so a body that fails before its first byte can still be answered with one clean line. */
import { validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';

/**
 * Node sends headers set this way with the first body byte (or `end()`). Until then
 * `res.headersSent` stays false: an upstream that closes before sending a byte of its announced
 * body gets the client a one-line 502 (as on Fastify), not a response cut after its head.
 * Throws as `writeHead` would for a value Node refuses.
 */
export function setResponseHead(res: ServerResponse, status: number, headers: OutgoingHttpHeaders): void {
  // All or nothing: a refused header must not leave the others set for a retry's response.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    validateHeaderName(name);
    if (Array.isArray(value)) for (const v of value) validateHeaderValue(name, v);
    else validateHeaderValue(name, String(value));
  }
  res.statusCode = status;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
}

/** Drops every header set on a response whose head was not written yet (before an error answer). */
export function clearResponseHead(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
}
