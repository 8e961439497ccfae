/** @module Finagle-style retry budget by rate: every original request deposits, every retry withdraws; retries stay under percent% of the window's requests plus a reserve. */

/** A resolved `retry.budget`: `percent` of the requests of the last `windowMs`, plus `minPerSecond` x window. */
export interface RetryBudgetSettings {
  readonly percent: number;
  readonly windowMs: number;
  readonly minPerSecond: number;
}

/** Shortest and longest `retry.budget.window` (Finagle's RetryBudget ttl bounds). */
export const MIN_BUDGET_WINDOW_MS = 1000;
export const MAX_BUDGET_WINDOW_MS = 60_000;

/**
 * The ledger of one pool (and one budget setting). The window is a ring of about one-second
 * buckets holding deposits and withdrawals, with running sums: a deposit or a check is a few
 * array writes, and nothing is allocated per request. Buckets that fall out of the window are
 * subtracted from the sums when the clock reaches them.
 *
 * A retry is allowed while `withdrawals + 1 <= percent/100 x deposits + minPerSecond x window`,
 * so a pool where everything fails cannot multiply its load by more than about 1 + percent/100
 * (plus the reserve), while a burst of timeouts on one hung server is retried in full as long as
 * the pool served enough requests in the window (or the reserve covers it).
 */
export class RetryBudget {
  readonly settings: RetryBudgetSettings;
  readonly #deposits: Float64Array;
  readonly #withdrawals: Float64Array;
  readonly #bucketMs: number;
  readonly #reserve: number;
  #deposited = 0;
  #withdrawn = 0;
  /** Absolute index (time / bucketMs) of the newest bucket. */
  #head = Number.NEGATIVE_INFINITY;

  constructor(settings: RetryBudgetSettings) {
    this.settings = settings;
    const buckets = Math.max(1, Math.ceil(settings.windowMs / 1000));
    this.#deposits = new Float64Array(buckets);
    this.#withdrawals = new Float64Array(buckets);
    this.#bucketMs = settings.windowMs / buckets;
    this.#reserve = settings.minPerSecond * (settings.windowMs / 1000);
  }

  /** An original request (not a retry) started. */
  deposit(now: number): void {
    const slot = this.#advance(now);
    this.#deposits[slot]! += 1;
    this.#deposited += 1;
  }

  /** Whether one more retry fits the budget now (nothing is taken: call `withdraw` when it happens). */
  allows(now: number): boolean {
    this.#advance(now);
    return this.#withdrawn + 1 <= (this.settings.percent / 100) * this.#deposited + this.#reserve;
  }

  /** A retry was sent. */
  withdraw(now: number): void {
    const slot = this.#advance(now);
    this.#withdrawals[slot]! += 1;
    this.#withdrawn += 1;
  }

  /** Requests and retries counted in the current window (for tests and diagnostics). */
  counts(now: number): { requests: number; retries: number; allowed: number } {
    this.#advance(now);
    return { requests: this.#deposited, retries: this.#withdrawn, allowed: Math.floor((this.settings.percent / 100) * this.#deposited + this.#reserve) };
  }

  /** Moves the ring to `now`, clearing the buckets that left the window; returns the current slot. */
  #advance(now: number): number {
    const size = this.#deposits.length;
    const index = Math.floor(now / this.#bucketMs);
    const head = this.#head;
    if (index > head) {
      const steps = head === Number.NEGATIVE_INFINITY ? size : Math.min(index - head, size);
      for (let k = 1; k <= steps; k++) {
        const slot = (((index - steps + k) % size) + size) % size;
        this.#deposited -= this.#deposits[slot]!;
        this.#withdrawn -= this.#withdrawals[slot]!;
        this.#deposits[slot] = 0;
        this.#withdrawals[slot] = 0;
      }
      if (steps === size) {
        // Everything left the window: drop float residue as well.
        this.#deposited = 0;
        this.#withdrawn = 0;
      }
      this.#head = index;
    }
    // A clock that went back (it should not: `now` is monotonic) counts into the newest bucket.
    return ((this.#head % size) + size) % size;
  }
}
