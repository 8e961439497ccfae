/** @module Cumulative weights of a tier, so "the server owning weight unit w" is a binary search instead of nginx's linear walk. */
import type { ServerSlot } from './server-slot.js';

export class WeightedIndex {
  #ends = new Float64Array(0);
  total = 0;

  rebuild(servers: readonly ServerSlot[]): void {
    const ends = new Float64Array(servers.length);
    let sum = 0;
    for (let i = 0; i < servers.length; i++) {
      sum += (servers[i] as ServerSlot).weight;
      ends[i] = sum;
    }
    this.#ends = ends;
    this.total = sum;
  }

  /** Index of the server whose weight range holds `w` (0 <= w < total): the first with end > w. */
  find(w: number): number {
    const ends = this.#ends;
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ends[mid] as number) > w) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
