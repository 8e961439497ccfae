/** @module Contracts between the core's own parts (not exported from the package). */
import type {
  Attempt,
  HealthStatus,
  PickContext,
  ResolvedServer,
  ServerState,
  SwitchyardEventName,
  SwitchyardEvents,
  Upstream,
  UpstreamStatus,
} from './types.js';
import type { PickQueue, SetTimer } from './queue/pick-queue.js';
import type { ResolvedServerPatch } from './config/resolve-server-patch.js';

/** What a pool gets from its switchyard: a clock, randomness and an event sink. */
export interface PoolEnv {
  now(): number;
  random(): number;
  /** Timers of the upstream queue (default an unref'd setTimeout); core tests pass a fake clock's. */
  setTimer?: SetTimer;
  emit<E extends SwitchyardEventName>(event: E, payload: SwitchyardEvents[E]): void;
  /** Whether anyone listens, so hot paths build event payloads only when needed. */
  listening(event: SwitchyardEventName): boolean;
}

/** One server as the admin API shows it. */
export interface AdminServerView {
  readonly id: number;
  readonly settings: ResolvedServer;
  readonly state: ServerState;
  /** The active health checks' verdict, with the last probe (if any). */
  readonly healthy: boolean;
  readonly health: HealthStatus | undefined;
}

/** A pool as the rest of the core drives it (runtime control, health, status). */
export interface PoolControl extends Upstream {
  /** Throws SwitchyardLookupError when the url is already in the pool. */
  addServer(server: ResolvedServer): void;
  /** A DNS/discover diff in one step (see Pool.applyDiff); returns the urls actually added. */
  applyDiff(added: readonly ResolvedServer[], removed: readonly string[], reason: import('./types.js').ServerChangeReason, rampUp: boolean): string[];
  /** In-flight requests on the removed server finish normally. False when unknown. */
  removeServer(url: string): boolean;
  /** Throws SwitchyardLookupError when unknown. */
  setServer(url: string, patch: ResolvedServerPatch): void;
  /** Every server with its stable id, current settings and state (admin API, cluster snapshots). */
  adminServers(): AdminServerView[];
  /** Another cluster worker saw this server fail (or recover) passively: take it out (or back) without a try of our own. */
  peerFailure(url: string, failed: boolean): void;
  /** Verdict of active health checks (after fails/passes thresholds) with the last probe's result. */
  setHealth(url: string, healthy: boolean, last: HealthStatus): void;
  status(): import('./types.js').UpstreamStatus;
  /** Tries in flight over all servers of the pool. */
  readonly active: number;
  /** The wait queue at `maxConns` (only with the upstream's `queue`). */
  readonly queue: PickQueue<Attempt> | undefined;
  /** Whether a server could take a new try of this request once one of its slots frees (see PickGate.takesOnceFree). */
  servable(ctx?: PickContext): boolean;
  /** nginx's `peer.tries` before `proxy_next_upstream_tries`: how many servers are not `down` (primaries and backups). */
  readonly triesLimit: number;
}

export type { UpstreamStatus };
