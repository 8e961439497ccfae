/** @module random-two: power of two choices, two distinct weighted draws and the one with fewer active per weight (nginx `random two`). */
import type { Chooser, PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';
import { MAX_DRAWS, WeightedDraw } from '../weighted-draw.js';

export class RandomTwo implements Chooser {
  readonly #draw = new WeightedDraw();
  readonly #budget = { left: 0 };

  rebuild(servers: readonly ServerSlot[]): void {
    this.#draw.rebuild(servers);
  }

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    // nginx shares one budget of 20 misses between both draws, then falls back to round robin.
    this.#budget.left = MAX_DRAWS + 2;
    const first = this.#draw.draw(servers, gate, undefined, this.#budget);
    const second = first === undefined ? undefined : this.#draw.draw(servers, gate, first, this.#budget);
    if (first === undefined || second === undefined) return smoothWeighted(servers, gate, false);
    const now = gate.now;
    // As nginx: the second draw wins ties.
    return second.active * first.weightAt(now) > first.active * second.weightAt(now) ? first : second;
  }
}
