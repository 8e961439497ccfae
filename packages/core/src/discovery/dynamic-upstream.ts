/** @module One upstream's dynamic servers: the union of every source (DNS names, the discover hook) applied to its pool as a diff. */
import type { PoolControl } from '../internal.js';
import type { ResolvedServer, ServerChangeReason } from '../types.js';
import type { HealthChecks } from '../health/health-checks.js';

/**
 * Each source hands over its whole list; the pool gets only the difference: servers that stay keep
 * every counter (passive failures, smooth-RR weights, active tries, latency, health), new ones start
 * fresh, removed ones finish what they carry. A url given by two sources is taken once (first
 * source wins); a url the pool already has from the configuration or addServer is left alone.
 */
export class DynamicUpstream {
  readonly #name: string;
  readonly #pool: PoolControl;
  readonly #health: HealthChecks;
  /** In registration order: the order decides which source owns a url given twice. */
  readonly #sources = new Map<string, { servers: readonly ResolvedServer[]; reason: ServerChangeReason; answered: boolean }>();
  /** The servers the sources put in the pool, by url. */
  #managed = new Map<string, ResolvedServer>();

  constructor(name: string, pool: PoolControl, health: HealthChecks) {
    this.#name = name;
    this.#pool = pool;
    this.#health = health;
  }

  register(source: string, reason: ServerChangeReason): void {
    this.#sources.set(source, { servers: [], reason, answered: false });
  }

  /** A source that ends (a name removed at run time): its servers leave the pool. */
  drop(source: string): void {
    const entry = this.#sources.get(source);
    if (entry === undefined) return;
    this.#sources.delete(source);
    this.#apply(false, entry.reason);
  }

  /** Replace one source's list and apply the resulting diff. */
  set(source: string, servers: readonly ResolvedServer[]): void {
    const entry = this.#sources.get(source);
    if (entry === undefined) return;
    const rampUp = entry.answered;
    entry.servers = servers;
    entry.answered = true;
    // The diff comes from this source's change: it gives the reason of every add and removal.
    this.#apply(rampUp, entry.reason);
  }

  #apply(rampUp: boolean, reason: ServerChangeReason): void {
    // In source order: the first source (and the first entry) giving a url wins; the pool keeps this order.
    const wanted = new Map<string, ResolvedServer>();
    for (const source of this.#sources.values()) for (const server of source.servers) if (!wanted.has(server.url)) wanted.set(server.url, server);
    const removed: string[] = [];
    const reweighed: ResolvedServer[] = [];
    for (const [url, had] of this.#managed) {
      const want = wanted.get(url);
      // A server that moved between primary and backup (SRV priority) is a new server in its tier.
      if (want === undefined || want.backup !== had.backup) removed.push(url);
      else if (want.weight !== had.weight) reweighed.push(want);
    }
    for (const url of removed) this.#managed.delete(url);
    const added: ResolvedServer[] = [];
    for (const [url, want] of wanted) {
      // Marked with where it came from: the admin API refuses to edit these one by one (409).
      if (!this.#managed.has(url)) added.push(want.source === undefined && reason !== 'admin' ? { ...want, source: reason } : want);
    }
    if (added.length > 0 || removed.length > 0) {
      const actual = new Set(this.#pool.applyDiff(added, removed, reason, rampUp));
      for (const url of removed) this.#health.unwatch(this.#name, url);
      for (const server of added) {
        if (!actual.has(server.url)) continue;
        this.#managed.set(server.url, server);
        this.#health.watch(this.#name, server.url);
      }
    }
    for (const server of reweighed) {
      this.#managed.set(server.url, server);
      this.#pool.setServer(server.url, { weight: server.weight });
    }
  }
}
