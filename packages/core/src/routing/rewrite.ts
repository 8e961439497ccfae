/** @module The upstream path of a matched request: raw as received, or rewritten from the normalised path. */
import type { Location, ProxyRoute } from '../types.js';
import { encodePath, normalizePath } from './normalize-path.js';
import { splitTarget } from './request-target.js';

/**
 * The route for a request that matched `location` (nginx `proxy_pass` semantics).
 *
 * - Without `rewritePrefix` the raw path is forwarded as received (encoded slashes survive, as
 *   nginx's `proxy_pass http://pool;`), except that a leading run of `/` or `\` becomes one `/`,
 *   so the path can never be read as a protocol-relative `//host` by whoever builds the upstream URL.
 * - With `rewritePrefix` (nginx `proxy_pass http://pool/new/;`) the part of the normalised path
 *   after the location's prefix is percent-encoded again and appended to `rewritePrefix`, exactly
 *   as nginx (`/api/` + `/v1/` maps `/api/x` to `/v1/x`; `/api/` + `/v1` maps it to `/v1x`). For
 *   an exact location the whole path is replaced. Regex locations cannot have `rewritePrefix`
 *   (refused at configuration time, as nginx refuses a URI in `proxy_pass` there).
 *
 * `search` is `'?' + query` as received (or `''`) and is passed through untouched.
 */
export function routeWithin(location: Location, rawPath: string, normalizedPath: string, search: string): ProxyRoute | undefined {
  const upstream = location.upstream;
  // A location that answers itself (files, return) has no upstream path.
  if (upstream === undefined) return undefined;
  const rewrite = location.rewritePrefix;
  let path: string;
  if (rewrite === undefined) {
    path = collapseLeadingSlashes(rawPath);
  } else {
    const rest = location.kind === 'exact' ? '' : normalizedPath.slice(location.pattern.length);
    // nginx's "off-by-slash": location `/api` + rewrite `/v1/` turns `/api../x` into `/v1/../x`,
    // which the upstream resolves outside `/v1/`. The normalised path has no dot segment, so only
    // the junction of the two parts can make one: such a request is not this location's.
    if (rest !== '' && isDotSegment(junction(rewrite, rest))) return undefined;
    path = rewrite + encodePath(rest);
  }
  return { location, upstream, path: path + search };
}

/** The path segment formed where `rewrite` and `rest` are joined. */
function junction(rewrite: string, rest: string): string {
  const cut = rest.indexOf('/');
  return rewrite.slice(rewrite.lastIndexOf('/') + 1) + (cut === -1 ? rest : rest.slice(0, cut));
}

function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/**
 * Route a request through a location made in code (`Switchyard.createLocation`), whose prefix is
 * what the app's own router matched. Scope is per path segment here: prefix `/api` covers `/api`
 * and `/api/...` but not `/apix`. `undefined` when the target is not a usable path or its
 * normalised path leaves the prefix (`/api/../admin`). With `rewritePrefix` the rest is joined
 * with a single `/` (`/api` + `'/'` maps `/api/x` to `/x` and `/api` to `/`).
 */
export function routeForLocation(location: Location, url: string): ProxyRoute | undefined {
  const target = splitTarget(url);
  if (target === undefined) return undefined;
  const normalized = normalizePath(target.rawPath);
  if (normalized === undefined) return undefined;
  const prefix = location.pattern;
  if (!withinSegment(normalized, prefix)) return undefined;
  const upstream = location.upstream;
  if (upstream === undefined) return undefined;
  const rewrite = location.rewritePrefix;
  if (rewrite === undefined) {
    return { location, upstream, path: collapseLeadingSlashes(target.rawPath) + target.search };
  }
  let rest = normalized.slice(prefix.endsWith('/') ? prefix.length - 1 : prefix.length);
  let path: string;
  if (rest === '' || rest === '/') {
    path = rewrite + (rest === '/' && !rewrite.endsWith('/') ? '/' : '');
  } else {
    rest = encodePath(rest);
    path = (rewrite.endsWith('/') ? rewrite.slice(0, -1) : rewrite) + rest;
  }
  return { location, upstream, path: path + target.search };
}

/** `path` is `prefix` itself or below it, by whole segments. */
export function withinSegment(path: string, prefix: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (prefix.endsWith('/')) return path.startsWith(prefix) || path === prefix.slice(0, -1);
  return path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f;
}

function collapseLeadingSlashes(rawPath: string): string {
  let i = 0;
  while (i < rawPath.length && (rawPath[i] === '/' || rawPath[i] === '\\')) i++;
  return i <= 1 ? rawPath : `/${rawPath.slice(i)}`;
}
