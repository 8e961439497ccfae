/** @module Runs an upstream's `discover` hook: validates each `update(servers)` like the configuration and hands the list to the pool. */
import type { PoolEnv } from '../internal.js';
import type { DiscoverHook, ResolvedServer, ResolverNameStatus } from '../types.js';
import { checkDiscoverUpdate } from './discover-update.js';

export class DiscoverRun {
  readonly #upstream: string;
  readonly #hook: DiscoverHook;
  readonly #env: PoolEnv;
  readonly #apply: (servers: readonly ResolvedServer[]) => void;
  readonly #abort = new AbortController();
  readonly #first: Promise<void>;
  #settleFirst: () => void = () => {};
  #answer: readonly string[] = [];
  #answeredAt: number | undefined;
  #error: string | undefined;

  constructor(upstream: string, hook: DiscoverHook, env: PoolEnv, apply: (servers: readonly ResolvedServer[]) => void) {
    this.#upstream = upstream;
    this.#hook = hook;
    this.#env = env;
    this.#apply = apply;
    this.#first = new Promise((resolve) => {
      this.#settleFirst = resolve;
    });
  }

  /** Settles at the first accepted `update()` (or when the hook fails, or at stop). */
  get first(): Promise<void> {
    return this.#first;
  }

  start(): void {
    const signal = this.#abort.signal;
    const update = (servers: unknown): void => {
      if (signal.aborted) return;
      try {
        const list = checkDiscoverUpdate(servers, this.#upstream, this.#env);
        this.#apply(list);
        this.#answer = list.map((s) => s.url);
        this.#answeredAt = Date.now();
        if (this.#error !== undefined) {
          this.#error = undefined;
          this.#env.emit('discovery:recovered', { upstream: this.#upstream, source: 'discover' });
        }
        this.#settleFirst();
      } catch (err) {
        // Refused as a whole: the servers of the last accepted update stay.
        this.#failed(err);
        throw err;
      }
    };
    let running: void | Promise<void>;
    try {
      // Called now, so the hook holds its signal as soon as createSwitchyard returns.
      running = this.#hook({ update, signal });
    } catch (err) {
      running = Promise.reject(err);
    }
    // A hook that returns may still call update() later (a timer, a watch): only a failure ends the wait.
    Promise.resolve(running).then(
      () => undefined,
      (err: unknown) => {
        if (!signal.aborted) this.#failed(err);
        this.#settleFirst();
      },
    );
  }

  stop(): void {
    this.#abort.abort(new Error('switchyard closed'));
    this.#settleFirst();
  }

  status(): ResolverNameStatus {
    return {
      name: 'discover',
      answer: this.#answer,
      ...(this.#answeredAt !== undefined ? { answeredAt: this.#answeredAt } : {}),
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    };
  }

  #failed(err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    const first = this.#error === undefined;
    this.#error = error;
    if (first) this.#env.emit('discovery:error', { upstream: this.#upstream, source: 'discover', error });
  }
}
