/** @module The answer to a client whose upstream response failed after its head arrived: one plain line when nothing was written yet, else a cut connection. */
import type { FastifyReply } from 'fastify';
import { gatewayErrorBody } from '@switchyard/core';

/**
 * Fastify writes a streamed response's head with its first body byte. When the upstream body fails
 * before that byte, Fastify's error handler would answer with the error serialised as JSON
 * (`{"code":"UND_ERR_SOCKET",...}`); switchyard answers as everywhere else: one plain-text line,
 * and the connection closed. When bytes were already written, the connection is cut (Fastify
 * destroys it), so the client sees a truncated response, never a spliced one.
 */
export function answerCutResponse(reply: FastifyReply, status: number, reason: string): void {
  const raw = reply.raw;
  if (raw.headersSent || raw.destroyed) return;
  // The upstream's headers, copied onto the response by reply.send(stream).
  for (const name of raw.getHeaderNames()) raw.removeHeader(name);
  const body = gatewayErrorBody(status, reason);
  raw.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  raw.end(body);
}
