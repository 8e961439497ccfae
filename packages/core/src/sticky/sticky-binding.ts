/** @module One upstream's sticky state: which server a request is bound to, the cookie to set, the sessions learned. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../types.js';
import { formatStickyCookie } from './set-cookie.js';
import { SessionTable } from './session-table.js';
import { hashedStickyValue, signStickyValue, verifyStickyValue } from './signed-value.js';
import type { ResolvedSticky } from './sticky-types.js';

function firstValue(lookup: readonly ((req: RequestInfo) => string)[], request: RequestInfo): string {
  for (const read of lookup) {
    const value = read(request);
    if (value !== '') return value;
  }
  return '';
}

/**
 * nginx's ngx_http_upstream_sticky_module (with Angie's `sticky_secret` and `sticky_strict`), decided
 * once for both adapters: `boundKey` reads the request (cookie, route variables or a learned session)
 * before the pick; `respond` runs when the chosen server's answer is delivered (learns the session,
 * gives the Set-Cookie value). The pool finds servers by `keyOf(their sticky id)`.
 */
export class StickyBinding {
  readonly config: ResolvedSticky;
  readonly strict: boolean;
  readonly #sessions: SessionTable | undefined;
  /** The MD5 secret of cookie (sign 'md5') or route mode; undefined when ids are carried as they are. */
  readonly #hashSecret: string | undefined;
  readonly #hmacSecret: string | undefined;
  /** keyOf results by id: one MD5 per server, not one per request. */
  readonly #hashed = new Map<string, string>();

  constructor(config: ResolvedSticky) {
    this.config = config;
    this.strict = config.strict;
    this.#sessions = config.mode === 'learn' ? new SessionTable(config.timeoutMs, config.maxSessions) : undefined;
    const secret = config.mode === 'learn' ? undefined : config.secret;
    const hmac = config.mode === 'cookie' && config.sign === 'hmac-sha256';
    this.#hashSecret = hmac ? undefined : secret;
    this.#hmacSecret = hmac ? secret : undefined;
  }

  /** What a request bound to the server `id` carries, and what the pool indexes servers by. */
  keyOf(id: string): string {
    const secret = this.#hashSecret;
    if (secret === undefined) return id;
    let key = this.#hashed.get(id);
    if (key === undefined) {
      key = hashedStickyValue(secret, id);
      // Ids are servers' (route or address MD5): the map stays as small as the pool's history.
      if (this.#hashed.size > 4096) this.#hashed.clear();
      this.#hashed.set(id, key);
    }
    return key;
  }

  /**
   * The key of the server this request is bound to: undefined when it carries no binding (or an
   * unknown learned session), null when it carries one that can name no server (a badly signed
   * cookie), which `strict` refuses like an unknown key.
   */
  boundKey(request: RequestInfo, now: number): string | null | undefined {
    const config = this.config;
    const value = firstValue(config.lookup, request);
    if (value === '') return undefined;
    if (config.mode === 'learn') return (this.#sessions as SessionTable).lookup(value, now);
    if (this.#hmacSecret !== undefined) return verifyStickyValue(this.#hmacSecret, value) ?? null;
    return value;
  }

  /**
   * The response of the server `id` is being delivered: `learn` remembers the session the upstream
   * created (or refreshes the one the request carried, rebinding it to `id`); `cookie` returns the
   * Set-Cookie value naming `id`, which nginx sends on every proxied response.
   */
  respond(id: string, request: RequestInfo | undefined, headers: IncomingHttpHeaders, now: number): string | undefined {
    const config = this.config;
    if (config.mode === 'cookie') {
      const value = this.#hmacSecret !== undefined ? signStickyValue(this.#hmacSecret, id) : this.keyOf(id);
      return formatStickyCookie(config.cookie, value, Date.now());
    }
    if (config.mode === 'learn') {
      const sessions = this.#sessions as SessionTable;
      for (const read of config.create) {
        const created = read(headers);
        if (created !== '') {
          sessions.remember(created, id, now, true);
          return undefined;
        }
      }
      if (request !== undefined) {
        const carried = firstValue(config.lookup, request);
        if (carried !== '') sessions.remember(carried, id, now, false);
      }
    }
    return undefined;
  }

  /** Sessions held by `learn`; undefined in the other modes. */
  sessions(now: number): number | undefined {
    return this.#sessions?.size(now);
  }
}
