/** @module The FIFO of requests waiting for a server of a pool at `maxConns` (NGINX Plus `queue`): bounded in length and time, woken when a try ends. */
import type { QueueRefusal, QueueStatus, QueueTicket, ResolvedQueue } from '../types.js';

/** Schedules `fn` after `ms`; returns the cancel. Injectable so core tests run on a fake clock. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

interface Waiter<T> {
  readonly take: () => T | undefined;
  readonly settle: (result: T | QueueRefusal) => void;
  cancelTimer: () => void;
  done: boolean;
}

/**
 * Waiters are served strictly in arrival order: a drain hands the freed slot to the head, and a
 * new request queues behind the waiters instead of racing them for it (RequestForwarding checks
 * `waiting` before it picks). Draining runs on a microtask after the try that freed a slot is
 * settled, never inside it, so one request's release never starts another request re-entrantly.
 */
export class PickQueue<T> {
  readonly config: ResolvedQueue;
  readonly #setTimer: SetTimer;
  /** Whether any server could take a request once a slot frees (false: every one failed, down, removed...). */
  readonly #servable: () => boolean;
  #waiters: Array<Waiter<T>> = [];
  #head = 0;
  #waiting = 0;
  #scheduled = false;
  #total = 0;
  #timedOut = 0;
  #rejected = 0;

  constructor(config: ResolvedQueue, setTimer: SetTimer, servable: () => boolean) {
    this.config = config;
    this.#setTimer = setTimer;
    this.#servable = servable;
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Wait for `take` to return a pick. `settle` is called exactly once, later: with the pick, or with
   * a refusal (timed out, no server left). Returns the ticket to leave early (the client went away),
   * or a refusal at once when the queue is full.
   */
  enter(take: () => T | undefined, settle: (result: T | QueueRefusal) => void): QueueTicket | QueueRefusal {
    if (this.#waiting >= this.config.size) {
      this.#rejected++;
      return { action: 'fail', status: this.config.status, reason: 'upstream queue is full' };
    }
    const waiter: Waiter<T> = { take, settle, cancelTimer: noop, done: false };
    waiter.cancelTimer = this.#setTimer(() => {
      if (waiter.done) return;
      this.#timedOut++;
      this.#finish(waiter);
      settle({ action: 'fail', status: this.config.status, reason: 'timed out in the upstream queue' });
    }, this.config.timeoutMs);
    this.#waiters.push(waiter);
    this.#waiting++;
    this.#total++;
    return {
      cancel: () => {
        if (waiter.done) return;
        this.#finish(waiter);
        // The next waiter may be servable now that this one will not take the slot.
        this.wake();
      },
    };
  }

  /** A slot may have freed (a try ended, a server came back or was added): serve waiters soon. */
  wake(): void {
    if (this.#scheduled || this.#waiting === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  /** Settle every waiter with `refusal` (the instance is closing). */
  refuseAll(refusal: QueueRefusal): void {
    for (const w of [...this.#live()]) {
      this.#finish(w);
      w.settle(refusal);
    }
  }

  status(): QueueStatus {
    return { size: this.config.size, waiting: this.#waiting, total: this.#total, timedOut: this.#timedOut, rejected: this.#rejected };
  }

  #drain(): void {
    for (;;) {
      const head = this.#peek();
      if (head === undefined) return;
      let taken: T | undefined;
      try {
        taken = head.take();
      } catch (error) {
        // A pick that throws (a hash key function) is the head's problem only: it is answered 500 (its
        // adapter logs `error`) rather than blocking everyone behind it.
        this.#finish(head);
        head.settle({ action: 'fail', status: 500, reason: 'internal error choosing an upstream', error });
        continue;
      }
      if (taken === undefined) {
        // Still busy: wait for the next release. Nobody will ever be served: answer them all now.
        if (!this.#servable()) this.refuseAll({ action: 'fail', status: 502, reason: 'no live upstream' });
        return;
      }
      this.#finish(head);
      head.settle(taken);
    }
  }

  #peek(): Waiter<T> | undefined {
    while (this.#head < this.#waiters.length) {
      const w = this.#waiters[this.#head] as Waiter<T>;
      if (!w.done) return w;
      this.#head++;
    }
    this.#compact();
    return undefined;
  }

  *#live(): Generator<Waiter<T>> {
    for (let i = this.#head; i < this.#waiters.length; i++) {
      const w = this.#waiters[i] as Waiter<T>;
      if (!w.done) yield w;
    }
  }

  #finish(w: Waiter<T>): void {
    w.done = true;
    w.cancelTimer();
    this.#waiting--;
    if (this.#waiting === 0) this.#compact();
  }

  /** Drop the settled entries in front (amortised: only when the queue empties or the front is long). */
  #compact(): void {
    if (this.#waiting === 0) {
      this.#waiters = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
  }
}

function noop(): void {}
