/** @module DNS lookups through node:dns's `Resolver` (c-ares, with TTLs): addresses of a name and SRV records, each with a hard deadline. */
import { Resolver } from 'node:dns/promises';
import type { ResolvedResolver } from '../types.js';

/** A good answer (possibly empty: NXDOMAIN, or no records of the asked types) or a failure that keeps the last good set. */
export type AddressLookup =
  | {
      readonly ok: true;
      readonly addresses: readonly string[];
      readonly ttlMs: number | undefined;
      /** One family answered, the other failed (a small DNS server refusing AAAA): its family and error. */
      readonly partial?: { readonly family: 4 | 6; readonly error: string };
    }
  | { readonly ok: false; readonly error: string };

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export type SrvLookup = { readonly ok: true; readonly records: readonly SrvRecord[] } | { readonly ok: false; readonly error: string };

/** Authoritative "no such name" (NXDOMAIN) and "no records of this type": both are an empty answer, as nginx treats them. */
const EMPTY_CODES = new Set(['ENOTFOUND', 'ENODATA']);

type Family = { family: 4 | 6 } & ({ ok: true; addresses: string[]; ttl: number | undefined } | { ok: false; error: string });

/** One resolver per looked-up name, so a deadline cancels only that name's queries. */
export class DnsClient {
  readonly #resolver: Resolver;
  readonly #options: ResolvedResolver;
  #closed = false;

  constructor(options: ResolvedResolver) {
    this.#options = options;
    // tries: 1: the deadline below is the whole lookup; the next retry is the watcher's.
    this.#resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
    if (options.servers !== undefined) this.#resolver.setServers([...options.servers]);
  }

  /** A and/or AAAA records (per `ipv4`/`ipv6`), with the smallest TTL of the answer. */
  async addresses(name: string): Promise<AddressLookup> {
    const queries: Array<Promise<Family>> = [];
    if (this.#options.ipv4) queries.push(this.#family(4, () => this.#resolver.resolve4(name, { ttl: true })));
    if (this.#options.ipv6) queries.push(this.#family(6, () => this.#resolver.resolve6(name, { ttl: true })));
    const results = await this.#deadline(Promise.all(queries));
    if (results === undefined) return { ok: false, error: `timed out after ${this.#options.timeoutMs}ms` };
    const addresses: string[] = [];
    let ttl: number | undefined;
    let partial: { family: 4 | 6; error: string } | undefined;
    for (const r of results) {
      // A failed family fails the lookup only when no other family answered: an A answer is
      // good even when the server refuses AAAA (EREFUSED, common with small DNS servers).
      if (!r.ok) {
        if (results.length === 1 || results.every((o) => !o.ok)) return { ok: false, error: r.error };
        partial = { family: r.family, error: r.error };
        continue;
      }
      addresses.push(...r.addresses);
      if (r.ttl !== undefined) ttl = ttl === undefined ? r.ttl : Math.min(ttl, r.ttl);
    }
    return { ok: true, addresses: addresses.sort(), ttlMs: ttl === undefined ? undefined : ttl * 1000, ...(partial !== undefined ? { partial } : {}) };
  }

  /** SRV records of `name` (node:dns gives no TTL for them). */
  async srv(name: string): Promise<SrvLookup> {
    const run = this.#resolver.resolveSrv(name).then(
      (records): SrvLookup => ({ ok: true, records }),
      (err: unknown): SrvLookup => (EMPTY_CODES.has(codeOf(err)) ? { ok: true, records: [] } : { ok: false, error: describeDnsError(err) }),
    );
    const result = await this.#deadline(run);
    return result ?? { ok: false, error: `timed out after ${this.#options.timeoutMs}ms` };
  }

  /** Cancels queries in flight; later lookups fail at once. */
  close(): void {
    this.#closed = true;
    this.#resolver.cancel();
  }

  async #family(family: 4 | 6, query: () => Promise<Array<{ address: string; ttl: number }>>): Promise<Family> {
    if (this.#closed) return { family, ok: false, error: 'closed' };
    try {
      const records = await query();
      let ttl: number | undefined;
      for (const r of records) ttl = ttl === undefined ? r.ttl : Math.min(ttl, r.ttl);
      return { family, ok: true, addresses: records.map((r) => r.address), ttl };
    } catch (err) {
      if (EMPTY_CODES.has(codeOf(err))) return { family, ok: true, addresses: [], ttl: undefined };
      return { family, ok: false, error: `${family === 4 ? 'A' : 'AAAA'} lookup: ${describeDnsError(err)}` };
    }
  }

  /** c-ares may try each configured server in turn: the deadline bounds the whole lookup. */
  async #deadline<T>(work: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.#resolver.cancel();
        resolve(undefined);
      }, this.#options.timeoutMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
}

function describeDnsError(err: unknown): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return code !== '' && !message.includes(code) ? `${code}: ${message}` : message;
}
