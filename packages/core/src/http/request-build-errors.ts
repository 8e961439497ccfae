/** @module Errors thrown while BUILDING an upstream request (a header or path Node or undici refuses): nothing reached the server, so it is never the server's failure. */

/** node:http and undici codes for a request they refuse to build (no byte was sent). */
const BUILD_CODES = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
]);

/** The error says the request could not be built (bad header or path), not that the server failed. */
export function isRequestBuildError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && BUILD_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
