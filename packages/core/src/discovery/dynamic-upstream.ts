/** @module One upstream's dynamic servers: the union of every source (DNS names, the discover hook) applied to its pool as a diff. */
import type { PoolControl } from '../internal.js';
import type { ResolvedServer, ServerChangeReason } from '../types.js';
import type { HealthChecks } from '../health/health-checks.js';

interface Managed {
  readonly server: ResolvedServer;
  readonly reason: ServerChangeReason;
}

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
  readonly #managed = new Map<string, Managed>();

  constructor(name: string, pool: PoolControl, health: HealthChecks) {
    this.#name = name;
    this.#pool = pool;
    this.#health = health;
  }

  register(source: string, reason: ServerChangeReason): void {
    this.#sources.set(source, { servers: [], reason, answered: false });
  }

  /** Replace one source's list and apply the resulting diff. */
  set(source: string, servers: readonly ResolvedServer[]): void {
    const entry = this.#sources.get(source);
    if (entry === undefined) return;
    const rampUp = entry.answered;
    entry.servers = servers;
    entry.answered = true;
    this.#apply(rampUp);
  }

  /** The urls this upstream's sources put in the pool (for status and tests). */
  urls(): string[] {
    return [...this.#managed.keys()];
  }

  #apply(rampUp: boolean): void {
    const wanted = new Map<string, Managed>();
    for (const source of this.#sources.values()) {
      for (const server of source.servers) {
        const had = this.#managed.get(server.url);
        // The same object as before (an unchanged entry) is reused: no allocation on the hot path.
        if (!wanted.has(server.url)) wanted.set(server.url, had !== undefined && had.server === server ? had : { server, reason: source.reason });
      }
    }
    const removed: string[] = [];
    const added: ResolvedServer[] = [];
    const reweighed: ResolvedServer[] = [];
    let reason: ServerChangeReason | undefined;
    for (const [url, had] of this.#managed) {
      const want = wanted.get(url);
      // A server that moved between primary and backup (SRV priority) is a new server in its tier.
      if (want === undefined || want.server.backup !== had.server.backup) {
        removed.push(url);
        reason ??= had.reason;
      } else if (want.server.weight !== had.server.weight) {
        reweighed.push(want.server);
      }
    }
    for (const url of removed) this.#managed.delete(url);
    for (const [url, want] of wanted) {
      if (this.#managed.has(url)) continue;
      added.push(want.server);
      reason ??= want.reason;
    }
    if (added.length > 0 || removed.length > 0) {
      const actual = new Set(this.#pool.applyDiff(added, removed, reason ?? 'dns', rampUp));
      for (const url of removed) this.#health.unwatch(this.#name, url);
      for (const server of added) {
        if (!actual.has(server.url)) continue;
        this.#managed.set(server.url, wanted.get(server.url)!);
        this.#health.watch(this.#name, server.url);
      }
    }
    for (const server of reweighed) {
      this.#managed.set(server.url, wanted.get(server.url)!);
      this.#pool.setServer(server.url, { weight: server.weight });
    }
  }
}
