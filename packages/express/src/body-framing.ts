/** @module The framing of a request body sent upstream: always its known length, or chunked, whatever the client's headers say. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { BodyPlan } from './request-body.js';

/**
 * Sets Content-Length or Transfer-Encoding on the upstream request so the body can never be read
 * as a further request. Node sends the body of a GET, DELETE or OPTIONS without any framing when
 * neither header is set, and on a keep-alive upstream connection those bytes would be parsed as
 * the next request (request smuggling, then a desynchronised connection).
 */
export function frameBody(headers: OutgoingHttpHeaders, plan: BodyPlan, data: Buffer | undefined, clientLength: string | undefined): void {
  if (data !== undefined) {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(data.length);
  } else if (plan.kind === 'stream') {
    if (plan.chunked || clientLength === undefined) {
      delete headers['content-length'];
      headers['transfer-encoding'] = 'chunked';
    } else {
      // Node's parser validated it (one value, digits only) and reads exactly that many bytes.
      delete headers['transfer-encoding'];
      headers['content-length'] = clientLength;
    }
  }
}
