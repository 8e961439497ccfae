/** @module Location matching in nginx's order, on the normalised path, precomputed once per configuration. */
import type { Location, RouteMatch } from '../types.js';
import { encodePath, normalizePath } from './normalize-path.js';
import { splitTarget } from './request-target.js';
import { routeWithin } from './rewrite.js';

export interface Router {
  /** The route for a request target (`/path?query` or absolute form), or `undefined` when no location matches. */
  match(method: string, url: string): RouteMatch | undefined;
}

interface Compiled {
  readonly location: Location;
  readonly regex: RegExp;
}

/**
 * Build the matcher for `locations` (in config order). nginx's order:
 * 1. an exact location (`= /x`) equal to the path ends the search;
 * 2. the longest prefix among `^~` and plain prefixes; if it is `^~`, the search ends;
 * 3. regex locations (`~`, `~*` case-insensitive) in config order: the first match wins;
 * 4. else the longest plain prefix.
 * A location ending in `/` also answers its own name without the slash (`/api` for `/api/`) with
 * a 301 to the slashed name plus the query, as nginx's `auto_redirect` for `proxy_pass`, unless a
 * location is named exactly like the request path. As in nginx this redirect is decided during the
 * prefix search, so it wins over shorter prefixes and regexes.
 *
 * Matching is case-sensitive except for `~*`, and runs on `normalizePath()`'s result; a target that
 * does not normalise (bad escape, `..` above the root, `*`) matches nothing.
 *
 * @example createRouter(config.locations).match('GET', '/api/users?id=1')
 */
export function createRouter(locations: readonly Location[]): Router {
  const exact = new Map<string, Location>();
  /** Prefix locations by exact name: a request equal to a name must not be redirected. */
  const prefixByName = new Map<string, Location>();
  const redirects = new Map<string, Location>();
  const prefixes: Location[] = [];
  const regexes: Compiled[] = [];

  for (const location of locations) {
    switch (location.kind) {
      case 'exact':
        if (!exact.has(location.pattern)) exact.set(location.pattern, location);
        break;
      case 'prefix':
      case 'prefix-priority':
        if (!prefixByName.has(location.pattern)) prefixByName.set(location.pattern, location);
        prefixes.push(location);
        break;
      case 'regex':
      case 'regex-i':
        regexes.push({ location, regex: new RegExp(location.pattern, location.kind === 'regex-i' ? 'i' : '') });
        break;
    }
    if (location.kind !== 'regex' && location.kind !== 'regex-i' && location.pattern.length > 1 && location.pattern.endsWith('/')) {
      const bare = location.pattern.slice(0, -1);
      // nginx's tree holds one node per name: an exact `= /a/` and a prefix `/a/` share it, exact first.
      if (!redirects.has(bare) || location.kind === 'exact') redirects.set(bare, location);
    }
  }
  // Longest first: the first prefix that matches is the longest; a stable sort keeps config order for equals.
  prefixes.sort((a, b) => b.pattern.length - a.pattern.length);
  const redirectTargets = new Map<Location, string>();
  for (const location of redirects.values()) redirectTargets.set(location, encodePath(location.pattern));

  return {
    match(_method: string, url: string): RouteMatch | undefined {
      const target = splitTarget(url);
      if (target === undefined) return undefined;
      const path = normalizePath(target.rawPath);
      if (path === undefined) return undefined;

      const hit = exact.get(path);
      if (hit !== undefined) return routeWithin(hit, target.rawPath, path, target.search);

      if (!prefixByName.has(path)) {
        const redirect = redirects.get(path);
        if (redirect !== undefined) {
          // nginx appends the arguments only when there are some (`r->args.len`).
          const query = target.search.length > 1 ? target.search : '';
          return { location: redirect, redirect: redirectTargets.get(redirect)! + query };
        }
      }

      let longest: Location | undefined;
      for (const location of prefixes) {
        if (path.startsWith(location.pattern)) {
          longest = location;
          break;
        }
      }
      if (longest === undefined || longest.kind !== 'prefix-priority') {
        for (const { location, regex } of regexes) {
          if (regex.test(path)) return routeWithin(location, target.rawPath, path, target.search);
        }
      }
      return longest === undefined ? undefined : routeWithin(longest, target.rawPath, path, target.search);
    },
  };
}
