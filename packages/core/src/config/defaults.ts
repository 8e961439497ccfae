/** @module Written defaults of every option (nginx's where nginx has one), exported so tests and docs read them directly. */
import type { BalanceStrategyName, ResolvedHealthCheck, ResolvedRetry, ResolvedRetryBudget, ResolvedTimeouts } from '../types.js';
import { FrozenSet } from './frozen.js';

/** `balance` default, as nginx without a balancing directive. */
export const DEFAULT_BALANCE: BalanceStrategyName = 'round-robin';

/** Server `weight` default (nginx `weight=1`). */
export const DEFAULT_WEIGHT = 1;
/**
 * Largest server `weight`. nginx has no cap, but `hash ... consistent` places 160 ring points per
 * unit of weight: 1000 is 160,000 points for one server, still built in a fraction of a second,
 * where 50,000 took 21 s. 1000 leaves per-mille splits possible (HAProxy caps at 256).
 */
export const MAX_WEIGHT = 1000;
/** Server `maxFails` default (nginx `max_fails=1`). */
export const DEFAULT_MAX_FAILS = 1;
/** Server `failTimeout` default in ms (nginx `fail_timeout=10s`). */
export const DEFAULT_FAIL_TIMEOUT_MS = 10_000;
/** Server `maxConns` default: 0 = unlimited (nginx `max_conns=0`). */
export const DEFAULT_MAX_CONNS = 0;
/** Server `slowStart` default: 0 = none. */
export const DEFAULT_SLOW_START_MS = 0;

/** `retry.budget` default (Finagle's RetryBudget): 20% of the last 10 s of requests, plus 10 retries per second. */
export const DEFAULT_RETRY_BUDGET: ResolvedRetryBudget = Object.freeze({
  percent: 20,
  windowMs: 10_000,
  minPerSecond: 10,
});

/** `retry` default: nginx `proxy_next_upstream error timeout;`, every server once, no time limit. */
export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  onError: true,
  onTimeout: true,
  onInvalidHeader: false,
  onStatus: new FrozenSet<number>(),
  tries: 0,
  timeoutMs: 0,
  nonIdempotent: false,
  budget: DEFAULT_RETRY_BUDGET,
});

/** `timeouts` default: nginx's 60s for `proxy_connect_timeout`, `proxy_read_timeout`, `proxy_send_timeout`. */
export const DEFAULT_TIMEOUTS: ResolvedTimeouts = Object.freeze({ connectMs: 60_000, readMs: 60_000, sendMs: 60_000 });

/** `keepalive` default: idle connections kept per server. */
export const DEFAULT_KEEPALIVE = 32;

/** What an empty `healthCheck: {}` means. Without `healthCheck` there are no active checks. */
export const DEFAULT_HEALTH_CHECK: ResolvedHealthCheck = Object.freeze({
  path: '/',
  intervalMs: 5000,
  timeoutMs: 1000,
  fails: 1,
  passes: 1,
  status: Object.freeze([Object.freeze([200, 399] as const)]),
  body: undefined,
  mandatory: false,
});

/** Statuses `retry.on` accepts: nginx's `http_500 http_502 http_503 http_504 http_403 http_404 http_429`. */
export const RETRYABLE_STATUSES: readonly number[] = Object.freeze([500, 502, 503, 504, 403, 404, 429]);

/** Location `websocket` default. */
export const DEFAULT_WEBSOCKET = true;
/** Location `preserveHost` default: Host is the upstream's (nginx `$proxy_host`). */
export const DEFAULT_PRESERVE_HOST = false;
