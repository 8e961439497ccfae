/** @module Who may write through the admin API: the bearer token (constant-time compare) or the `authorize` callback. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminOptions, RequestInfo } from '../types.js';

export type WriteAccess = { ok: true; who: string } | { ok: false; status: 401 | 403 };

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `given` equals `token`, in time that depends on neither: both are hashed to 32 bytes
 * first, so timingSafeEqual compares equal lengths and the token's length leaks nothing either.
 */
export function tokenMatches(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}

function bearerOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * The token when it matches, else `authorize` when set. 401 when no valid credentials were given
 * and nothing else decides; 403 when `authorize` said no (or threw: refused, never crashes).
 */
export async function writeAccess(admin: Readonly<AdminOptions>, request: RequestInfo): Promise<WriteAccess> {
  const bearer = bearerOf(request.headers.authorization);
  if (admin.token !== undefined && bearer !== undefined && tokenMatches(bearer, admin.token)) return { ok: true, who: 'token' };
  if (admin.authorize !== undefined) {
    let allowed = false;
    try {
      allowed = (await admin.authorize(request)) === true;
    } catch {
      allowed = false;
    }
    return allowed ? { ok: true, who: 'authorize()' } : { ok: false, status: 403 };
  }
  return { ok: false, status: 401 };
}
