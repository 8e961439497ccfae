/** @module Active health checks: one probe loop per server of every upstream that has `healthCheck`. */
import type { ResolvedConfig, ServerInfo } from '../types.js';
import type { PoolControl, PoolEnv } from '../internal.js';
import { serverInfo } from '../balancer/server-info.js';
import { ServerWatch } from './server-watch.js';

export interface HealthChecks {
  /** Start probing a server added at run time (no-op when its upstream has no `healthCheck` or it is already watched). */
  watch(upstream: string, url: string): void;
  /** Stop probing a removed server; a probe in flight is destroyed and its result ignored. */
  unwatch(upstream: string, url: string): void;
  /** Clear every timer and destroy every probe in flight. */
  stop(): Promise<void>;
}

/**
 * Probes every server of every upstream with `healthCheck` once now and then every interval
 * (with jitter), reporting each result and the thresholded verdict through `pool.setHealth`.
 * Probes never go through `pick`/`release`, so they are never counted as traffic or retried.
 */
export function startHealthChecks(config: ResolvedConfig, pools: ReadonlyMap<string, PoolControl>, env: PoolEnv): HealthChecks {
  const watches = new Map<string, ServerWatch>();
  const stopping = new Set<Promise<void>>();
  let stopped = false;
  const keyOf = (upstream: string, url: string): string => `${upstream}\n${url}`;

  const watch = (upstream: string, url: string): void => {
    const check = config.upstreams.get(upstream)?.healthCheck;
    const pool = pools.get(upstream);
    const key = keyOf(upstream, url);
    if (stopped || check === undefined || pool === undefined || watches.has(key)) return;
    const w = new ServerWatch(upstream, infoFor(pool, url), check, pool, env);
    watches.set(key, w);
    w.start();
  };

  const unwatch = (upstream: string, url: string): void => {
    const key = keyOf(upstream, url);
    const w = watches.get(key);
    if (w === undefined) return;
    watches.delete(key);
    const done = w.stop();
    stopping.add(done);
    void done.finally(() => stopping.delete(done));
  };

  for (const [name, upstream] of config.upstreams) {
    if (upstream.healthCheck === undefined) continue;
    for (const server of upstream.servers) watch(name, server.url);
  }

  return {
    watch,
    unwatch,
    async stop() {
      stopped = true;
      const all = [...watches.values()].map((w) => w.stop());
      watches.clear();
      await Promise.all([...all, ...stopping]);
    },
  };
}

function infoFor(pool: PoolControl, url: string): ServerInfo {
  return pool.servers().find((s) => s.url === url) ?? serverInfo(url, false);
}
