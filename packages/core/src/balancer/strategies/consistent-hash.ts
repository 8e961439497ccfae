/** @module hash consistent: nginx's ketama ring (ngx_http_upstream_init_chash / get_chash_peer), point for point. */
import type { Chooser, PickGate } from '../chooser.js';
import { CRC32_INIT, crc32, crc32Final, crc32Update, crc32UpdateBytes } from '../crc32.js';
import { ringHostPort } from '../server-info.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { HashRing } from './hash-ring.js';

const MAX_TRIES = 20;
const POINTS_PER_WEIGHT = 160;

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
  readonly #ring = new HashRing((s) => ringPoints(s.ringName, s.weight));
  #hashes = new Uint32Array(0);
  /** For each point, the index of its server-name group. */
  #owners = new Int32Array(0);
  /** Servers sharing one name (nginx compares points to peers by name). */
  #groups: ServerSlot[][] = [];

  /** Incremental: a server added, removed or reweighted moves only its own points (HashRing). */
  rebuild(servers: readonly ServerSlot[]): void {
    this.#ring.update(servers);
    this.#hashes = this.#ring.hashes;
    this.#owners = this.#ring.owners;
    this.#groups = this.#ring.groups;
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
    for (let tries = 0; ;) {
      const group = this.#groups[this.#owners[point % n] as number] as ServerSlot[];
      const s = smoothWeighted(group, gate, true);
      if (s !== undefined) return s;
      point++;
      if (++tries > MAX_TRIES) return smoothWeighted(servers, gate, false);
    }
  }
}
