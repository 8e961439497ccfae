/** @module hash consistent: nginx's ketama ring (ngx_http_upstream_init_chash / get_chash_peer), point for point. */
import type { Chooser, PickGate } from '../chooser.js';
import { CRC32_INIT, crc32, crc32Final, crc32Update, crc32UpdateBytes } from '../crc32.js';
import { ringHostPort } from '../server-info.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';

const MAX_TRIES = 20;
const POINTS_PER_WEIGHT = 160;
/** Rings up to 2^21 points sort packed in doubles (32-bit hash + 21-bit index = 53 bits, exact). */
const SEQ_LIMIT = 2 ** 21;

/**
 * The ring points of one server name (`host:port` as written) with `weight`, unsorted:
 * crc32(HOST \0 PORT PREV_HASH), PREV_HASH the previous point as 4 little-endian bytes (0 at first).
 */
export function ringPoints(name: string, weight: number): number[] {
  const { host, port } = ringHostPort(name);
  let base = crc32Update(CRC32_INIT, host);
  base = crc32UpdateBytes(base, [0]);
  base = crc32Update(base, port);
  const out: number[] = [];
  const prev = [0, 0, 0, 0];
  for (let j = 0; j < weight * POINTS_PER_WEIGHT; j++) {
    const hash = crc32Final(crc32UpdateBytes(base, prev));
    out.push(hash);
    prev[0] = hash & 0xff;
    prev[1] = (hash >>> 8) & 0xff;
    prev[2] = (hash >>> 16) & 0xff;
    prev[3] = hash >>> 24;
  }
  return out;
}

export class ConsistentHash implements Chooser {
  #hashes = new Uint32Array(0);
  /** For each point, the index of its server-name group. */
  #owners = new Int32Array(0);
  /** Servers sharing one name (nginx compares points to peers by name). */
  #groups: ServerSlot[][] = [];

  /** Each server's points, computed once per weight: DNS/discover changes rebuild the ring often. */
  readonly #pointsOf = new WeakMap<ServerSlot, { weight: number; points: number[] }>();

  rebuild(servers: readonly ServerSlot[]): void {
    const groupOf = new Map<string, number>();
    const groups: ServerSlot[][] = [];
    const lists: number[][] = [];
    const listOwners: number[] = [];
    let total = 0;
    for (const s of servers) {
      let g = groupOf.get(s.ringName);
      if (g === undefined) {
        g = groups.length;
        groupOf.set(s.ringName, g);
        groups.push([]);
      }
      (groups[g] as ServerSlot[]).push(s);
      let cached = this.#pointsOf.get(s);
      if (cached === undefined || cached.weight !== s.weight) {
        cached = { weight: s.weight, points: ringPoints(s.ringName, s.weight) };
        this.#pointsOf.set(s, cached);
      }
      lists.push(cached.points);
      listOwners.push(g);
      total += cached.points.length;
    }
    // Sorted as one typed array of hash * 2^21 + insertion index (exact below 2^53): the same order
    // as a stable sort by hash (nginx keeps the first point of equal hashes), without an object per point.
    const owners = new Int32Array(total);
    const keys = total < SEQ_LIMIT ? new Float64Array(total) : undefined;
    const points: Array<{ hash: number; seq: number }> = [];
    let seq = 0;
    lists.forEach((list, i) => {
      const owner = listOwners[i] as number;
      for (const hash of list) {
        owners[seq] = owner;
        if (keys !== undefined) keys[seq] = hash * SEQ_LIMIT + seq;
        else points.push({ hash, seq });
        seq++;
      }
    });
    const hashes: number[] = [];
    const ringOwners: number[] = [];
    const keep = (hash: number, at: number): void => {
      // nginx keeps one point per hash value.
      if (hashes.length > 0 && hashes[hashes.length - 1] === hash) return;
      hashes.push(hash);
      ringOwners.push(owners[at] as number);
    };
    if (keys !== undefined) {
      keys.sort();
      for (const key of keys) {
        const at = key % SEQ_LIMIT;
        keep((key - at) / SEQ_LIMIT, at);
      }
    } else {
      points.sort((a, b) => a.hash - b.hash);
      for (const p of points) keep(p.hash, p.seq);
    }
    this.#hashes = Uint32Array.from(hashes);
    this.#owners = Int32Array.from(ringOwners);
    this.#groups = groups;
  }

  /** Index of the first point >= hash (may be the point count: the ring wraps). */
  #find(hash: number): number {
    const h = this.#hashes;
    let i = 0;
    let j = h.length;
    while (i < j) {
      const k = (i + j) >>> 1;
      const v = h[k] as number;
      if (hash > v) i = k + 1;
      else if (hash < v) j = k;
      else return k;
    }
    return i;
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    const n = this.#hashes.length;
    if (n === 0) return undefined;
    if (servers.length < 2) return smoothWeighted(servers, gate, true);
    const key = gate.hashKey();
    // nginx: an empty key is no key, the request goes round robin.
    if (key === '') return smoothWeighted(servers, gate, false);
    let point = this.#find(crc32(key));
    for (let tries = 0; ; ) {
      const group = this.#groups[this.#owners[point % n] as number] as ServerSlot[];
      const s = smoothWeighted(group, gate, true);
      if (s !== undefined) return s;
      point++;
      if (++tries > MAX_TRIES) return smoothWeighted(servers, gate, false);
    }
  }
}
