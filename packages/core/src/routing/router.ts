/** @module Location matching in nginx's order, on the normalised path, precomputed once per configuration. */
import type { Location, ProxyRoute, RedirectRoute, RouteMatch } from '../types.js';
import { encodePath, normalizePath } from './normalize-path.js';
import { splitTarget } from './request-target.js';
import { routeWithin } from './rewrite.js';

export interface Router {
  /** The route for a client's request target (`/path?query` or absolute form), or `undefined` when no location matches. */
  match(method: string, url: string): RouteMatch | undefined;
  /**
   * The route for an internal redirect to `path` (decoded, normalised) + `search`: internal
   * locations are reachable; a redirect route for nginx's slash redirect. `rawPath` is what the
   * upstream is sent when the location has no `rewritePrefix`.
   */
  matchInternal(rawPath: string, path: string, search: string): ProxyRoute | RedirectRoute | undefined;
  /** The named location `@name`. */
  named(name: string): Location | undefined;
  /**
   * The location for a decoded, normalised path (what the rewrite engine looks up after each URI
   * change): `redirect` is the slash redirect's target when the search ended on one, `captures`
   * a regex location's match.
   */
  locate(path: string):
    | {
        location: Location;
        redirect: string | undefined;
        captures: readonly (string | undefined)[];
        groups: Readonly<Record<string, string | undefined>> | undefined;
      }
    | undefined;
}

interface Compiled {
  readonly location: Location;
  readonly regex: RegExp;
}

/** The locations of one level: the server's, or those nested in one location. */
interface Level {
  readonly exact: Map<string, Location>;
  /** Prefix locations by exact name: a request equal to a name must not be redirected. */
  readonly prefixByName: Map<string, Location>;
  readonly redirects: Map<string, Location>;
  /** Longest first. */
  readonly prefixes: Location[];
  readonly regexes: Compiled[];
  /** The levels nested in this level's locations. */
  readonly nested: Map<Location, Level>;
}

/**
 * How the last search ended, beside the location it returns: `redirect` for nginx's slash redirect,
 * `final` when no outer regex may override it. One object per router, reused (matching is
 * synchronous), so a match allocates nothing for the search itself.
 */
interface SearchState {
  redirect: boolean;
  final: boolean;
}

/**
 * Build the matcher for `locations` (in config order). nginx's order (ngx_http_core_find_location):
 * 1. an exact location (`= /x`) equal to the path ends the search;
 * 2. the longest prefix among `^~` and plain prefixes; the locations nested in it are searched
 *    the same way (an exact or a nested regex match ends the search);
 * 3. unless that longest prefix is `^~`, regex locations (`~`, `~*` case-insensitive) in config
 *    order: the first match wins (and its own nested locations are searched);
 * 4. else the longest prefix (or the nested location found in it).
 * So a regex nested in `/a/` is tried before the outer regexes, and an outer regex still beats a
 * prefix nested in `/a/` (as in nginx). A location ending in `/` also answers its own name without
 * the slash (`/api` for `/api/`) with a 301 to the slashed name plus the query, as nginx's
 * `auto_redirect` for `proxy_pass`, unless a location is named exactly like the request path. As in
 * nginx this redirect is decided during the prefix search, so it wins over shorter prefixes and regexes.
 * A client request that ends on an `internal` location gets an `InternalRoute` (answer 404).
 *
 * Matching is case-sensitive except for `~*`, and runs on `normalizePath()`'s result; a target that
 * does not normalise (bad escape, `..` above the root, `*`) matches nothing.
 *
 * @example createRouter(config.locations).match('GET', '/api/users?id=1')
 */
