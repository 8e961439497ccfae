/** @module Splitting a request target into its raw path and query string. */

export interface RequestTarget {
  /** The path as received (origin form), without query or fragment. */
  readonly rawPath: string;
  /** `'?' + query` as received, `''` when the target had no `?`. */
  readonly search: string;
}

const ABSOLUTE = /^https?:\/\/[^/?#]*/i;

/**
 * Split a request target. Origin form (`/p?q`) is taken as is; absolute form (`http://h/p?q`,
 * which RFC 9112 servers must accept) uses its path and query (`/` when it has no path); a fragment
 * (`#...`, which clients never send) is dropped as nginx does. Anything else (`*`, `h/p`) gives
 * `undefined`.
 */
export function splitTarget(url: string): RequestTarget | undefined {
  if (typeof url !== 'string') return undefined;
  let target = url;
  if (target.charCodeAt(0) !== 0x2f) {
    const m = ABSOLUTE.exec(target);
    if (m === null) return undefined;
    target = target.slice(m[0].length);
    if (target.charCodeAt(0) !== 0x2f) target = `/${target.charCodeAt(0) === 0x3f ? target : ''}`;
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const q = target.indexOf('?');
  if (q === -1) return { rawPath: target, search: '' };
  return { rawPath: target.slice(0, q), search: target.slice(q) };
}

/** An authority nginx would take as a host: a name or an IPv6 literal, an optional port (no userinfo). */
const AUTHORITY = /^https?:\/\/((?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?)(?=[/?#]|$)/i;

/**
 * RFC 9112 3.2.2: for an absolute-form target (`GET http://Other.Example/x`) the host of the target
 * wins over the Host header (lower-cased), as nginx takes `$host` from it. The adapters call this before
 * matching, so Host-derived values (preserveHost, X-Forwarded-Host, redirects) read the target's
 * host. An origin-form target (every ordinary request) returns at the first character.
 */
export function adoptTargetHost(url: string, headers: { host?: string | undefined }): void {
  if (url.charCodeAt(0) === 0x2f) return;
  const m = AUTHORITY.exec(url);
  // Lower-cased as nginx's $host (host names are case-insensitive, RFC 9110 4.2.3).
  if (m !== null) headers.host = (m[1] as string).toLowerCase();
}
