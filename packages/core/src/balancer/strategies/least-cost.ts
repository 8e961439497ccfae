/** @module The selection loop nginx's least_conn uses, over a cost each strategy puts in `slot.cost` / `slot.costWeight`. */
import type { PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { advance } from '../smooth-weighted.js';

/**
 * The admitted server with the lowest cost/weight (compared by cross-multiplying); when several tie,
 * smooth weighted round robin among them, starting from the first, exactly as
 * ngx_http_upstream_get_least_conn_peer does.
 */
export function pickLeastCost(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
  let best: ServerSlot | undefined;
  let many = false;
  let first = 0;
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i] as ServerSlot;
    if (!gate.usable(s)) continue;
    if (best === undefined || s.cost * best.costWeight < best.cost * s.costWeight) {
      best = s;
      many = false;
      first = i;
    } else if (s.cost * best.costWeight === best.cost * s.costWeight) {
      many = true;
    }
  }
  if (best === undefined || !many) return best;

  const now = gate.now;
  let total = 0;
  for (let i = first; i < servers.length; i++) {
    const s = servers[i] as ServerSlot;
    if (!gate.usable(s)) continue;
    if (s.cost * best.costWeight !== best.cost * s.costWeight) continue;
    total += advance(s, now);
    if (s.currentWeight > best.currentWeight) best = s;
  }
  best.currentWeight -= total;
  return best;
}
