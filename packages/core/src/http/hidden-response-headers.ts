/** @module Upstream response headers a client never sees (nginx `proxy_hide_header` / `proxy_pass_header` and their defaults). */

/**
 * Instructions from an upstream to the proxy in front of it, hidden on every location unless
 * `passHeaders` names them: nginx's own default list minus Date and Server (ngx_http_proxy_hide_headers).
 * nginx hides exactly these X-Accel-* names; any other X-Accel-Foo passes, in nginx as here.
 */
export const PROXY_INSTRUCTION_HEADERS: readonly string[] = [
  'x-pad',
  'x-accel-expires',
  'x-accel-redirect',
  'x-accel-limit-rate',
  'x-accel-buffering',
  'x-accel-charset',
];

/** The hidden set of a location without `hideHeaders` / `passHeaders`. */
export const DEFAULT_HIDDEN_HEADERS: ReadonlySet<string> = new Set(PROXY_INSTRUCTION_HEADERS);

/** The response headers a location hides: the defaults plus `hide`, minus `pass` (names lower-case). */
export function hiddenHeaderSet(hide: readonly string[], pass: readonly string[]): ReadonlySet<string> {
  if (hide.length === 0 && pass.length === 0) return DEFAULT_HIDDEN_HEADERS;
  const out = new Set([...PROXY_INSTRUCTION_HEADERS, ...hide]);
  for (const name of pass) out.delete(name);
  return out;
}
