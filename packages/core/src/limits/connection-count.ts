/** @module nginx limit_conn (ngx_http_limit_conn_module): requests in progress per key, each slot released once when its request ends. */
import type { RequestInfo } from '../base-types.js';
import type { LimitKey } from './request-rate.js';

/**
 * Bytes nginx's slab allocator gives one limit_conn state on 64-bit for a `$binary_remote_addr`
 * key (its docs: "about 16 thousand 64-byte states" per megabyte).
 */
export const CONNECTION_STATE_BYTES = 64;

/** A limit_conn zone: the count of requests in progress per key, at most `capacity` keys at once. */
export class ConnectionZone {
  readonly name: string;
  readonly key: LimitKey;
  readonly capacity: number;
  readonly #counts = new Map<string, number>();

  constructor(name: string, key: LimitKey, capacity: number) {
    this.name = name;
    this.key = key;
    this.capacity = capacity;
  }

  /** Keys with a request in progress. */
  get size(): number {
    return this.#counts.size;
  }

  /** Requests in progress for `key`. */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /**
   * Take a slot for `key`: false when it has `max` already, or when it is new and the zone is full
   * (nginx cannot allocate its node: the request is refused too).
   */
  acquire(key: string, max: number): boolean {
    const held = this.#counts.get(key);
    if (held === undefined) {
      if (this.#counts.size >= this.capacity) return false;
      this.#counts.set(key, 1);
      return true;
    }
    if (held >= max) return false;
    this.#counts.set(key, held + 1);
    return true;
  }

  /** Give a slot back; the key's state goes with its last slot (ngx_http_limit_conn_cleanup). */
  release(key: string): void {
    const held = this.#counts.get(key);
    if (held === undefined) return;
    if (held <= 1) this.#counts.delete(key);
    else this.#counts.set(key, held - 1);
  }
}

/** What limit_conn decides: the slots taken (release them when the request ends), or the zone that refused. */
export type ConnectionVerdict = { readonly kind: 'pass'; readonly release: () => void } | { readonly kind: 'reject'; readonly zone: string };

const NOTHING = (): void => {};

/**
 * ngx_http_limit_conn_handler: a slot in every zone of the location (a key `''` is not limited;
 * nginx also skips keys over 255 bytes); the first zone at its limit refuses the request and the
 * slots already taken are given back. The release function gives every slot back once, however
 * often it is called.
 */
export function limitConnections(limits: ReadonlyArray<{ readonly zone: ConnectionZone; readonly max: number }>, request: RequestInfo): ConnectionVerdict {
  if (limits.length === 0) return { kind: 'pass', release: NOTHING };
  const taken: Array<{ zone: ConnectionZone; key: string }> = [];
  const releaseAll = (): void => {
    for (const t of taken.splice(0)) t.zone.release(t.key);
  };
  for (const { zone, max } of limits) {
    const key = zone.key(request);
    if (key === '' || key.length > 255) continue;
    if (!zone.acquire(key, max)) {
      releaseAll();
      return { kind: 'reject', zone: zone.name };
    }
    taken.push({ zone, key });
  }
  return { kind: 'pass', release: taken.length === 0 ? NOTHING : releaseAll };
}
