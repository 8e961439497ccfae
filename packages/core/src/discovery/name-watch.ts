/** @module The lookup loop of one `resolve` server: A/AAAA or SRV (+ targets), TTL-driven schedule, last good set kept on failure, one event per outage. */
import type { PoolEnv } from '../internal.js';
import type { ResolvedResolver, ResolvedServer, ResolvedServerName, ResolverNameStatus } from '../types.js';
import { isIP } from 'node:net';
import { DnsClient, type SrvRecord } from './dns-lookup.js';
import { MAX_WEIGHT } from '../config/defaults.js';

/** nginx never re-resolves more often than this, whatever the TTL. */
export const MIN_LOOKUP_INTERVAL_MS = 1000;
/** SRV answers carry no TTL in node:dns: without `valid` and without target TTLs, look again this often. */
export const SRV_FALLBACK_INTERVAL_MS = 30_000;
/** setTimeout's largest delay (2^31-1 ms, about 24.8 days): a longer TTL or `valid` waits this long (a longer delay would fire at once). */
export const MAX_LOOKUP_INTERVAL_MS = 2 ** 31 - 1;

/** Receives the full address list of this name after every change. */
export type ServersListener = (servers: readonly ResolvedServer[]) => void;

export class NameWatch {
  readonly #upstream: string;
  readonly #spec: ResolvedServerName;
  readonly #options: ResolvedResolver;
  readonly #env: PoolEnv;
  readonly #onServers: ServersListener;
  readonly #dns: DnsClient;
  readonly #first: Promise<void>;
  #settleFirst: () => void = () => {};
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Key of the last list handed over, so an unchanged answer costs nothing downstream. */
  #lastKey: string | undefined;
  #answer: readonly string[] = [];
  #answeredAt: number | undefined;
  #nextAt: number | undefined;
  #error: string | undefined;
  /** The first lookup was reported (`discovery:answer`). */
  #told = false;
  /** Last good addresses of the name (kept per family when only one family fails). */
  #addresses: readonly string[] = [];
  /** Last good addresses of each SRV target (kept when only that target's lookup fails). */
  readonly #targets = new Map<string, readonly string[]>();

