/** @module nginx limit_req (ngx_http_limit_req_module): per-key excess in 1/1000 requests leaking at the zone's rate, several limits per request, bounded zones that evict the least recently used key. */
import type { RequestInfo } from '../base-types.js';

/** A zone's key compiled from its nginx variables. */
export type LimitKey = (req: RequestInfo) => string;

/** `limit_req` resolved: its zone object and nginx's integer burst and delay (in 1/1000 requests). */
export interface ResolvedRequestLimit {
  readonly zone: RequestRateZone;
  readonly burst: number;
  readonly delay: number;
}

/**
 * Bytes nginx's slab allocator gives one limit_req state on 64-bit for a `$binary_remote_addr` key
 * (its docs: "about 8 thousand 128-byte states" per megabyte): a zone of SIZE bytes keeps SIZE/128 keys.
 */
export const RATE_STATE_BYTES = 128;

/** One key's state, as nginx's ngx_http_limit_req_node_t. */
interface RateNode {
  /** Requests over the rate, in 1/1000 requests. */
  excess: number;
  /** ngx_current_msec of the last accounted request. */
  last: number;
  /** Requests between lookup and account (several limits): such a node is never expired. */
  count: number;
}

/** What a lookup says: over the burst, accounted (the last limit), or looked up and locked for the account step. */
type LookupResult = { rc: 'busy'; excess: number } | { rc: 'ok'; excess: number } | { rc: 'again'; node: RateNode };

/** A limit_req zone: `rate` in 1/1000 requests per second, at most `capacity` keys. */
export class RequestRateZone {
  readonly name: string;
  readonly rate: number;
  readonly key: LimitKey;
  readonly capacity: number;
  /** Insertion order is nginx's LRU queue: the first entry is the least recently used. */
  readonly #nodes = new Map<string, RateNode>();

  constructor(name: string, key: LimitKey, rate: number, capacity: number) {
    this.name = name;
    this.key = key;
    this.rate = rate;
    this.capacity = capacity;
  }

  /** Keys held now (never more than `capacity`). */
  get size(): number {
    return this.#nodes.size;
  }

  /** ngx_http_limit_req_lookup: find or create the key's node; `account` is true for the last limit of the request. */
  lookup(key: string, now: number, burst: number, account: boolean): LookupResult {
    const node = this.#nodes.get(key);
    if (node !== undefined) {
      // Bump to the head of the LRU queue.
      this.#nodes.delete(key);
      this.#nodes.set(key, node);
      const ms = elapsed(now, node.last);
      const excess = Math.max(0, node.excess - Math.floor((this.rate * ms) / 1000) + 1000);
      if (excess > burst) return { rc: 'busy', excess };
      if (account) {
        node.excess = excess;
        if (ms !== 0) node.last = now;
        return { rc: 'ok', excess };
      }
      node.count++;
      return { rc: 'again', node };
    }
    this.#expire(now, 1);
    // nginx's allocation fails when the zone is full: it then removes the oldest state by force.
    if (this.#nodes.size >= this.capacity) this.#expire(now, 0);
    const fresh: RateNode = account ? { excess: 0, last: now, count: 0 } : { excess: 0, last: 0, count: 1 };
    this.#nodes.set(key, fresh);
    return account ? { rc: 'ok', excess: 0 } : { rc: 'again', node: fresh };
  }

  /** ngx_http_limit_req_account's step for one node locked by `lookup`: its excess now, accounted. */
  account(node: RateNode, now: number): number {
    const ms = elapsed(now, node.last);
    const excess = Math.max(0, node.excess - Math.floor((this.rate * ms) / 1000) + 1000);
    if (ms !== 0) node.last = now;
    node.excess = excess;
    node.count--;
    return excess;
  }

  /** ngx_http_limit_req_unlock for one node. */
  unlock(node: RateNode): void {
    node.count--;
  }

  /**
   * ngx_http_limit_req_expire: `n` 1 removes one or two idle states (a minute old, excess leaked
   * to 0) from the LRU end; `n` 0 first removes the oldest by force. A state locked by a request
   * being accounted stops the walk.
   */
  #expire(now: number, n: number): void {
    while (n < 3) {
      const first = this.#nodes.entries().next();
      if (first.done === true) return;
      const [key, node] = first.value;
      if (node.count !== 0) return;
      if (n++ !== 0) {
        const ms = Math.abs(now - node.last);
        if (ms < 60_000) return;
        if (node.excess - Math.floor((this.rate * ms) / 1000) > 0) return;
      }
      this.#nodes.delete(key);
    }
  }
}

