/** @module The proxied responses still open, so that close() can give them `closeTimeout` and then cut them (nginx's worker_shutdown_timeout). */
import type { ServerResponse } from 'node:http';

/** A response with its slot in one {@link OpenExchanges}' list (under that instance's own key). */
type Tracked = ServerResponse & Record<symbol, number | undefined>;

/**
 * Both adapters add every proxied client response here; at close, the ones still open (long
 * polls, server-sent events, slow downloads) get the grace period, then their connections are
 * destroyed, so that `server.close()` / Fastify's `app.close()` never wait forever.
 */
export class OpenExchanges {
  /**
   * The open responses, unordered: removal moves the last one into the freed slot. Not a Set: a
   * Set that sees one add and one delete per request is rehashed every few dozen requests, and
   * V8 links each replaced table to its successor while keeping its entries; once one of those
   * tables had been promoted, the chain kept every later request's object graph alive through
   * young-generation GCs (promoted, then freed only by mark-compacts: 12% of the CPU under load).
   */
  readonly #open: Tracked[] = [];
  /** Where a response sits in `#open` while it is open: one key per instance (two apps may share a response). */
  readonly #slot = Symbol('switchyard.openSlot');
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  /** One listener for every response (a closure per request showed in the profiles, issue 18). */
  readonly #onClose: (this: ServerResponse) => void;

  constructor() {
    const remove = (res: Tracked): void => this.#remove(res);
    this.#onClose = function (this: ServerResponse) {
      remove(this as Tracked);
    };
  }

  /** Remember `res` until it closes (finished or cut). */
  add(res: ServerResponse): void {
    const tracked = res as Tracked;
    if (res.closed || tracked[this.#slot] !== undefined) return;
    tracked[this.#slot] = this.#open.length;
    this.#open.push(tracked);
    // 'close' is emitted once per response: `on` spares the `once` wrapper.
    res.on('close', this.#onClose);
  }

  get size(): number {
    return this.#open.length;
  }

  /**
   * Resolves when every open response has closed, or after `graceMs` (then the rest are
   * destroyed). Idempotent: later calls get the same promise.
   */
  close(graceMs: number): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      if (this.#open.length === 0) {
        resolve();
        return;
      }
      let fallback: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        // Resolve once each cut response has emitted 'close' (the adapters release their upstream
        // side on it), so that what the caller destroys next is no longer in use.
        for (const res of this.#open.slice()) res.destroy();
        fallback = setTimeout(() => this.#drained?.(), 1000);
      }, graceMs);
      this.#drained = () => {
        this.#drained = undefined;
        clearTimeout(timer);
        if (fallback !== undefined) clearTimeout(fallback);
        for (const res of this.#open) res[this.#slot] = undefined;
        this.#open.length = 0;
        resolve();
      };
    });
    return this.#closing;
  }

  #remove(res: Tracked): void {
    const slot = res[this.#slot];
    if (slot === undefined) return;
    res[this.#slot] = undefined;
    const open = this.#open;
    const last = open.pop() as Tracked;
    if (last !== res) {
      open[slot] = last;
      last[this.#slot] = slot;
    }
    if (open.length === 0) this.#drained?.();
  }
}