export function createRouter(locations: readonly Location[]): Router {
  const named = new Map<string, Location>();
  const top = level(locations, named);
  const redirectTargets = new Map<Location, string>();
  const targets = (l: Level): void => {
    for (const location of l.redirects.values()) redirectTargets.set(location, encodePath(location.pattern));
    for (const inner of l.nested.values()) targets(inner);
  };
  targets(top);

  const state: SearchState = { redirect: false, final: false };
  function route(rawPath: string, path: string, search: string): ProxyRoute | RedirectRoute | undefined {
    const found = find(top, path, state);
    if (found === undefined) return undefined;
    if (state.redirect) {
      // nginx appends the arguments only when there are some (`r->args.len`).
      const query = search.length > 1 ? search : '';
      return { location: found, redirect: redirectTargets.get(found)! + query };
    }
    return routeWithin(found, rawPath, path, search);
  }

  return {
    match(_method: string, url: string): RouteMatch | undefined {
      const target = splitTarget(url);
      if (target === undefined) return undefined;
      const path = normalizePath(target.rawPath);
      if (path === undefined) return undefined;
      const found = route(target.rawPath, path, target.search);
      // nginx checks `internal` after the search, on the location it ended on (its redirect too).
      if (found !== undefined && found.location.internal === true) return { location: found.location, internal: true };
      return found;
    },
    matchInternal: route,
    named: (name) => named.get(name),
    locate(path) {
      const found = find(top, path, state);
      if (found === undefined) return undefined;
      const regex = found.kind === 'regex' || found.kind === 'regex-i' ? regexOf(top, found) : undefined;
      const m = regex?.exec(path);
      return {
        location: found,
        redirect: state.redirect ? redirectTargets.get(found) : undefined,
        captures: m === null || m === undefined ? [] : [...m],
        groups: m?.groups,
      };
    },
  };
}

/** The compiled regex of a regex location, at any level. */
function regexOf(l: Level, location: Location): RegExp | undefined {
  for (const c of l.regexes) if (c.location === location) return c.regex;
  for (const inner of l.nested.values()) {
    const found = regexOf(inner, location);
    if (found !== undefined) return found;
  }
  return undefined;
}

function level(locations: readonly Location[], named: Map<string, Location>): Level {
  const out: Level = { exact: new Map(), prefixByName: new Map(), redirects: new Map(), prefixes: [], regexes: [], nested: new Map() };
  for (const location of locations) {
    switch (location.kind) {
      case 'named':
        if (!named.has(location.pattern)) named.set(location.pattern, location);
        continue;
      case 'exact':
        if (!out.exact.has(location.pattern)) out.exact.set(location.pattern, location);
        break;
      case 'prefix':
      case 'prefix-priority':
        if (!out.prefixByName.has(location.pattern)) out.prefixByName.set(location.pattern, location);
        out.prefixes.push(location);
        break;
      case 'regex':
      case 'regex-i':
        out.regexes.push({ location, regex: new RegExp(location.pattern, location.kind === 'regex-i' ? 'i' : '') });
        break;
    }
    // nginx's auto_redirect is set by proxy_pass only: a location serving files has none.
    if (
      location.upstream !== undefined &&
      location.kind !== 'regex' &&
      location.kind !== 'regex-i' &&
      location.pattern.length > 1 &&
      location.pattern.endsWith('/')
    ) {
      const bare = location.pattern.slice(0, -1);
      // nginx's tree holds one node per name: an exact `= /a/` and a prefix `/a/` share it, exact first.
      if (!out.redirects.has(bare) || location.kind === 'exact') out.redirects.set(bare, location);
    }
    if (location.locations !== undefined && location.locations.length > 0) out.nested.set(location, level(location.locations, named));
  }
  // Longest first: the first prefix that matches is the longest; a stable sort keeps config order for equals.
  out.prefixes.sort((a, b) => b.pattern.length - a.pattern.length);
  return out;
}

/** One level of ngx_http_core_find_location: static search, the nested levels of its result, then this level's regexes. */
function find(l: Level, path: string, state: SearchState): Location | undefined {
  state.redirect = false;
  state.final = true;
  const hit = l.exact.get(path);
  if (hit !== undefined) return hit;
  if (!l.prefixByName.has(path)) {
    const redirect = l.redirects.get(path);
    if (redirect !== undefined) {
      state.redirect = true;
      return redirect;
    }
  }
  let longest: Location | undefined;
  for (const location of l.prefixes) {
    if (path.startsWith(location.pattern)) {
      longest = location;
      break;
    }
  }
  let found = longest;
  if (longest !== undefined && l.nested.size > 0) {
    const inner = l.nested.get(longest);
    if (inner !== undefined) {
      const deeper = find(inner, path, state);
      if (deeper !== undefined) {
        if (state.final) return deeper;
        found = deeper;
      }
    }
  }
  if (longest === undefined || longest.kind !== 'prefix-priority') {
    for (const { location, regex } of l.regexes) {
      if (!regex.test(path)) continue;
      const inner = l.nested.size > 0 ? l.nested.get(location) : undefined;
      const deeper = inner === undefined ? undefined : find(inner, path, state);
      // A regex ends the search; a prefix found in its nested locations serves it (or its redirect).
      if (deeper === undefined) state.redirect = false;
      state.final = true;
      return deeper ?? location;
    }
  }
  state.redirect = false;
  state.final = false;
  return found;
}
