/** @module An upstream's `servers`, `resolver` and `discover` validated together: fixed servers for the pool, the rest for discovery. */
import type { DiscoverHook, ResolvedDynamicServers, ResolvedResolver, ResolvedServer } from '../types.js';
import { describe, fail } from '../config/describe.js';
import { resolveResolverOptions } from './resolver-options.js';
import { resolveServerList } from './server-entries.js';

/**
 * `servers` is required and non-empty unless `discover` is given; `resolve: true` entries become
 * names to look up (with the upstream's `resolver` over the top-level one).
 */
export function resolveUpstreamServers(
  obj: Record<string, unknown>,
  path: string,
  topResolver: ResolvedResolver,
): { servers: readonly ResolvedServer[]; dynamic: ResolvedDynamicServers | undefined } {
  const serversPath = `${path}.servers`;
  const discover = obj.discover;
  if (discover !== undefined && typeof discover !== 'function') {
    fail(`${path}.discover`, `must be a function ({ update, signal }) => void | Promise<void>, got ${describe(discover)}`);
  }
  let input: readonly unknown[] = [];
  if (obj.servers !== undefined) {
    if (!Array.isArray(obj.servers)) fail(serversPath, `must be an array of servers, got ${describe(obj.servers)}`);
    input = obj.servers;
  } else if (discover === undefined) {
    fail(serversPath, 'is required (at least one server)');
  }
  if (input.length === 0 && discover === undefined) fail(serversPath, 'must list at least one server');
  const { servers, names } = resolveServerList(input, serversPath, true);
  const resolver = resolveResolverOptions(obj.resolver, `${path}.resolver`, topResolver);
  // An upstream's own `resolver` is kept even without names yet: addServer({ resolve: true }) uses it.
  if (names.length === 0 && discover === undefined && obj.resolver === undefined) return { servers: Object.freeze(servers), dynamic: undefined };
  return {
    servers: Object.freeze(servers),
    dynamic: Object.freeze({ names: Object.freeze([...names]), resolver, discover: discover as DiscoverHook | undefined }),
  };
}
