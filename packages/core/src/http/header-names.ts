/** @module nginx's `underscores_in_headers off`: client request headers whose names hold an underscore are dropped before proxying. */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client's headers without those whose name contains `_`, when `underscoresInHeaders` is off
 * (an imported config, as nginx's default `underscores_in_headers off` with `ignore_invalid_headers
 * on`). Why nginx drops them: CGI-style servers map `X_User` and `X-User` to the same variable, so a
 * client could pass one for the other past a proxy that sets only the dashed one. The same object
 * comes back when nothing is dropped (no copy per request); it is never modified.
 */
export function withoutUnderscoreHeaders(headers: IncomingHttpHeaders, underscoresInHeaders: boolean): IncomingHttpHeaders {
  if (underscoresInHeaders) return headers;
  let kept: IncomingHttpHeaders | undefined;
  for (const name in headers) {
    if (name.includes('_')) {
      if (kept === undefined) kept = { ...headers };
      delete kept[name];
    }
  }
  return kept ?? headers;
}
