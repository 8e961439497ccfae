/** @module A recording stand-in for the pool so the probe loop's verdicts can be checked call by call, plus waiting helpers. */
import type { HealthStatus, ResolvedConfig, ResolvedHealthCheck, ResolvedUpstream, SwitchyardEventName, SwitchyardEvents } from '@switchyard/core';
import type { PoolControl, PoolEnv } from '../../packages/core/src/internal.js';

export interface HealthCall {
  url: string;
  healthy: boolean;
  last: HealthStatus;
}

export const DEFAULT_CHECK: ResolvedHealthCheck = {
  path: '/health',
  intervalMs: 20,
  timeoutMs: 1000,
  fails: 1,
  passes: 1,
  status: [[200, 399]],
  body: undefined,
  mandatory: false,
};

/** A pool that only records `setHealth`; everything else is never called by the health checks. */
export function fakePool(calls: HealthCall[], known?: Set<string>): PoolControl {
  const pool = {
    servers: () => [],
    setHealth(url: string, healthy: boolean, last: HealthStatus) {
      if (known !== undefined && !known.has(url)) throw new Error(`unknown server ${url}`);
      calls.push({ url, healthy, last });
    },
  };
  return pool as unknown as PoolControl;
}

/** A resolved config with one upstream `api` holding `urls` and this health check (other fields unused by health checks). */
export function configWith(urls: string[], check: Partial<ResolvedHealthCheck>): ResolvedConfig {
  const upstream = {
    name: 'api',
    balance: 'round-robin',
    servers: urls.map((url) => ({ url, weight: 1, maxFails: 1, failTimeoutMs: 10000, backup: false, down: false, drain: false, maxConns: 0, slowStartMs: 0 })),
    healthCheck: { ...DEFAULT_CHECK, ...check },
  } as unknown as ResolvedUpstream;
  return {
    upstreams: new Map([['api', upstream]]),
    locations: [],
    trustProxy: false,
    status: undefined,
    metrics: undefined,
    warnings: [],
    closeTimeoutMs: 10000,
    underscoresInHeaders: true,
  };
}

export function recordingEnv(events: Array<SwitchyardEvents['health:probe']>): PoolEnv {
  return {
    now: () => performance.now(),
    random: () => 0.5,
    listening: () => true,
    emit<E extends SwitchyardEventName>(event: E, payload: SwitchyardEvents[E]) {
      if (event === 'health:probe') events.push(payload as SwitchyardEvents['health:probe']);
    },
  };
}

/** Poll `cond` every 10 ms, at most `limitMs` (a bound, not a timing assertion). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 10000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
