/** @module Following an upstream's `X-Accel-Redirect` as nginx does (ngx_http_upstream_process_headers): the next route, the headers kept, the bound on redirects. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AccelKeptHeaders, AccelRedirect, AccelState, ProxyRoute } from '../types.js';
import { normalizePath } from './normalize-path.js';
import { splitTarget } from './request-target.js';
import { routeWithin } from './rewrite.js';
import type { Router } from './router.js';

/** nginx allows 10 internal redirects per request (NGX_HTTP_MAX_URI_CHANGES); the 11th answers 500. */
export const MAX_ACCEL_REDIRECTS = 10;

/**
 * The headers of a redirecting response that nginx keeps for the final answer (the `redirect`
 * flag of ngx_http_upstream_headers_in): Content-Type (until the final response sets its own) and
 * these, which the final response's own lines follow.
 */
const KEPT = ['set-cookie', 'content-disposition', 'cache-control', 'expires', 'accept-ranges'] as const;

const NO_HEADERS: AccelKeptHeaders = Object.freeze({});

/**
 * What an upstream response of `route` leads to: `undefined` when it is to be delivered (no
 * `X-Accel-Redirect`, or the location does not follow it), else the route to proxy next (method
 * GET, HEAD staying HEAD; a named location keeps method and URI, as nginx), a 301 (the URI hit a
 * slash redirect), or an answer: 404 for an unsafe URI (`..` segments, NUL) or one no location
 * matches, 500 for an unknown `@name` or past 10 redirects ("rewrite or internal redirection cycle").
 */
export function followAccelRedirect(router: Router, route: ProxyRoute, headers: IncomingHttpHeaders, state: AccelState): AccelRedirect | undefined {
  if (route.location.accelRedirect !== true) return undefined;
  const value = headers['x-accel-redirect'];
  if (typeof value !== 'string' || value === '') return undefined;
  const keep = keptHeaders(state.kept ?? NO_HEADERS, headers);
  if (state.followed >= MAX_ACCEL_REDIRECTS) return { action: 'answer', status: 500, reason: 'rewrite or internal redirection cycle', keep };
  const next = (method: string, url: string): AccelState => ({ method, url, followed: state.followed + 1, kept: keep });

  if (value.startsWith('@')) {
    const location = router.named(value);
    if (location === undefined) return { action: 'answer', status: 500, reason: `could not find named location "${value}"`, keep };
    // A named location gets the request as it is: method, URI and arguments.
    const target = splitTarget(state.url);
    const path = target === undefined ? undefined : normalizePath(target.rawPath);
    if (target === undefined || path === undefined) return { action: 'answer', status: 404, reason: 'invalid URI', keep };
    const named = routeWithin(location, target.rawPath, path, target.search);
    if (named === undefined) return { action: 'answer', status: 404, reason: 'invalid URI', keep };
    return { action: 'proxy', route: named, next: next(state.method, state.url) };
  }

  // ngx_http_parse_unsafe_uri: the arguments follow the first `?`; `..` segments and NUL (raw or escaped) are refused.
  const q = value.indexOf('?');
  const rawPath = q === -1 ? value : value.slice(0, q);
  const search = q === -1 ? '' : value.slice(q);
  const path = unsafe(rawPath) ? undefined : normalizePath(rawPath);
  if (path === undefined) return { action: 'answer', status: 404, reason: `unsafe URI "${value}" in X-Accel-Redirect`, keep };
  const found = router.matchInternal(rawPath, path, search);
  if (found === undefined) return { action: 'answer', status: 404, reason: `no location for "${value}"`, keep };
  if (found.redirect !== undefined) return { action: 'redirect', route: found, keep };
  return { action: 'proxy', route: found, next: next(state.method === 'HEAD' ? 'HEAD' : 'GET', rawPath + search) };
}

/** `..` as a whole segment, before or after percent-decoding, or a NUL byte. */
function unsafe(rawPath: string): boolean {
  let decoded = rawPath;
  if (rawPath.includes('%')) {
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return true;
    }
  }
  return decoded.includes('\0') || /(?:^|[/\\])\.\.(?:[/\\]|$)/.test(decoded);
}

/** `kept` plus what `headers` adds to it. */
function keptHeaders(kept: AccelKeptHeaders, headers: IncomingHttpHeaders): AccelKeptHeaders {
  let out: Record<string, string | readonly string[]> | undefined;
  const type = headers['content-type'];
  if (type !== undefined) (out ??= { ...kept })['content-type'] = type;
  for (const name of KEPT) {
    const value = headers[name];
    if (value === undefined) continue;
    out ??= { ...kept };
    out[name] = [...lines(out[name]), ...lines(value)];
  }
  return out === undefined ? kept : Object.freeze(out);
}

function lines(value: string | readonly string[] | number | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  return [...value];
}

/**
 * The final response's headers with those kept from the redirecting responses: their
 * Content-Type unless the final one has its own, their other kept lines before its own (nginx
 * sends both). Returns `headers` itself when nothing was kept.
 */
export function withAccelKept(headers: OutgoingHttpHeaders, kept: AccelKeptHeaders | undefined): OutgoingHttpHeaders {
  if (kept === undefined || kept === NO_HEADERS) return headers;
  const type = kept['content-type'];
  if (type !== undefined && headers['content-type'] === undefined) headers['content-type'] = lines(type).join(', ');
  const out = headers as Record<string, OutgoingHttpHeaders[string]>;
  for (const name of KEPT) {
    const before = kept[name];
    if (before === undefined) continue;
    const own = out[name];
    out[name] = [...lines(before), ...lines(typeof own === 'number' ? String(own) : own)];
  }
  return headers;
}
