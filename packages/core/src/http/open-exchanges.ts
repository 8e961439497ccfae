/** @module The proxied responses still open, so that close() can give them `closeTimeout` and then cut them (nginx's worker_shutdown_timeout). */
import type { ServerResponse } from 'node:http';

/**
 * Both adapters add every proxied client response here; at close, the ones still open (long
 * polls, server-sent events, slow downloads) get the grace period, then their connections are
 * destroyed, so that `server.close()` / Fastify's `app.close()` never wait forever.
 */
export class OpenExchanges {
  readonly #open = new Set<ServerResponse>();
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  /** One listener for every response (a closure per request showed in the profiles, issue 18). */
  readonly #onClose: (this: ServerResponse) => void;

  constructor() {
    const remove = (res: ServerResponse): void => this.#remove(res);
    this.#onClose = function (this: ServerResponse) {
      remove(this);
    };
  }

  /** Remember `res` until it closes (finished or cut). */
  add(res: ServerResponse): void {
    if (res.closed) return;
    this.#open.add(res);
    // 'close' is emitted once per response: `on` spares the `once` wrapper.
    res.on('close', this.#onClose);
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Resolves when every open response has closed, or after `graceMs` (then the rest are
   * destroyed). Idempotent: later calls get the same promise.
   */
  close(graceMs: number): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      if (this.#open.size === 0) {
        resolve();
        return;
      }
      let fallback: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        // Resolve once each cut response has emitted 'close' (the adapters release their upstream
        // side on it), so that what the caller destroys next is no longer in use.
        for (const res of this.#open) res.destroy();
        fallback = setTimeout(() => this.#drained?.(), 1000);
      }, graceMs);
      this.#drained = () => {
        this.#drained = undefined;
        clearTimeout(timer);
        if (fallback !== undefined) clearTimeout(fallback);
        this.#open.clear();
        resolve();
      };
    });
    return this.#closing;
  }

  #remove(res: ServerResponse): void {
    this.#open.delete(res);
    if (this.#open.size === 0) this.#drained?.();
  }
}
