/** @module Weighted random draws by rejection: O(log n) per draw over the whole tier, ineligible draws are thrown back. */
import type { PickGate } from './chooser.js';
import type { ServerSlot } from './server-slot.js';
import { WeightedIndex } from './weighted-index.js';

/** nginx's random module gives up drawing after this many misses and falls back to round robin. */
export const MAX_DRAWS = 20;

export class WeightedDraw {
  readonly #index = new WeightedIndex();

  rebuild(servers: readonly ServerSlot[]): void {
    this.#index.rebuild(servers);
  }

  /**
   * One admitted server drawn with probability weight/total (slow-starting servers are kept with
   * probability of their ramp), other than `not`; undefined after MAX_DRAWS misses.
   */
  draw(servers: readonly ServerSlot[], gate: PickGate, not: ServerSlot | undefined, budget: { left: number }): ServerSlot | undefined {
    const total = this.#index.total;
    if (total <= 0) return undefined;
    const now = gate.now;
    while (budget.left > 0) {
      budget.left--;
      const s = servers[this.#index.find(gate.random() * total)] as ServerSlot;
      if (s === not || !gate.usable(s)) continue;
      if (s.rampEnd > now && gate.random() * s.weight >= s.weightAt(now)) continue;
      return s;
    }
    return undefined;
  }
}
