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

  /** Remember `res` until it closes (finished or cut). */
  add(res: ServerResponse): void {
    if (res.closed) return;
    this.#open.add(res);
    res.once('close', () => this.#remove(res));
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
      const timer = setTimeout(() => {
        this.#drained = undefined;
        for (const res of this.#open) res.destroy();
        this.#open.clear();
        resolve();
      }, graceMs);
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.#closing;
  }

  #remove(res: ServerResponse): void {
    this.#open.delete(res);
    if (this.#open.size === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }
}
