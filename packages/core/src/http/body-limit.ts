/** @module nginx `client_max_body_size` on a node:http request: a Content-Length over the limit, or a body of unknown length read up to it, answered 413 before any upstream is picked. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * nginx's own 413 page (ngx_http_special_response.c), without its version token. The status text
 * is nginx's ("Request Entity Too Large"), the name RFC 7231 used.
 */
export const BODY_TOO_LARGE_PAGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * The head of the 413: nginx closes the connection after it (the rest of the body is never read),
 * so `Connection: close`.
 */
export const BODY_TOO_LARGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html',
  'content-length': String(Buffer.byteLength(BODY_TOO_LARGE_PAGE)),
  connection: 'close',
});

/** What a body limit says about a request before a byte of its body is read. */
export type BodyLimitVerdict = 'within' | 'too-large' | 'read-first';

/**
 * `'too-large'` for a Content-Length over `maxBytes` (nginx checks it when the location is found);
 * `'read-first'` for an HTTP/1.1 chunked body, which is read up to the limit before any upstream
 * is picked, as nginx does with request buffering on (its default); `'within'` otherwise and for
 * `maxBytes` 0 (no limit). An HTTP/2 body without Content-Length is not held: it may be a gRPC
 * stream that needs its answer before it ends (nginx's grpc_pass never buffers either); its limit
 * is not enforced.
 */
export function bodyLimitVerdict(headers: IncomingHttpHeaders, maxBytes: number | undefined, httpVersionMajor = 1): BodyLimitVerdict {
  if (maxBytes === undefined || maxBytes <= 0) return 'within';
  const length = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && length !== undefined) return Number(length) > maxBytes ? 'too-large' : 'within';
  return headers['transfer-encoding'] !== undefined && httpVersionMajor < 2 ? 'read-first' : 'within';
}

/**
 * Read a body of unknown length, but never more than `maxBytes`: resolves the bytes, `'too-large'`
 * the moment the limit is crossed (reading stops there; the caller answers 413 and closes), or
 * `undefined` when the client went away first.
 */
export function readBodyWithin(req: Readable, maxBytes: number): Promise<Buffer | 'too-large' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | 'too-large' | undefined): void => {
      req.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        done('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onFail = (): void => done(undefined);
    const onClose = (): void => {
      if (!req.readableEnded) done(undefined);
    };
    req.on('data', onData).on('end', onEnd).on('error', onFail).on('close', onClose);
  });
}
