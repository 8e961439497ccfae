/** @module hash consistent: nginx's ketama ring (ngx_http_upstream_init_chash / get_chash_peer), point for point. */
import type { Chooser, PickGate } from '../chooser.js';
import { CRC32_INIT, crc32, crc32Final, crc32Update, crc32Update4, crc32UpdateBytes } from '../crc32.js';
import { ringHostPort } from '../server-info.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { HashRing } from './hash-ring.js';

const MAX_TRIES = 20;
/** nginx: `160 * weight` points per server. */
export const POINTS_PER_WEIGHT = 160;
/**
 * Most ring points of one tier: 1,000 units of weight at nginx's 160 (1,000 servers of weight 1,
 * or 100 of weight 10) keep nginx's ring exactly. Above it every server gets its share of this
 * many points instead (at least one). 160,000 points keep 1.3 MB (a uint32 hash and an int32
 * rank each; about 4 MB more while building) and a full build takes 15 ms of CPU (median,
 * bench/pool-change.ts), so no pool change blocks the event loop for long, whatever the weights
 * (docs/security.md).
 */
export const MAX_RING_POINTS = 1000 * POINTS_PER_WEIGHT;

/**
 * The ring points of each server of a tier: `160 * weight` as nginx while the tier's total stays
 * within MAX_RING_POINTS, else `floor(weight * MAX_RING_POINTS / total weight)`, at least 1. The
 * points of a name are a crc32 chain, so fewer points are the first ones of the same chain: scaling
 * moves only the keys of the points dropped, as removing weight does.
 */
export function ringPointCounts(servers: readonly ServerSlot[]): (slot: ServerSlot) => number {
  let total = 0;
  for (const s of servers) total += s.weight;
  if (total * POINTS_PER_WEIGHT <= MAX_RING_POINTS) return (s) => s.weight * POINTS_PER_WEIGHT;
  const scale = MAX_RING_POINTS / total;
  return (s) => Math.max(1, Math.floor(s.weight * scale));
}

/** nginx's ring points of one server name (`host:port` as written) with `weight`, unsorted. */
export function ringPoints(name: string, weight: number): number[] {
  return ringChain(name, weight * POINTS_PER_WEIGHT);
}

/**
 * The first `count` points of a name's chain, unsorted: crc32(HOST \0 PORT PREV_HASH), PREV_HASH
 * the previous point as 4 little-endian bytes (0 at first).
 */
export function ringChain(name: string, count: number): number[] {
  const { host, port } = ringHostPort(name);
  let base = crc32Update(CRC32_INIT, host);
  base = crc32UpdateBytes(base, [0]);
  base = crc32Update(base, port);
  const out = new Array<number>(count);
  let prev = 0;
  for (let j = 0; j < count; j++) {
    // The previous point's 4 bytes, little-endian, through crc32 (crc32Update4 unrolls the loop).
    const hash = crc32Final(crc32Update4(base, prev));
    out[j] = hash;
    prev = hash;
  }
  return out;
}

export class ConsistentHash implements Chooser {
  readonly #ring = new HashRing((s, count) => ringChain(s.ringName, count));
  /** The tier as last given to rebuild(), until the next pick builds its ring. */
  #pending: readonly ServerSlot[] | undefined;
  /** Every point's hash, ascending (duplicates included: see HashRing.pointHash). */
  #hashes: Uint32Array = new Uint32Array(0);
  /** Each point's server rank. */
  #seqs: Int32Array = new Int32Array(0);
  /** Each rank's name group. */
  #groupOfSeq: Int32Array = new Int32Array(0);
  /** Servers sharing one name (nginx compares points to peers by name). */
  #groups: ServerSlot[][] = [];

  /**
   * Deferred to the next pick: 500 addServer calls (or a DNS answer applied as many changes) build
   * the ring once, not 500 times. Incremental then: a server added, removed or reweighted moves
   * only its own points (HashRing).
   */
  rebuild(servers: readonly ServerSlot[]): void {
    this.#pending = servers;
  }

  #build(): void {
    const servers = this.#pending as readonly ServerSlot[];
    this.#pending = undefined;
    this.#ring.update(servers, ringPointCounts(servers));
    this.#hashes = this.#ring.pointHash;
    this.#seqs = this.#ring.pointSeq;
    this.#groupOfSeq = this.#ring.groupOfSeq;
    this.#groups = this.#ring.groups;
  }

  /** Ring points in use, duplicates included (never above MAX_RING_POINTS plus one per server). */
  get size(): number {
    if (this.#pending !== undefined) this.#build();
    return this.#hashes.length;
  }

  /** Index of the first point >= hash, the first of equal ones (may be the point count: the ring wraps). */
  #find(hash: number): number {
    const h = this.#hashes;
    let i = 0;
    let j = h.length;
    while (i < j) {
      const k = (i + j) >>> 1;
      if (hash > (h[k] as number)) i = k + 1;
      else j = k;
    }
    return i;
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    if (this.#pending !== undefined) this.#build();
    const n = this.#hashes.length;
    if (n === 0) return undefined;
    if (servers.length < 2) return smoothWeighted(servers, gate, true);
    const key = gate.hashKey();
    // nginx: an empty key is no key, the request goes round robin.
    if (key === '') return smoothWeighted(servers, gate, false);
    let point = this.#find(crc32(key));
    for (let tries = 0; ;) {
      const at = point % n;
      const group = this.#groups[this.#groupOfSeq[this.#seqs[at] as number] as number] as ServerSlot[];
      const s = smoothWeighted(group, gate, true);
      if (s !== undefined) return s;
      // The next point of another hash: nginx's ring holds one point per hash (the first server's).
      const hash = this.#hashes[at] as number;
      for (let skip = 0; skip < n && this.#hashes[point % n] === hash; skip++) point++;
      if (++tries > MAX_TRIES) return smoothWeighted(servers, gate, false);
    }
  }
}
