/** @module The one interface every balancing strategy implements, and the eligibility gate the pool hands it. */
import type { PickContext, ResolvedUpstream } from '../types.js';
import { hashKeyError } from '../config/hash-key-error.js';
import type { ServerSlot } from './server-slot.js';

/**
 * Eligibility, decided in one place for every strategy (Pingora's `accept` callback): a strategy proposes
 * servers, the gate says whether one may take this try. One gate per pool is reused for every pick.
 */
export class PickGate {
  now = 0;
  /** nginx `peers->single`: a lone primary without backups is never marked failed. */
  single = false;
  /** Panic mode (`passive.panic`): passive failures are ignored for this pick. */
  ignorePassive = false;
  random: () => number;
  #tried: ReadonlySet<string> | undefined;
  #ctx: PickContext | undefined;
  readonly #hash: ResolvedUpstream['hash'];
  readonly #upstream: string;

  constructor(config: ResolvedUpstream, random: () => number) {
    this.#hash = config.hash;
    this.#upstream = config.name;
    this.random = random;
  }

  begin(ctx: PickContext | undefined, now: number): void {
    this.now = now;
    this.#ctx = ctx;
    const tried = ctx?.tried;
    this.#tried = tried !== undefined && tried.size > 0 ? tried : undefined;
  }

  /** May take a request that is bound to it by a hash key (draining servers still do). */
  bindable(s: ServerSlot): boolean {
    return this.takesOnceFree(s) && (s.maxConns === 0 || s.active < s.maxConns);
  }

  /** Would be `bindable` but for `maxConns`: a request may wait for it in the upstream's queue. */
  takesOnceFree(s: ServerSlot): boolean {
    if (s.down || !s.healthy) return false;
    if (this.#tried !== undefined && this.#tried.has(s.url)) return false;
    return this.single || this.ignorePassive || s.maxFails === 0 || s.fails < s.maxFails || this.now - s.checked > s.failTimeoutMs;
  }

  /** May take a new, unbound request. */
  usable(s: ServerSlot): boolean {
    return !s.drain && this.bindable(s);
  }

  /**
   * The hash key: `ctx.key`, else the upstream's `hash.key` applied to the request, else ''.
   * A key that throws or returns an object leaves `pick()` as one SwitchyardError
   * `SWITCHYARD_HASH_KEY` naming the upstream (the adapters answer it with a 500).
   */
  hashKey(): string {
    const ctx = this.#ctx;
    if (ctx?.key !== undefined) return ctx.key;
    if (ctx?.request === undefined || this.#hash === undefined) return '';
    let key: unknown;
    try {
      key = this.#hash.key(ctx.request);
    } catch (err) {
      throw hashKeyError(this.#upstream, this.#hash.source, err);
    }
    if (typeof key !== 'string') throw hashKeyError(this.#upstream, this.#hash.source, undefined, key);
    return key;
  }

  clientIp(): string | undefined {
    return this.#ctx?.clientIp ?? this.#ctx?.request?.clientIp;
  }
}

/** A balancing strategy: a chooser over one tier (primaries or backups) of a pool. */
export interface Chooser {
  /** The tier's membership or weights changed. */
  rebuild(servers: readonly ServerSlot[]): void;
  /** A server of `servers` that `gate` admits, or undefined. May update the servers' RR weights. */
  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined;
}

export type ChooserFactory = (config: ResolvedUpstream) => Chooser;
