/** @module ip-hash: nginx ip_hash over the client's IPv4 /24 or whole IPv6 address, weighted, with nginx's rehash on a miss. */
import type { Chooser, PickGate } from '../chooser.js';
import { ipHashBytes } from '../ip-bytes.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { WeightedIndex } from '../weighted-index.js';

/** nginx gives up rehashing after this many misses and falls back to round robin. */
const MAX_TRIES = 20;

/** The server index nginx's ngx_http_upstream_get_ip_hash_peer lands on first for `addr` (exported for tests). */
export function ipHashStep(hash: number, addr: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < addr.length; i++) h = (h * 113 + (addr[i] as number)) % 6271;
  return h;
}

export class IpHash implements Chooser {
  readonly #index = new WeightedIndex();

  rebuild(servers: readonly ServerSlot[]): void {
    this.#index.rebuild(servers);
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    if (servers.length < 2) return smoothWeighted(servers, gate, true);
    const addr = ipHashBytes(gate.clientIp());
    const total = this.#index.total;
    let hash = 89;
    for (let tries = 0; ;) {
      hash = ipHashStep(hash, addr);
      const s = servers[this.#index.find(hash % total)] as ServerSlot;
      if (gate.bindable(s)) return s;
      if (++tries > MAX_TRIES) return smoothWeighted(servers, gate, false);
    }
  }
}
