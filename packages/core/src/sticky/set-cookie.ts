/** @module The sticky Set-Cookie value, attribute for attribute as nginx's ngx_http_upstream_sticky_cookie_insert writes it. */
import type { ResolvedStickyCookie } from './sticky-types.js';

/** nginx's `expires=max`: a fixed date in 2037 and ten years of max-age. */
const MAX_EXPIRES = '; expires=Thu, 31-Dec-37 23:55:55 GMT; max-age=315360000';

const WEEK = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** nginx's ngx_http_cookie_time: `Thu, 31-Dec-37 23:55:55 GMT`, two-digit years up to 2037 (for old browsers). */
export function cookieTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const year = d.getUTCFullYear();
  const y = year > 2037 ? String(year) : two(year % 100);
  return `${WEEK[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${y} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/**
 * `name=value; expires=...; max-age=N; domain=D; httponly; secure; samesite=S; path=P`: nginx's order,
 * lowercase attribute names; no expires/max-age without `expires` (a session cookie).
 */
export function formatStickyCookie(cookie: ResolvedStickyCookie, value: string, nowMs: number): string {
  let out = `${cookie.name}=${value}`;
  const expires = cookie.expires;
  if (expires === 'max') out += MAX_EXPIRES;
  else if (expires !== undefined) out += `; expires=${cookieTime(Math.floor(nowMs / 1000) + expires)}; max-age=${expires}`;
  if (cookie.domain !== undefined) out += `; domain=${cookie.domain}`;
  if (cookie.httpOnly) out += '; httponly';
  if (cookie.secure) out += '; secure';
  if (cookie.sameSite !== undefined) out += `; samesite=${cookie.sameSite}`;
  if (cookie.path !== undefined) out += `; path=${cookie.path}`;
  return out;
}
