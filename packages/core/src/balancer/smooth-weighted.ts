/** @module nginx's smooth weighted round robin (ngx_http_upstream_get_peer), shared by every strategy that falls back to it. */
import type { PickGate } from './chooser.js';
import type { ServerSlot } from './server-slot.js';

/**
 * Pick among the admitted servers: each adds its effective weight to its current weight, the highest
 * wins and gives back the total; effective weight climbs by 1 per scan up to the weight.
 * `bound` admits draining servers (the request is bound to them by a key).
 */
/**
 * One server's step of nginx's get_peer loop: current_weight grows by the effective weight
 * (capped while slow start ramps), and a lowered effective weight climbs back by one.
 * Returns what was added, for the total that the chosen server gives back.
 */
export function advance(s: ServerSlot, now: number): number {
  let ew = s.effectiveWeight;
  if (s.rampEnd > now) {
    const cap = s.weightAt(now);
    if (cap < ew) ew = cap;
  }
  s.currentWeight += ew;
  if (s.effectiveWeight < s.weight) s.effectiveWeight++;
  return ew;
}

export function smoothWeighted(servers: readonly ServerSlot[], gate: PickGate, bound: boolean): ServerSlot | undefined {
  const now = gate.now;
  let best: ServerSlot | undefined;
  let total = 0;
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i] as ServerSlot;
    if (bound ? !gate.bindable(s) : !gate.usable(s)) continue;
    total += advance(s, now);
    if (best === undefined || s.currentWeight > best.currentWeight) best = s;
  }
  if (best !== undefined) best.currentWeight -= total;
  return best;
}
