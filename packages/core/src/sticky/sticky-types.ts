/** @module Public types of sticky sessions (nginx `sticky cookie | route | learn`): options as written and as resolved. */
import type { Duration, RequestInfo } from '../base-types.js';

/** nginx `sticky cookie name [expires=] [domain=] [httponly] [samesite=] [secure] [path=]`. */
export interface StickyCookie {
  /** The cookie's name, e.g. `'srv_id'`. */
  name: string;
  /** Lifetime (`'1h'`) or `'max'` (31 Dec 2037); without it a session cookie. */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- 'max' is spelled out for the reader and the editor's completion
  expires?: Duration | 'max';
  domain?: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'strict' | 'lax' | 'none';
}

/**
 * Session persistence for one upstream (nginx `sticky`). One of:
 * - `{ cookie }`: switchyard sets a cookie naming the server (its `route`, else nginx's MD5 of
 *   its address). With `secret` the value is the lowercase hex MD5 of `id + secret` (Angie's
 *   `sticky_secret`), so a client cannot derive it from the server's address; `sign: 'hmac-sha256'`
 *   writes `id.signature` (HMAC-SHA256, base64url) instead;
 * - `{ route }`: nginx variables read in order, the first non-empty one names a server's `route`
 *   (with `secret`: the MD5 of `route + secret`, as Angie compares it);
 * - `{ learn }`: the session id an upstream sets (`create`) is remembered against that server, and
 *   later requests carrying it (`lookup`) go there.
 *
 * `strict: true` (Angie's `sticky_strict on`): a request whose binding names no usable server (an
 * unknown or forged value, or its server down, failed, unhealthy, at `maxConns` or already tried)
 * gets 502 instead of being balanced to another server.
 */
export type StickyOptions =
  | { cookie: StickyCookie; secret?: string; sign?: StickySign; strict?: boolean }
  | { route: readonly string[] | string; secret?: string; strict?: boolean }
  | { learn: StickyLearnOptions; strict?: boolean };

/** How `secret` protects a sticky cookie: `'md5'` (default, Angie's value, survives a move from it) or `'hmac-sha256'` (switchyard's signed `id.signature`). */
export type StickySign = 'md5' | 'hmac-sha256';

export interface StickyLearnOptions {
  /** Where the upstream's response names the session: `'$upstream_cookie_<name>'` or `'$upstream_http_<name>'` (or a list). */
  create: string | readonly string[];
  /** Where a request carries it: request variables such as `'$cookie_<name>'` (or a list, first non-empty wins). */
  lookup: string | readonly string[];
  /** A session unused this long is forgotten. Default `'10m'` (nginx's). */
  timeout?: Duration;
  /** At most this many sessions are remembered; the least recently used goes first. Default 100000. */
  maxSessions?: number;
}

export interface ResolvedStickyCookie {
  readonly name: string;
  /** Seconds, `'max'`, or undefined for a session cookie. */
  readonly expires: number | 'max' | undefined;
  readonly domain: string | undefined;
  readonly path: string | undefined;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'strict' | 'lax' | 'none' | undefined;
}

/** Reads a value from the upstream's response headers (`$upstream_cookie_x`, `$upstream_http_x`). */
export type ResponseVariable = (headers: import('node:http').IncomingHttpHeaders) => string;

export type ResolvedSticky =
  | {
      readonly mode: 'cookie';
      readonly cookie: ResolvedStickyCookie;
      readonly secret: string | undefined;
      /** Meaningful only with `secret`. */
      readonly sign: StickySign;
      readonly strict: boolean;
      /** `$cookie_<name>` of the request. */
      readonly lookup: readonly ((req: RequestInfo) => string)[];
    }
  | {
      readonly mode: 'route';
      readonly secret: string | undefined;
      readonly strict: boolean;
      readonly lookup: readonly ((req: RequestInfo) => string)[];
    }
  | {
      readonly mode: 'learn';
      readonly strict: boolean;
      readonly lookup: readonly ((req: RequestInfo) => string)[];
      readonly create: readonly ResponseVariable[];
      readonly timeoutMs: number;
      readonly maxSessions: number;
    };