  constructor(upstream: string, spec: ResolvedServerName, options: ResolvedResolver, env: PoolEnv, onServers: ServersListener) {
    this.#upstream = upstream;
    this.#spec = spec;
    this.#options = options;
    this.#env = env;
    this.#onServers = onServers;
    this.#dns = new DnsClient(options);
    this.#first = new Promise((resolve) => {
      this.#settleFirst = resolve;
    });
  }

  /** The url written for this name (the key of a name added at run time). */
  get url(): string {
    return this.#spec.template.url;
  }

  /** The name queried: `api.internal` or `_http._tcp.api.internal`. */
  get name(): string {
    return this.#spec.srv ?? this.#spec.hostname;
  }

  /** Settles after the first lookup, whatever its outcome (a lookup never outlives the resolver timeout). */
  get first(): Promise<void> {
    return this.#first;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = undefined;
    this.#dns.close();
    this.#settleFirst();
  }

  status(): ResolverNameStatus {
    return {
      name: this.name,
      answer: this.#answer,
      ...(this.#answeredAt !== undefined ? { answeredAt: this.#answeredAt } : {}),
      ...(this.#nextAt !== undefined ? { nextLookupAt: this.#nextAt } : {}),
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    };
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    this.#timer = undefined;
    const started = performance.now();
    let waitMs: number;
    try {
      waitMs = this.#spec.srv === undefined ? await this.#lookupAddresses() : await this.#lookupSrv(this.#spec.srv);
    } catch (err) {
      // Never expected (lookups report failures as values); keep the loop alive regardless.
      waitMs = this.#failed(String(err));
    }
    this.#tellFirst();
    this.#settleFirst();
    if (this.#stopped) return;
    const elapsed = performance.now() - started;
    const wait = Math.min(Math.max(waitMs, MIN_LOOKUP_INTERVAL_MS) - elapsed, MAX_LOOKUP_INTERVAL_MS);
    this.#nextAt = Date.now() + Math.max(0, wait);
    // unref'd like the health probes: a forgotten close() never keeps a process alive (a listening server does).
    this.#timer = setTimeout(() => void this.#run(), Math.max(0, wait));
    this.#timer.unref();
  }

  /** Returns how long to wait before the next lookup. */
  async #lookupAddresses(): Promise<number> {
    const result = await this.#dns.addresses(this.#spec.hostname);
    if (this.#stopped) return 0;
    if (!result.ok) return this.#failed(result.error);
    let addresses = result.addresses;
    if (result.partial !== undefined) {
      // The family that failed keeps its last good addresses, as a failed lookup keeps all of them.
      const family = result.partial.family;
      addresses = [...addresses, ...this.#addresses.filter((a) => isIP(a) === family)].sort();
      // An answer, and an outage (one event while it lasts, as for a failed lookup).
      this.#answer = addresses;
      this.#answeredAt = Date.now();
      this.#failed(`${result.partial.error} (the ${family === 6 ? 'A' : 'AAAA'} answer is used)`);
    } else {
      this.#recovered(addresses);
    }
    this.#addresses = addresses;
    this.#publish(addresses.map((a) => this.#addressServer(a, undefined)));
    return this.#interval(result.ttlMs);
  }

  /** One line per name at its first lookup: what it resolved to, or why it did not. */
  #tellFirst(): void {
    if (this.#told || this.#stopped) return;
    this.#told = true;
    this.#env.emit('discovery:answer', {
      upstream: this.#upstream,
      source: this.name,
      answer: this.#answer,
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    });
  }

  async #lookupSrv(srv: string): Promise<number> {
    const result = await this.#dns.srv(srv);
    if (this.#stopped) return 0;
    if (!result.ok) return this.#failed(result.error);
    const records = [...result.records].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name) || a.port - b.port);
    let ttlMs: number | undefined;
    const targetErrors: string[] = [];
    const names = new Set(records.map((r) => r.name));
    // Every target at once: one slow target does not hold the others' answers.
    const answers = await Promise.all([...names].map(async (target) => [target, await this.#dns.addresses(target)] as const));
    if (this.#stopped) return 0;
    for (const [target, found] of answers) {
      if (found.ok) {
        this.#targets.set(target, found.addresses);
        if (found.ttlMs !== undefined) ttlMs = ttlMs === undefined ? found.ttlMs : Math.min(ttlMs, found.ttlMs);
      } else {
        targetErrors.push(`${target}: ${found.error}`);
      }
    }
    for (const target of [...this.#targets.keys()]) if (!names.has(target)) this.#targets.delete(target);
    const primary = records.length > 0 ? records[0]!.priority : 0;
    const servers: ResolvedServer[] = [];
    for (const record of records) {
      for (const address of this.#targets.get(record.name) ?? []) servers.push(this.#addressServer(address, { record, backup: record.priority !== primary }));
    }
    const answer = records.map((r) => `${r.name}:${r.port} priority=${r.priority} weight=${r.weight}`);
    const heavy = records.filter((r) => r.weight > MAX_WEIGHT);
    if (heavy.length > 0 && answer.join('\n') !== this.#answer.join('\n')) {
      // SRV weights go to 65535: capped like a configured weight (once per changed answer, not per lookup).
      this.#env.emit('input:limited', {
        source: 'dns',
        upstream: this.#upstream,
        field: `${srv} SRV weight`,
        action: 'capped',
        detail: `${heavy.map((r) => `${r.name}:${r.port} weight=${r.weight}`).join(', ')} above ${MAX_WEIGHT}: used as ${MAX_WEIGHT}`,
      });
    }
    this.#publish(servers);
    if (targetErrors.length > 0) {
      // The SRV answer is in use; targets that failed keep their last addresses until they answer.
      this.#answer = answer;
      return this.#failed(targetErrors.join('; '));
    }
    this.#recovered(answer);
    return this.#options.validMs > 0 ? this.#options.validMs : (ttlMs ?? SRV_FALLBACK_INTERVAL_MS);
  }

  #interval(ttlMs: number | undefined): number {
    if (this.#options.validMs > 0) return this.#options.validMs;
    // An empty answer (NXDOMAIN) has no TTL here: look again as after a failure.
    return ttlMs ?? this.#retryMs();
  }

  #retryMs(): number {
    return Math.max(this.#options.timeoutMs, MIN_LOOKUP_INTERVAL_MS);
  }

  /** One event per outage; the last good set stays in the pool. */
  #failed(error: string): number {
    const first = this.#error === undefined;
    this.#error = error;
    if (first) this.#env.emit('discovery:error', { upstream: this.#upstream, source: this.name, error });
    return this.#retryMs();
  }

  #recovered(answer: readonly string[]): void {
    this.#answer = answer;
    this.#answeredAt = Date.now();
    if (this.#error !== undefined) {
      this.#error = undefined;
      this.#env.emit('discovery:recovered', { upstream: this.#upstream, source: this.name });
    }
  }

  #publish(servers: readonly ResolvedServer[]): void {
    const key = servers.map((s) => `${s.url} ${s.weight} ${s.backup ? 'b' : ''}`).join('\n');
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#onServers(servers);
  }

  /** One server per address: the template's options, the name kept for Host and TLS. */
  #addressServer(address: string, srv: { record: SrvRecord; backup: boolean } | undefined): ResolvedServer {
    const template = this.#spec.template;
    const u = new URL(template.url);
    const port = srv?.record.port ?? (u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80);
    const host = address.includes(':') ? `[${address}]` : address;
    const basePath = u.pathname.replace(/\/+$/, '');
    return addressServer(
      template,
      `${u.protocol}//${host}:${port}${basePath}`,
      // SRV weights are relative shares; 0 counts as 1 (RFC 2782 "very small chance").
      // Above MAX_WEIGHT (SRV allows 65535) it is capped as a configured weight is refused.
      srv !== undefined ? Math.min(MAX_WEIGHT, Math.max(1, srv.record.weight)) : template.weight,
      template.backup || srv?.backup === true,
      this.#spec.hostname,
      u.host,
    );
  }
}

/**
 * A resolved address with its template's options. Written out field by field (not spread): the
 * objects stay small and fast to read, which the diff of a large pool does 1,000s of times.
 */
export function addressServer(template: ResolvedServer, url: string, weight: number, backup: boolean, name: string, host: string): ResolvedServer {
  return Object.freeze({
    url,
    weight,
    maxFails: template.maxFails,
    failTimeoutMs: template.failTimeoutMs,
    backup,
    down: template.down,
    drain: template.drain,
    maxConns: template.maxConns,
    slowStartMs: template.slowStartMs,
    name,
    host,
    // The template's TLS settings apply to every address (SNI and the certificate check use `name`).
    ...(template.tls !== undefined ? { tls: template.tls } : {}),
  });
}
