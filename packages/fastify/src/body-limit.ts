/** @module nginx `client_max_body_size` on the Fastify side: 413 for a body over the location's limit, before any upstream is picked. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BODY_TOO_LARGE_HEADERS, BODY_TOO_LARGE_PAGE, bodyLimitVerdict, readBodyWithin, type Location } from '@switchyard/core';
import type { ProxyBody } from './request-body.js';

/** Why a limited body did not reach the proxy: the 413 is sent already. */
class BodyTooLarge extends Error {}

/** Answer nginx's 413 (and close the connection: the rest of the body is never read). */
export function sendTooLarge(reply: FastifyReply): void {
  if (reply.sent || reply.raw.headersSent) return;
  reply.code(413).headers(BODY_TOO_LARGE_HEADERS).send(BODY_TOO_LARGE_PAGE);
}

/**
 * The body to proxy under the location's limit: `undefined` when the 413 was sent already (a
 * Content-Length over it), the body as it is when it fits, or, for a body of unknown length,
 * a promise of it read whole up to the limit (nginx buffers such a body before it connects to an
 * upstream too). Crossing the limit sends the 413 and rejects, so the proxy sends nothing more.
 */
export function limitBody(
  request: FastifyRequest,
  reply: FastifyReply,
  location: Location,
  body: ProxyBody | Promise<ProxyBody>,
): ProxyBody | Promise<ProxyBody> | undefined {
  const limit = location.maxBodyBytes;
  if (limit === undefined || limit <= 0) return body;
  const verdict = bodyLimitVerdict(request.headers, limit, request.raw.httpVersionMajor);
  if (verdict === 'too-large') {
    sendTooLarge(reply);
    return undefined;
  }
  if (verdict === 'within') return body;
  return Promise.resolve(body).then(async (got): Promise<ProxyBody> => {
    if (got.kind === 'none') return got;
    if (got.kind === 'buffer') {
      if (got.data.length <= limit) return got;
      sendTooLarge(reply);
      throw new BodyTooLarge();
    }
    const data = await readBodyWithin(got.source, limit);
    if (data === 'too-large') {
      sendTooLarge(reply);
      throw new BodyTooLarge();
    }
    if (data === undefined) throw new Error('client closed the request body');
    return { kind: 'buffer', data, contentType: request.headers['content-type'] };
  });
}
