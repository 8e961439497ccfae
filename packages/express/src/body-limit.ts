/** @module nginx `client_max_body_size` on the Express side: 413 for a body over the location's limit, before any upstream is picked. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BODY_TOO_LARGE_HEADERS, BODY_TOO_LARGE_PAGE, bodyLimitVerdict, readBodyWithin, type Location } from '@switchyard/core';
import type { BodyPlan } from './request-body.js';

/** Answer nginx's 413 (and close the connection: the rest of the body is never read). */
export function replyTooLarge(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(413, BODY_TOO_LARGE_HEADERS);
  res.end(BODY_TOO_LARGE_PAGE);
}

/**
 * What the location's limit makes of a request's body plan: `'go'` (within it, or no limit),
 * `'refused'` (the 413 is sent: a Content-Length over it, or a body parser's bytes over it), or a
 * promise of the body read whole up to the limit, for a body of unknown length (nginx buffers it
 * before it connects to an upstream too): its bytes, `'refused'` once the limit is crossed (413
 * sent), `undefined` when the client left.
 */
export function limitBody(
  req: IncomingMessage,
  res: ServerResponse,
  location: Location,
  plan: BodyPlan,
): 'go' | 'refused' | Promise<Buffer | 'refused' | undefined> {
  const limit = location.maxBodyBytes;
  if (limit === undefined || limit <= 0 || plan.kind === 'none') return 'go';
  if (plan.kind === 'buffer') {
    if (plan.data.length <= limit) return 'go';
    replyTooLarge(res);
    return 'refused';
  }
  const verdict = bodyLimitVerdict(req.headers, limit, req.httpVersionMajor);
  if (verdict === 'too-large') {
    replyTooLarge(res);
    return 'refused';
  }
  if (verdict === 'within' || plan.kind !== 'stream') return 'go';
  return readBodyWithin(req, limit).then((data) => {
    if (data !== 'too-large') return data;
    replyTooLarge(res);
    return 'refused';
  });
}
