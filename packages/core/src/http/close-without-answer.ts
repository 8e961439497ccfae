/** @module nginx's `return 444` for both adapters: the client's connection closed without a byte written (on HTTP/2 only the request's stream is reset). */
import type { ServerResponse } from 'node:http';
import { constants, type Http2ServerResponse } from 'node:http2';

/**
 * Closes the exchange as nginx does for status 444. HTTP/1.x: the socket is destroyed, so a
 * keep-alive or pipelined request behind this one on the same connection is dropped with it (as in
 * nginx); other connections are untouched. HTTP/2: the session carries other requests, so only
 * this stream is reset (RST_STREAM INTERNAL_ERROR, what ngx_http_v2_close_stream sends).
 */
export function closeWithoutAnswer(res: ServerResponse | Http2ServerResponse): void {
  if ('stream' in res) {
    const stream = res.stream;
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  res.socket?.destroy();
}