/** nginx's guard against a clock that went back: a minute back counts as 1 ms, less as 0. */
function elapsed(now: number, last: number): number {
  const ms = now - last;
  if (ms < -60_000) return 1;
  return ms < 0 ? 0 : ms;
}

/** What limit_req decides for one request. */
export type RateVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'reject'; readonly zone: string; readonly excess: number }
  | { readonly kind: 'delay'; readonly ms: number; readonly zone: string; readonly excess: number };

const PASS: RateVerdict = Object.freeze({ kind: 'pass' });

/**
 * ngx_http_limit_req_handler: every limit of the location is looked up in order (the last one
 * accounted at once, the others locked); the first over its burst rejects the request and
 * unlocks the others, which are then not charged. Otherwise every limit is charged and the
 * request waits for the longest delay any of them asks ((excess - delay) / rate). `now` is
 * ngx_current_msec: whole milliseconds.
 */
export function limitRequest(limits: readonly ResolvedRequestLimit[], request: RequestInfo, now: number): RateVerdict {
  const locked: Array<{ zone: RequestRateZone; node: RateNode; delay: number }> = [];
  let last: { rc: 'ok'; excess: number; limit: ResolvedRequestLimit } | undefined;
  let looked = false;
  for (let n = 0; n < limits.length; n++) {
    const limit = limits[n]!;
    const key = limit.zone.key(request);
    // An empty key is not limited; nginx also skips keys over 65535 bytes (with an error log line).
    if (key === '' || key.length > 65535) continue;
    looked = true;
    const found = limit.zone.lookup(key, now, limit.burst, n === limits.length - 1);
    if (found.rc === 'busy') {
      for (const l of locked) l.zone.unlock(l.node);
      return { kind: 'reject', zone: limit.zone.name, excess: found.excess };
    }
    if (found.rc === 'ok') last = { rc: 'ok', excess: found.excess, limit };
    else locked.push({ zone: limit.zone, node: found.node, delay: limit.delay });
  }
  if (!looked) return PASS;
  let maxDelay = 0;
  let zone = '';
  let worst = 0;
  if (last !== undefined && last.excess > last.limit.delay) {
    maxDelay = Math.floor(((last.excess - last.limit.delay) * 1000) / last.limit.zone.rate);
    zone = last.limit.zone.name;
    worst = last.excess;
  }
  // nginx walks the locked limits from the last to the first.
  for (let i = locked.length - 1; i >= 0; i--) {
    const l = locked[i]!;
    const excess = l.zone.account(l.node, now);
    if (excess <= l.delay) continue;
    const delay = Math.floor(((excess - l.delay) * 1000) / l.zone.rate);
    if (delay > maxDelay) {
      maxDelay = delay;
      zone = l.zone.name;
      worst = excess;
    }
  }
  return maxDelay === 0 ? PASS : { kind: 'delay', ms: maxDelay, zone, excess: worst };
}

/** nginx's `rate=` value: `Nr/s`, `Nr/m` (or a bare `N`, which nginx reads as per second) in 1/1000 requests per second; undefined when invalid. */
export function parseRate(text: string): number | undefined {
  const m = /^(\d+)(?:r\/([sm]))?$/.exec(text);
  if (m === null) return undefined;
  const rate = Number(m[1]);
  if (!Number.isSafeInteger(rate) || rate <= 0) return undefined;
  return Math.floor((rate * 1000) / (m[2] === 'm' ? 60 : 1));
}
