/** @module `sticky learn`'s memory: session id -> server id, bounded by `maxSessions` (least recently used first out) and an idle `timeout`. */
import { createHash } from 'node:crypto';

/** Longer ids are stored as their MD5 (nginx stores every id so), keeping each entry small. */
const MAX_KEY_LENGTH = 64;

interface Entry {
  server: string;
  last: number;
}

/**
 * A Map kept in last-use order (a touch re-inserts), so the oldest session is always first:
 * eviction at `maxSessions` and expiry after `timeoutMs` idle are O(1) per call, with no timer.
 */
export class SessionTable {
  readonly #entries = new Map<string, Entry>();
  readonly #timeoutMs: number;
  readonly #max: number;

  constructor(timeoutMs: number, maxSessions: number) {
    this.#timeoutMs = timeoutMs;
    this.#max = maxSessions;
  }

  /** The server the session is bound to, or undefined (a lookup alone does not refresh it: the answer does, as in nginx). */
  lookup(session: string, now: number): string | undefined {
    this.#expire(now);
    const key = keyOf(session);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return entry.server;
  }

  /** Bind (or rebind) a session to a server; `create` false only refreshes a known session (nginx learn without a new id). */
  remember(session: string, server: string, now: number, create: boolean): void {
    this.#expire(now);
    const key = keyOf(session);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      entry.server = server;
      entry.last = now;
      this.#entries.set(key, entry);
      return;
    }
    if (!create) return;
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { server, last: now });
  }

  /** Sessions held (expired ones dropped first). */
  size(now: number): number {
    this.#expire(now);
    return this.#entries.size;
  }

  #expire(now: number): void {
    const limit = now - this.#timeoutMs;
    for (const [key, entry] of this.#entries) {
      if (entry.last > limit) return;
      this.#entries.delete(key);
    }
  }
}

function keyOf(session: string): string {
  return session.length <= MAX_KEY_LENGTH ? session : createHash('md5').update(session).digest('base64');
}
