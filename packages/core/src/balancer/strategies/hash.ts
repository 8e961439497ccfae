/** @module hash: nginx `hash KEY` (crc32 of the key, weighted, Cache::Memcached-compatible rehash on a miss). */
import type { Chooser, PickGate } from '../chooser.js';
import { CRC32_INIT, crc32Final, crc32Update } from '../crc32.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { WeightedIndex } from '../weighted-index.js';

const MAX_TRIES = 20;

/** ((crc32([REHASH] KEY) >> 16) & 0x7fff), REHASH omitted at the first round (ngx_http_upstream_get_hash_peer). */
export function hashRound(key: string, rehash: number): number {
  let c = CRC32_INIT;
  if (rehash > 0) c = crc32Update(c, String(rehash));
  c = crc32Update(c, key);
  return (crc32Final(c) >>> 16) & 0x7fff;
}

export class KeyHash implements Chooser {
  readonly #index = new WeightedIndex();

  rebuild(servers: readonly ServerSlot[]): void {
    this.#index.rebuild(servers);
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    if (servers.length < 2) return smoothWeighted(servers, gate, true);
    const key = gate.hashKey();
    // nginx (since 1.11): an empty key is no key, the request goes round robin.
    if (key === '') return smoothWeighted(servers, gate, false);
    const total = this.#index.total;
    let hash = 0;
    for (let rehash = 0, tries = 0; ; rehash++) {
      hash += hashRound(key, rehash);
      const s = servers[this.#index.find(hash % total)] as ServerSlot;
      if (gate.bindable(s)) return s;
      if (++tries > MAX_TRIES) return smoothWeighted(servers, gate, false);
    }
  }
}
