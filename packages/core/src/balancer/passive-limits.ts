/**
 * @module Envoy's two limits on passive health, beside nginx's (which has neither): the panic
 * threshold (too few healthy servers: picks ignore passive failures and balance over all of them)
 * and the maximum ejected share (passive health never marks more than it failed).
 */
import type { PoolEnv } from '../internal.js';
import type { ResolvedPassiveHealth } from '../types.js';
import type { ServerSlot } from './server-slot.js';

/** Passively failed at `now`: what PickGate.bindable refuses (nginx's fails >= max_fails within fail_timeout). */
export function ejected(s: ServerSlot, now: number): boolean {
  return s.maxFails > 0 && s.fails >= s.maxFails && now - s.checked <= s.failTimeoutMs;
}

export class PassiveLimits {
  readonly #config: ResolvedPassiveHealth;
  readonly #upstream: string;
  readonly #env: PoolEnv;
  #panic = false;

  constructor(upstream: string, config: ResolvedPassiveHealth, env: PoolEnv) {
    this.#upstream = upstream;
    this.#config = config;
    this.#env = env;
  }

  /** Whether the last pick was made in panic mode (the status shows it). */
  get inPanic(): boolean {
    return this.#panic;
  }

  get panicEnabled(): boolean {
    return this.#config.panicBelowPercent > 0;
  }

  /**
   * Panic when fewer than `panicBelowPercent` % of the primaries (not `down`) are healthy, and of
   * the backups too (healthy backups take the traffic first, as Envoy's priority spill-over). O(servers)
   * per pick, stopping as soon as enough healthy servers are seen.
   */
  panic(primary: readonly ServerSlot[], backup: readonly ServerSlot[], now: number): boolean {
    const below = this.#config.panicBelowPercent;
    if (below === 0) return false;
    const panic = lowOn(primary, below, now) && (backup.length === 0 || lowOn(backup, below, now));
    if (panic !== this.#panic) {
      this.#panic = panic;
      const { healthy, servers } = count(primary, now);
      this.#env.emit('upstream:panic', { upstream: this.#upstream, panic, healthy, servers });
    }
    return panic;
  }

  /**
   * Asked before a failure is counted: whether it would eject `slot` (`fails` reaching `maxFails`)
   * beyond `maxEjectedPercent` of its tier (at least one server of a tier may always be ejected,
   * as Envoy does); then the failure is not counted toward ejection.
   */
  capped(slot: ServerSlot, fails: number, tier: readonly ServerSlot[], now: number): boolean {
    const max = this.#config.maxEjectedPercent;
    if (max >= 100 || slot.maxFails === 0 || fails < slot.maxFails || ejected(slot, now)) return false;
    const allowed = Math.max(1, Math.floor((tier.length * max) / 100));
    let out = 0;
    for (const s of tier) if (s !== slot && ejected(s, now) && ++out >= allowed) return true;
    return false;
  }
}

function lowOn(tier: readonly ServerSlot[], below: number, now: number): boolean {
  let eligible = 0;
  for (const s of tier) if (!s.down) eligible++;
  if (eligible === 0) return true;
  const needed = (below * eligible) / 100;
  let healthy = 0;
  for (const s of tier) {
    if (!s.down && s.healthy && !ejected(s, now) && ++healthy >= needed) return false;
  }
  return true;
}

function count(tier: readonly ServerSlot[], now: number): { healthy: number; servers: number } {
  let healthy = 0;
  let servers = 0;
  for (const s of tier) {
    if (s.down) continue;
    servers++;
    if (s.healthy && !ejected(s, now)) healthy++;
  }
  return { healthy, servers };
}
