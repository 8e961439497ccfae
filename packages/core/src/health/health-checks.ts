/** @module Active health checks (placeholder: probes are being implemented for issue 5; no probing yet). */
import type { ResolvedConfig } from '../types.js';
import type { PoolControl, PoolEnv } from '../internal.js';

export interface HealthChecks {
  /** Start probing a server added at run time. */
  watch(upstream: string, url: string): void;
  unwatch(upstream: string, url: string): void;
  stop(): Promise<void>;
}

export function startHealthChecks(_config: ResolvedConfig, _pools: ReadonlyMap<string, PoolControl>, _env: PoolEnv): HealthChecks {
  return { watch() {}, unwatch() {}, async stop() {} };
}
