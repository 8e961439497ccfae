/** @module The pick of a request bound to a server (sticky cookie, route or learned session), and how it counts in the balancer's state. */
import type { PickGate } from '../balancer/chooser.js';
import type { ServerSlot } from '../balancer/server-slot.js';
import { advance } from '../balancer/smooth-weighted.js';

/** What a binding gives: its server, `'balance'` (pick as unbound) or `'unavailable'` (its server cannot take it: `strict` answers 502). */
export type BoundChoice = ServerSlot | 'balance' | 'unavailable';

/**
 * The server a bound request goes to. `'unavailable'`: the server is unknown (removed, a stale or
 * forged value), down, unhealthy, failed, at `maxConns` or already tried for this request (the
 * gate's `bindable`; a draining server still qualifies, that is what drain means). A request bound
 * to a backup is balanced over the primaries as soon as one is usable (`'balance'`), as nginx looks
 * for the sticky peer in the tier it is picking from.
 */
export function boundSlot(slot: ServerSlot | undefined, gate: PickGate, primary: readonly ServerSlot[]): BoundChoice {
  if (slot === undefined || slot.removed || !gate.bindable(slot)) return 'unavailable';
  if (slot.backup) {
    for (const s of primary) if (gate.usable(s)) return 'balance';
  }
  return slot;
}

/**
 * Count a bound pick in round robin as nginx's ngx_http_upstream_get_peer does with a sticky hint:
 * as if the balancer had chosen that server (every admitted server advances, the bound one gives
 * back the total), unless its current weight is already at or below `-(total weight - its weight)`,
 * where nginx leaves the weights alone ("accounts only one sticky request in a row"). So a run of
 * requests bound to one server moves the round robin by one pick, not one per request, and the
 * unbound requests that follow go on in their order (after nine bound to a: b, c, a, b, c, a).
 * Other strategies are not charged (nginx's least_conn, hash, ip_hash and random take the bound
 * peer directly); least-conn still sees the bound request as active on its server.
 */
export function accountBoundPick(slot: ServerSlot, tier: readonly ServerSlot[], gate: PickGate): void {
  let totalWeight = 0;
  for (const s of tier) totalWeight += s.weight;
  if (slot.currentWeight <= -(totalWeight - slot.weight)) return;
  let total = 0;
  // A draining bound server is not admitted to the loop (nginx skips `down` peers, draining
  // included) and still gives back the total.
  for (const s of tier) if (gate.usable(s)) total += advance(s, gate.now);
  slot.currentWeight -= total;
}
