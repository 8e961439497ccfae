/** @module Dynamic pools: starts the DNS watchers and discover hooks of every upstream, and answers ready(), status and stop. */
import type { PoolControl, PoolEnv } from '../internal.js';
import type { ResolvedConfig, ResolvedServerName, ResolverNameStatus } from '../types.js';
import { SwitchyardLookupError } from '../errors.js';
import { DEFAULT_RESOLVER } from './resolver-options.js';
import type { HealthChecks } from '../health/health-checks.js';
import { DiscoverRun } from './discover-hook.js';
import { DynamicUpstream } from './dynamic-upstream.js';
import { NameWatch } from './name-watch.js';

export interface Discovery {
  /** Every name's first answer and every hook's first update are in (or their resolver timeout passed). */
  ready(): Promise<void>;
  /** Resolver state per name (and the hook) of one upstream; undefined for a fixed list. */
  status(upstream: string): readonly ResolverNameStatus[] | undefined;
  /** `addServer` with `resolve: true`: the name's addresses join the pool and follow DNS. */
  addName(upstream: string, spec: ResolvedServerName): void;
  /** `removeServer` with the url of such a name: its lookups stop and its addresses leave. False when unknown. */
  removeName(upstream: string, url: string): boolean;
  /** Stops every lookup (timers, queries in flight) and aborts every hook's signal. */
  stop(): void;
}

interface Source {
  readonly first: Promise<void>;
  status(): ResolverNameStatus;
  stop(): void;
}

export function startDiscovery(config: ResolvedConfig, pools: ReadonlyMap<string, PoolControl>, env: PoolEnv, health: HealthChecks): Discovery {
  const sources = new Map<string, Source[]>();
  const syncs = new Map<string, DynamicUpstream>();
  const waits: Array<Promise<void>> = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let wake: () => void = () => {};
  const stoppedSignal = new Promise<void>((resolve) => {
    wake = resolve;
  });

  for (const [name, upstream] of config.upstreams) {
    const dynamic = upstream.dynamic;
    const pool = pools.get(name);
    if (dynamic === undefined || pool === undefined) continue;
    const sync = new DynamicUpstream(name, pool, health);
    syncs.set(name, sync);
    const list: Source[] = [];
    dynamic.names.forEach((spec, i) => {
      const id = `dns:${i}`;
      sync.register(id, 'dns');
      list.push(new NameWatch(name, spec, dynamic.resolver, env, (servers) => sync.set(id, servers)));
    });
    if (dynamic.discover !== undefined) {
      sync.register('discover', 'discover');
      list.push(new DiscoverRun(name, dynamic.discover, env, (servers) => sync.set('discover', servers)));
    }
    sources.set(name, list);
    for (const source of list) {
      // A hook may never call update(): ready() waits for it at most the resolver timeout.
      waits.push(Promise.race([source.first, delay(dynamic.resolver.timeoutMs, timers), stoppedSignal]));
    }
  }
  for (const list of sources.values()) for (const source of list) (source as NameWatch | DiscoverRun).start();
  const all = Promise.all(waits).then(() => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });

  return {
    ready: () => all,
    addName(upstream, spec) {
      const pool = pools.get(upstream);
      if (pool === undefined || stopped) return;
      const list = sources.get(upstream) ?? [];
      if (list.some((s) => s instanceof NameWatch && s.url === spec.template.url)) {
        throw new SwitchyardLookupError(`upstream "${upstream}" already has server ${spec.template.url}`);
      }
      let sync = syncs.get(upstream);
      if (sync === undefined) {
        sync = new DynamicUpstream(upstream, pool, health);
        syncs.set(upstream, sync);
      }
      const id = `dns:${spec.template.url}`;
      const target = sync;
      target.register(id, 'dns');
      const resolver = config.upstreams.get(upstream)?.dynamic?.resolver ?? config.resolver ?? DEFAULT_RESOLVER;
      const watch = new NameWatch(upstream, spec, resolver, env, (servers) => target.set(id, servers));
      list.push(watch);
      sources.set(upstream, list);
      watch.start();
    },
    removeName(upstream, url) {
      const list = sources.get(upstream);
      const watch = list?.find((s): s is NameWatch => s instanceof NameWatch && s.url === url);
      if (list === undefined || watch === undefined) return false;
      watch.stop();
      list.splice(list.indexOf(watch), 1);
      const index = config.upstreams.get(upstream)?.dynamic?.names.findIndex((n) => n.template.url === url) ?? -1;
      syncs.get(upstream)?.drop(index >= 0 ? `dns:${index}` : `dns:${url}`);
      return true;
    },
    status: (upstream) => sources.get(upstream)?.map((s) => s.status()),
    stop() {
      if (stopped) return;
      stopped = true;
      for (const list of sources.values()) for (const source of list) source.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      wake();
    },
  };
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
