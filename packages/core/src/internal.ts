/** @module Contracts between the core's own parts (not exported from the package). */
import type { HealthStatus, ResolvedServer, ServerPatch, SwitchyardEventName, SwitchyardEvents, Upstream, UpstreamStatus } from './types.js';

/** What a pool gets from its switchyard: a clock, randomness and an event sink. */
export interface PoolEnv {
  now(): number;
  random(): number;
  emit<E extends SwitchyardEventName>(event: E, payload: SwitchyardEvents[E]): void;
  /** Whether anyone listens, so hot paths build event payloads only when needed. */
  listening(event: SwitchyardEventName): boolean;
}

/** A pool as the rest of the core drives it (runtime control, health, status). */
export interface PoolControl extends Upstream {
  /** Throws SwitchyardLookupError when the url is already in the pool. */
  addServer(server: ResolvedServer): void;
  /** In-flight requests on the removed server finish normally. False when unknown. */
  removeServer(url: string): boolean;
  /** Throws SwitchyardLookupError when unknown. */
  setServer(url: string, patch: ServerPatch): void;
  /** Verdict of active health checks (after fails/passes thresholds) with the last probe's result. */
  setHealth(url: string, healthy: boolean, last: HealthStatus): void;
  status(): import('./types.js').UpstreamStatus;
  /** Tries in flight over all servers of the pool. */
  readonly active: number;
}

export type { UpstreamStatus };
