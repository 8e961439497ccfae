/** @module `sticky learn`'s memory: session id -> server id, bounded by `maxSessions` (least recently used first out) and an idle `timeout`. */
import { createHash } from 'node:crypto';

/** Longer ids are stored as their MD5 (nginx stores every id so), keeping each entry small. */
const MAX_KEY_LENGTH = 64;

interface Entry {
  readonly key: string;
  server: string;
  last: number;
  /** Towards the least recently used end. */
  older: Entry | undefined;
  newer: Entry | undefined;
}

/**
 * A Map for lookups and a doubly linked list in last-use order, so eviction at `maxSessions` and
 * expiry after `timeoutMs` idle take the oldest entry in O(1), with no timer. (A Map alone, read
 * from its first key, slows down to the number of deleted slots V8 keeps before it rehashes.)
 */
export class SessionTable {
  readonly #entries = new Map<string, Entry>();
  readonly #timeoutMs: number;
  readonly #max: number;
  #oldest: Entry | undefined;
  #newest: Entry | undefined;

  constructor(timeoutMs: number, maxSessions: number) {
    this.#timeoutMs = timeoutMs;
    this.#max = maxSessions;
  }

  /** The server the session is bound to, or undefined (a lookup alone does not refresh it: the answer does, as in nginx). */
  lookup(session: string, now: number): string | undefined {
    this.#expire(now);
    return this.#entries.get(keyOf(session))?.server;
  }

  /** Bind (or rebind) a session to a server; `create` false only refreshes a known session (nginx learn without a new id). */
  remember(session: string, server: string, now: number, create: boolean): void {
    this.#expire(now);
    const key = keyOf(session);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.server = server;
      entry.last = now;
      this.#unlink(entry);
      this.#append(entry);
      return;
    }
    if (!create) return;
    if (this.#entries.size >= this.#max && this.#oldest !== undefined) this.#drop(this.#oldest);
    const added: Entry = { key, server, last: now, older: undefined, newer: undefined };
    this.#entries.set(key, added);
    this.#append(added);
  }

  /** Sessions held (expired ones dropped first). */
  size(now: number): number {
    this.#expire(now);
    return this.#entries.size;
  }

  #expire(now: number): void {
    const limit = now - this.#timeoutMs;
    while (this.#oldest !== undefined && this.#oldest.last <= limit) this.#drop(this.#oldest);
  }

  #drop(entry: Entry): void {
    this.#unlink(entry);
    this.#entries.delete(entry.key);
  }

  #unlink(entry: Entry): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else this.#oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else this.#newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #append(entry: Entry): void {
    entry.older = this.#newest;
    if (this.#newest !== undefined) this.#newest.newer = entry;
    else this.#oldest = entry;
    this.#newest = entry;
  }
}

function keyOf(session: string): string {
  return session.length <= MAX_KEY_LENGTH ? session : createHash('md5').update(session).digest('base64');
}
