/** @module The probe loop of one server: schedule, thresholds (fails/passes), and the verdict handed to the pool. */
import type { HealthStatus, ResolvedHealthCheck, ServerInfo } from '../types.js';
import type { PoolControl, PoolEnv } from '../internal.js';
import { startProbe, type ProbeResult, type RunningProbe } from './probe.js';

/** Each wait is the interval times a factor in [1 - JITTER, 1 + JITTER), so servers drift apart instead of probing in lockstep. */
export const PROBE_JITTER = 0.1;

export class ServerWatch {
  readonly #upstream: string;
  readonly #server: ServerInfo;
  readonly #check: ResolvedHealthCheck;
  readonly #pool: PoolControl;
  readonly #env: PoolEnv;
  #timer: NodeJS.Timeout | undefined;
  #probe: RunningProbe | undefined;
  #stopped = false;
  #healthy: boolean;
  #passedOnce = false;
  #fails = 0;
  #passes = 0;

  constructor(upstream: string, server: ServerInfo, check: ResolvedHealthCheck, pool: PoolControl, env: PoolEnv) {
    this.#upstream = upstream;
    this.#server = server;
    this.#check = check;
    this.#pool = pool;
    this.#env = env;
    // The pool starts `mandatory` servers unhealthy on its own; this mirrors it so the first pass admits them.
    this.#healthy = !check.mandatory;
  }

  /** Probe now (so `mandatory` servers take traffic as soon as they pass), then every interval. */
  start(): void {
    void this.#run();
  }

  /** Clear the timer and destroy a probe in flight; resolves once its socket is gone. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const probe = this.#probe;
    if (probe !== undefined) {
      probe.cancel();
      await probe.done;
    }
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    this.#timer = undefined;
    const started = performance.now();
    const probe = startProbe(this.#server, this.#check);
    this.#probe = probe;
    const result = await probe.done;
    this.#probe = undefined;
    // A probe cancelled by unwatch/stop says nothing about the server.
    if (this.#stopped) return;
    this.#record(result);
    if (this.#stopped) return;
    const factor = 1 - PROBE_JITTER + 2 * PROBE_JITTER * this.#env.random();
    // Measured from the probe's start, but never before it ended: one server's probes never overlap.
    const wait = Math.max(0, this.#check.intervalMs * factor - (performance.now() - started));
    this.#timer = setTimeout(() => void this.#run(), wait);
    this.#timer.unref();
  }

  #record(result: ProbeResult): void {
    if (result.ok) {
      this.#passes++;
      this.#fails = 0;
      // `mandatory` servers are "checking" until their first probe: one pass admits them (as NGINX Plus does).
      const firstPass = this.#check.mandatory && !this.#passedOnce;
      if (!this.#healthy && (firstPass || this.#passes >= this.#check.passes)) this.#healthy = true;
      this.#passedOnce = true;
    } else {
      this.#fails++;
      this.#passes = 0;
      if (this.#healthy && this.#fails >= this.#check.fails) this.#healthy = false;
    }
    const last: HealthStatus = {
      ok: result.ok,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      checkedAt: Date.now(),
      consecutiveFails: this.#fails,
      consecutivePasses: this.#passes,
    };
    try {
      this.#pool.setHealth(this.#server.url, this.#healthy, last);
    } catch {
      // The server left the pool while its probe ran (removed at run time): nothing to report.
      return;
    }
    this.#env.emit('health:probe', {
      upstream: this.#upstream,
      url: this.#server.url,
      ok: result.ok,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
    });
  }
}
