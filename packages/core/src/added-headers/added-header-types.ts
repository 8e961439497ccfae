/** @module The options of nginx's `add_header` and `expires` (ngx_http_headers_filter_module) and their compiled form. */
import type { HeaderValue } from '../http/header-variables.js';

/** One nginx `add_header NAME VALUE [always]`. */
export interface AddHeaderOptions {
  /** The header name (any case; sent lower-cased, as Node writes every header). */
  name: string;
  /**
   * The value; nginx variables of the request are expanded (`$host`, `$request_uri`, `$http_NAME`,
   * `$cookie_NAME`, `$arg_NAME`, `$remote_addr`, `$request_id`...; see docs/nginx-files.md). An empty
   * value adds nothing (for `ETag` and `Last-Modified`: removes the answer's own, as nginx).
   */
  value: string;
  /** Add it to every status, not only 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308. Default false. */
  always?: boolean;
}

/**
 * nginx `expires`: `'max'` (`Expires: Thu, 31 Dec 2037 23:55:55 GMT`, `Cache-Control: max-age=315360000`),
 * `'epoch'` (`Expires: Thu, 01 Jan 1970 00:00:01 GMT`, `Cache-Control: no-cache`), `'off'` (nothing, over
 * an outer level's), or a time from now in nginx's units `y M w d h m s` with an optional sign
 * (`'1d'`, `'30m'`, `'-1h'`: negative gives `no-cache`). `{ modified: '1h' }` counts from the file's
 * Last-Modified (nginx `expires modified 1h`).
 */
export type ExpiresOption = 'max' | 'epoch' | 'off' | (string & {}) | { modified: string };

/** One `add_header`, compiled. */
export interface CompiledAddHeader {
  /** Lower-case. */
  readonly name: string;
  readonly value: HeaderValue;
  readonly always: boolean;
}

/** `expires`, resolved. `seconds` may be negative (`-1h`). */
export type ResolvedExpires =
  | { readonly kind: 'epoch' }
  | { readonly kind: 'max' }
  | { readonly kind: 'access'; readonly seconds: number }
  | { readonly kind: 'modified'; readonly seconds: number };

/** The `add_header` list and `expires` in effect at one level (location, server or top). */
export interface ResponseHeaderPlan {
  readonly add: readonly CompiledAddHeader[];
  /** `undefined`: `expires off` (or none anywhere above). */
  readonly expires: ResolvedExpires | undefined;
}
