/** @module The proxied exchanges still open, so that close() can give them `closeTimeout` and then cut them (nginx's worker_shutdown_timeout). */

/**
 * An adapter's own per-request object, tracked while its client response is open. The adapter
 * removes it from the response's 'close' listener it already has: nothing is added to the
 * response itself.
 */
export interface OpenExchange {
  /** Its index in the tracker's list while tracked, -1 otherwise; written only by {@link OpenExchanges}. */
  openSlot: number;
  /** Called at the end of the grace: destroy the client's response (its connection). */
  cut(): void;
}

/**
 * Both adapters add every proxied request here; at close, the ones still open (long polls,
 * server-sent events, slow downloads) get the grace period, then their connections are
 * destroyed, so that `server.close()` / Fastify's `app.close()` never wait forever.
 *
 * Why the entries are the adapters' exchange objects, not the `ServerResponse`s: a symbol-keyed
 * slot written onto every response (and a second 'close' listener) cost the Express adapter 6-10%
 * of its CPU per request (issue 18; measured with the property added vs not, same run), because
 * the property grows the response's backing store and is one more shape for Node's own response
 * code. Not a Set either: a Set that sees one add and one delete per request is rehashed every few
 * dozen requests, and V8 links each replaced table to its successor while keeping its entries;
 * once one of those tables had been promoted, the chain kept every later request's object graph
 * alive through young-generation GCs (12% of the CPU under load).
 */
export class OpenExchanges {
  /** The open exchanges, unordered: removal moves the last one into the freed slot. */
  readonly #open: OpenExchange[] = [];
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** Track `exchange` until {@link remove} (its response finished or was cut). */
  add(exchange: OpenExchange): void {
    if (exchange.openSlot !== -1) return;
    exchange.openSlot = this.#open.length;
    this.#open.push(exchange);
  }

  /** Stop tracking `exchange`; harmless when it is not tracked. */
  remove(exchange: OpenExchange): void {
    const slot = exchange.openSlot;
    const open = this.#open;
    if (slot === -1 || open[slot] !== exchange) return;
    exchange.openSlot = -1;
    const last = open.pop() as OpenExchange;
    if (last !== exchange) {
      open[slot] = last;
      last.openSlot = slot;
    }
    if (open.length === 0) this.#drained?.();
  }

  get size(): number {
    return this.#open.length;
  }

  /**
   * Resolves when every open exchange has been removed, or after `graceMs` (then the rest are
   * cut). Idempotent: later calls get the same promise.
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
        // Resolve once each cut exchange has been removed (the adapters release their upstream
        // side on the response's 'close'), so that what the caller destroys next is no longer in use.
        for (const exchange of this.#open.slice()) exchange.cut();
        fallback = setTimeout(() => this.#drained?.(), 1000);
      }, graceMs);
      this.#drained = () => {
        this.#drained = undefined;
        clearTimeout(timer);
        if (fallback !== undefined) clearTimeout(fallback);
        for (const exchange of this.#open) exchange.openSlot = -1;
        this.#open.length = 0;
        resolve();
      };
    });
    return this.#closing;
  }
}
