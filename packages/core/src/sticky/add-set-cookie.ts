/** @module Adds the sticky cookie to response headers that adapters are about to send, keeping the upstream's own Set-Cookie lines. */

type HeaderBag = Record<string, string | string[] | number | undefined>;

/** Appends `cookie` (from `attempt.responseCookie()`) to the `set-cookie` header of `headers`; nothing when undefined. */
export function addSetCookie<T extends HeaderBag>(headers: T, cookie: string | undefined): T {
  if (cookie === undefined) return headers;
  const bag = headers as HeaderBag;
  const existing = bag['set-cookie'];
  if (existing === undefined) bag['set-cookie'] = [cookie];
  else if (Array.isArray(existing)) bag['set-cookie'] = [...existing, cookie];
  else bag['set-cookie'] = [String(existing), cookie];
  return headers;
}
