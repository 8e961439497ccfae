/** @module One upstream's sticky state: which server a request is bound to, the cookie to set, the sessions learned. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../types.js';
import { formatStickyCookie } from './set-cookie.js';
import { SessionTable } from './session-table.js';
import { signStickyValue, verifyStickyValue } from './signed-value.js';
import type { ResolvedSticky } from './sticky-types.js';

function firstValue(lookup: readonly ((req: RequestInfo) => string)[], request: RequestInfo): string {
  for (const read of lookup) {
    const value = read(request);
    if (value !== '') return value;
  }
  return '';
}

/**
 * nginx's ngx_http_upstream_sticky_module, decided once for both adapters: `boundId` reads the
 * request (cookie, route variables or a learned session) before the pick; `respond` runs when the
 * chosen server's answer is delivered (learns the session, gives the Set-Cookie value).
 */
export class StickyBinding {
  readonly config: ResolvedSticky;
  readonly #sessions: SessionTable | undefined;

  constructor(config: ResolvedSticky) {
    this.config = config;
    this.#sessions = config.mode === 'learn' ? new SessionTable(config.timeoutMs, config.maxSessions) : undefined;
  }

  /** The sticky id of the server this request is bound to, or undefined (unbound, or a forged/badly signed cookie). */
  boundId(request: RequestInfo, now: number): string | undefined {
    const config = this.config;
    const value = firstValue(config.lookup, request);
    if (value === '') return undefined;
    if (config.mode === 'cookie') return config.secret === undefined ? value : verifyStickyValue(config.secret, value);
    if (config.mode === 'route') return value;
    return (this.#sessions as SessionTable).lookup(value, now);
  }

  /**
   * The response of the server `id` is being delivered: `learn` remembers the session the upstream
   * created (or refreshes the one the request carried, rebinding it to `id`); `cookie` returns the
   * Set-Cookie value naming `id`, which nginx sends on every proxied response.
   */
  respond(id: string, request: RequestInfo | undefined, headers: IncomingHttpHeaders, now: number): string | undefined {
    const config = this.config;
    if (config.mode === 'cookie') {
      const value = config.secret === undefined ? id : signStickyValue(config.secret, id);
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
