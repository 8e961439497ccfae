/** @module random: weighted random choice (ngx_http_upstream_random_module without `two`). */
import type { Chooser, PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { MAX_DRAWS, WeightedDraw } from '../weighted-draw.js';

export class RandomChoice implements Chooser {
  readonly #draw = new WeightedDraw();
  readonly #budget = { left: 0 };

  rebuild(servers: readonly ServerSlot[]): void {
    this.#draw.rebuild(servers);
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    this.#budget.left = MAX_DRAWS + 1;
    // After too many misses nginx falls back to round robin, which scans the tier once.
    return this.#draw.draw(servers, gate, undefined, this.#budget) ?? smoothWeighted(servers, gate, false);
  }
}
