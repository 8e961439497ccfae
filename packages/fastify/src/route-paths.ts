/** @module The Fastify route paths that catch a configuration's locations, and the static prefix of an app route. */
import type { Location } from '@switchyard/core';

/** find-my-way reads `:` as a parameter and `*` as a wildcard; such paths are left to the catch-all. */
function isPlainPath(path: string): boolean {
  return !/[:*()?#\s]/.test(path);
}

/**
 * One Fastify path per location, so the app's own routes keep the priority Fastify's router
 * gives them (a static `/api/health` beats our `/api*`). The handler behind every path asks the
 * core (`sy.match`) which location applies, so nginx's order (regex over plain prefix, longest
 * prefix, `^~`) decides, not find-my-way's. A prefix `/api/` is caught as `/api*` so `/api`
 * reaches nginx's slash redirect and no second route is needed. Regex locations, and paths
 * find-my-way cannot hold literally, need the catch-all `/*` (as `catchAll` asks for it). With
 * virtual hosts the paths of every host are registered once: the handler asks the core with the
 * Host, so two hosts can share a path (find-my-way's host constraints would need a route per host
 * and name, and know neither nginx's wildcard order nor regex names).
 */
export function locationRoutePaths(locations: readonly Location[], taken: ReadonlySet<string>, catchAll = false): string[] {
  const paths = new Set<string>(catchAll ? ['/*'] : []);
  for (const location of locations) {
    const pattern = location.pattern;
    // A named location is reached only through X-Accel-Redirect; nested ones lie within their parent's path.
    if (location.kind === 'named') continue;
    if (location.kind === 'regex' || location.kind === 'regex-i' || !isPlainPath(pattern)) {
      paths.add('/*');
    } else if (location.kind === 'exact') {
      paths.add(pattern);
    } else {
      const base = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
      // `/` gives `/*` (not `*`, which Fastify also reads as `/*`: a duplicate beside a regex location).
      paths.add(base === '' ? '/*' : `${base}*`);
    }
  }
  for (const path of taken) paths.delete(path);
  return [...paths];
}

/**
 * The static part of a Fastify route path, as the prefix `reply.proxyTo` strips: `/api/*` and
 * `/api/:id` give `/api`, `/files/*` gives `/files`, `/exact` gives itself, `/*` gives `/`.
 */
export function staticPrefix(routeUrl: string): string {
  let end = routeUrl.length;
  for (let i = 0; i < routeUrl.length; i++) {
    const c = routeUrl.charCodeAt(i);
    if (c === 0x3a /* : */ || c === 0x2a /* * */) {
      if (c === 0x3a && routeUrl.charCodeAt(i + 1) === 0x3a) {
        i++; // `::` is a literal colon
        continue;
      }
      end = i;
      break;
    }
  }
  let prefix = routeUrl.slice(0, end).replaceAll('::', ':');
  if (prefix.length > 1 && prefix.endsWith('/')) prefix = prefix.slice(0, -1);
  return prefix === '' ? '/' : prefix;
}

/** The request's path (before `?`) is exactly `path` as configured, byte for byte (no decoding, no case folding). */
export function isExactPath(url: string | undefined, path: string): boolean {
  if (url === undefined) return false;
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)) === path;
}
