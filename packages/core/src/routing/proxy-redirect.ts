/** @module nginx's `proxy_redirect`: the `Location` and `Refresh` headers of an upstream answer rewritten from the upstream's URLs to the client's. */
import type { Location, ProxyRedirectRule, RedirectRequest } from '../types.js';
import { redirectLocation } from './slash-redirect.js';

/** The value with the first rule whose `from` starts it applied (ngx_http_proxy_rewrite_redirect: first match wins, case-sensitive). */
export function applyRedirectRules(value: string, rules: readonly ProxyRedirectRule[]): string | undefined {
  for (const rule of rules) {
    if (value.startsWith(rule.from)) return rule.to + value.slice(rule.from.length);
  }
  return undefined;
}

/** Upstream response headers as the adapters hold them (node's shape). */
type HeaderRecord = Record<string, string | string[] | number | undefined>;

/**
 * Rewrite `location` and `refresh` in `headers` (lower-case names, changed in place) by the
 * location's `redirects` (the adapters call it only when it has some). As nginx: a rewritten `Location` that starts
 * with `/` is made absolute by the header filter when `absoluteRedirect` is on (an upstream's
 * relative Location that no rule rewrote stays relative, as nginx leaves it); in `Refresh` the
 * part after `url=` is rewritten and left as it comes out.
 */
export function rewriteRedirectHeaders(headers: HeaderRecord, location: Location, request: RedirectRequest): void {
  const rules = location.redirects;
  if (rules === undefined) return;
  const target = headers.location;
  if (typeof target === 'string') {
    const rewritten = applyRedirectRules(target, rules);
    if (rewritten !== undefined) {
      headers.location = rewritten.startsWith('/') ? redirectLocation({ location, redirect: rewritten }, request) : rewritten;
    }
  }
  const refresh = headers.refresh;
  if (typeof refresh === 'string') {
    const at = refresh.toLowerCase().indexOf('url=');
    if (at !== -1) {
      const rewritten = applyRedirectRules(refresh.slice(at + 4), rules);
      if (rewritten !== undefined) headers.refresh = refresh.slice(0, at + 4) + rewritten;
    }
  }
}
