/** @module least-conn: fewest active requests per unit of weight, ties by smooth round robin (ngx_http_upstream_least_conn_module). */
import type { Chooser, PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { pickLeastCost } from './least-cost.js';

export class LeastConn implements Chooser {
  rebuild(): void {}

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    const now = gate.now;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i] as ServerSlot;
      s.cost = s.active;
      s.costWeight = s.weightAt(now);
    }
    return pickLeastCost(servers, gate);
  }
}
