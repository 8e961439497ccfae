/**
 * @module One `discover` update checked like the configuration (the same resolveServer for every
 * server: weight cap, url form), bounded in size, and reported as an `input:limited` event naming
 * the field when refused.
 */
import type { PoolEnv } from '../internal.js';
import type { ResolvedServer } from '../types.js';
import { describe, fail } from '../config/describe.js';
import { resolveServerList } from './server-entries.js';

/** Most servers one update may list: 10x the 1,000-server pools bench/pool-change.ts measures. */
export const MAX_DISCOVERED_SERVERS = 10_000;

/** The checked list, or a SwitchyardConfigError naming the entry (the update is refused as a whole; the last good list stays). */
export function checkDiscoverUpdate(servers: unknown, upstream: string, env: PoolEnv): readonly ResolvedServer[] {
  const path = `upstreams.${upstream}.discover: update(servers)`;
  try {
    if (!Array.isArray(servers)) fail(path, `must be given an array of servers, got ${describe(servers)}`);
    if (servers.length > MAX_DISCOVERED_SERVERS) fail(path, `must list at most ${MAX_DISCOVERED_SERVERS} servers, got ${servers.length}`);
    return resolveServerList(servers, path, false).servers;
  } catch (err) {
    const field = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : path;
    env.emit('input:limited', { source: 'discover', upstream, field, action: 'refused', detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
