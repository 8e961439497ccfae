/** @module round-robin: nginx's default smooth weighted round robin. */
import type { Chooser, PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { smoothWeighted } from '../smooth-weighted.js';

export class RoundRobin implements Chooser {
  rebuild(): void {}

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    return smoothWeighted(servers, gate, false);
  }
}
