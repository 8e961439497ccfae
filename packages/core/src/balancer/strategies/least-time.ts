/** @module least-time: NGINX Plus least_time, lowest decayed average response time x (1 + active) / weight, ties by round robin. */
import type { Chooser, PickGate } from '../chooser.js';
import type { ServerSlot } from '../server-slot.js';
import { pickLeastCost } from './least-cost.js';

/** NGINX Plus caps the compared response time ... */
export const LEAST_TIME_CAP_MS = 5000;
/** ... and rounds it up to buckets of this size, so near-equal servers tie and share by round robin. */
export const LEAST_TIME_BUCKET_MS = 20;

/**
 * The response time a server is compared with: its average, halved for every `failTimeout + 1 s` since
 * it was last chosen (so an idle slow server is tried again), capped, rounded up to a bucket.
 */
export function comparedTime(s: ServerSlot, now: number): number {
  let rt = s.avgMs;
  if (rt > 0) {
    const period = s.failTimeoutMs + 1000;
    const halvings = Math.floor((now - s.lastChosen) / period);
    if (halvings > 0) rt = halvings >= 64 ? 0 : rt / 2 ** halvings;
    if (rt > LEAST_TIME_CAP_MS) rt = LEAST_TIME_CAP_MS;
  }
  return Math.ceil(rt / LEAST_TIME_BUCKET_MS) * LEAST_TIME_BUCKET_MS;
}

export class LeastTime implements Chooser {
  rebuild(): void {}

  choose(servers: readonly ServerSlot[], gate: PickGate): ServerSlot | undefined {
    const now = gate.now;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i] as ServerSlot;
      s.cost = comparedTime(s, now) * (1 + s.active);
      s.costWeight = s.weightAt(now);
    }
    return pickLeastCost(servers, gate);
  }
}
