/** @module Test helpers for the balancer: resolved upstreams in one line, a fake clock, a seeded random source, recorded events. */
import type { PoolControl, PoolEnv } from '../../../packages/core/src/internal.js';
import type {
  BalanceStrategyName,
  Pick,
  PickContext,
  RequestInfo,
  ResolvedServer,
  ResolvedUpstream,
  SwitchyardEventName,
  SwitchyardEvents,
} from '../../../packages/core/src/types.js';
import { createPool } from '../../../packages/core/src/balancer/index.js';

export type ServerSpec = string | (Partial<ResolvedServer> & { url: string });

/** `'a'` means `http://a` with nginx's defaults (weight 1, max_fails 1, fail_timeout 10s). */
export function server(spec: ServerSpec): ResolvedServer {
  const s = typeof spec === 'string' ? { url: spec } : spec;
  const url = s.url.includes('://') ? s.url : `http://${s.url}`;
  return {
    weight: 1,
    maxFails: 1,
    failTimeoutMs: 10_000,
    backup: false,
    down: false,
    drain: false,
    maxConns: 0,
    slowStartMs: 0,
    ...s,
    url,
  };
}

export interface UpstreamExtras {
  hashKey?: (req: RequestInfo) => string;
  consistent?: boolean;
  onStatus?: number[];
  mandatory?: boolean;
}

export function upstream(balance: BalanceStrategyName, servers: ServerSpec[], extras: UpstreamExtras = {}): ResolvedUpstream {
  return {
    name: 'pool',
    balance,
    hash: balance === 'hash' ? { key: extras.hashKey ?? ((req) => req.url), source: '$request_uri', consistent: extras.consistent === true } : undefined,
    servers: servers.map(server),
    retry: {
      onError: true,
      onTimeout: true,
      onInvalidHeader: false,
      onStatus: new Set(extras.onStatus ?? []),
      tries: 0,
      timeoutMs: 0,
      nonIdempotent: false,
      budget: false,
    },
    timeouts: { connectMs: 60_000, readMs: 60_000, sendMs: 60_000 },
    keepalive: 32,
    healthCheck:
      extras.mandatory === undefined
        ? undefined
        : { path: '/', intervalMs: 5000, timeoutMs: 1000, fails: 1, passes: 1, status: [[200, 399]], body: undefined, mandatory: extras.mandatory },
  };
}

/** mulberry32: deterministic [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Recorded<E extends SwitchyardEventName = SwitchyardEventName> {
  event: E;
  payload: SwitchyardEvents[E];
}

export interface TestPool {
  pool: PoolControl;
  clock: { now: number; advance(ms: number): void };
  events: Recorded[];
  /** Events of one name, payloads only. */
  emitted<E extends SwitchyardEventName>(event: E): Array<SwitchyardEvents[E]>;
}

export function makePool(config: ResolvedUpstream, seed = 1, recordResponses = false): TestPool {
  const clock = {
    now: 1_000_000,
    advance(ms: number) {
      this.now += ms;
    },
  };
  const events: Recorded[] = [];
  const random = seededRandom(seed);
  const env: PoolEnv = {
    now: () => clock.now,
    random,
    // 'response' fires once per release; tests that count it opt in through `recordResponses`.
    listening: (event) => event !== 'response' || recordResponses,
    emit: (event, payload) => {
      events.push({ event, payload });
    },
  };
  return {
    pool: createPool(config, env),
    clock,
    events,
    emitted: <E extends SwitchyardEventName>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as SwitchyardEvents[E]),
  };
}

/** Hostname of a pick (`a` for `http://a`), or '-' when nothing was picked. */
export const nameOf = (pick: Pick | undefined): string => (pick === undefined ? '-' : pick.server.hostname);

/** `n` picks, each released at once with a 200: the hostnames in order. */
export function sequence(pool: PoolControl, n: number, ctx?: (i: number) => PickContext): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const pick = pool.pick(ctx?.(i));
    out.push(nameOf(pick));
    pick?.release({ status: 200 });
  }
  return out;
}

/** Count picks per hostname. */
export function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

export function request(url: string, clientIp = '127.0.0.1'): RequestInfo {
  return { method: 'GET', url, headers: {}, clientIp };
}
