/** @module Envoy-style retry budget: retries in flight per pool stay under max(percent of active tries, minConcurrent). */

export class RetryBudget {
  #inFlight = 0;

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a slot when the budget allows one more retry for a pool with `active` tries in flight. */
  tryAcquire(budget: { percent: number; minConcurrent: number } | false, active: number): boolean {
    if (budget !== false) {
      const limit = Math.max((budget.percent / 100) * active, budget.minConcurrent);
      if (this.#inFlight >= limit) return false;
    }
    this.#inFlight++;
    return true;
  }

  release(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }
}
