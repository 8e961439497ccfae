/** @module The pick of a request bound to a server (sticky cookie, route or learned session), and how it counts in the balancer's state. */
import type { PickGate } from '../balancer/chooser.js';
import type { ServerSlot } from '../balancer/server-slot.js';
import { advance } from '../balancer/smooth-weighted.js';

/**
 * The server a bound request goes to, or undefined when it must be balanced as unbound: the server
 * is unknown (removed, or a stale cookie), down, unhealthy, failed, at `maxConns` or already tried
 * for this request (the gate's `bindable`; a draining server still qualifies, that is what drain
 * means). A request bound to a backup goes back to the primaries as soon as one is usable.
 */
export function boundSlot(slot: ServerSlot | undefined, gate: PickGate, primary: readonly ServerSlot[]): ServerSlot | undefined {
  if (slot === undefined || slot.removed || !gate.bindable(slot)) return undefined;
  if (slot.backup) {
    for (const s of primary) if (gate.usable(s)) return undefined;
  }
  return slot;
}

/**
 * Count a bound pick in smooth weighted round robin (the base of round-robin, least-conn and
 * least-time ties) as if the balancer had chosen that server: every admitted server advances and the
 * chosen one gives back the total, so unbound requests keep the pool's weights over all requests.
 * least-conn needs nothing more: the bound request is active on its server like any other.
 */
export function accountBoundPick(slot: ServerSlot, tier: readonly ServerSlot[], gate: PickGate): void {
  let total = 0;
  for (const s of tier) {
    if (s === slot || gate.usable(s)) total += advance(s, gate.now);
  }
  slot.currentWeight -= total;
}
