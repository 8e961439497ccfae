/** @module Backends that answer at once, except `/hold/...` requests which they keep open until released, to have a request in flight on a known server. */
import type { ServerResponse } from 'node:http';
import type { Backend } from '../helpers/backends.js';
import { call, type Answer } from '../adapters/support/http.js';
import { waitFor } from '../health/fake-pool.js';

export interface Holding {
  /** Responses held open per backend name. */
  readonly held: Map<string, ServerResponse[]>;
  /** Send `/hold/...` requests through the proxy until one is held by `target`; the others are released at once. */
  holdOn(proxyUrl: string, target: Backend): Promise<{ answer: Promise<Answer>; release(): void }>;
}

export function holding(backends: readonly Backend[]): Holding {
  const held = new Map<string, ServerResponse[]>(backends.map((b) => [b.name, []]));
  for (const b of backends) {
    b.handle((req, res, backend) => {
      if (req.url?.startsWith('/hold/')) held.get(backend.name)?.push(res);
      else res.end(backend.name);
    });
  }
  const total = (): number => [...held.values()].reduce((n, list) => n + list.length, 0);
  let n = 0;
  return {
    held,
    async holdOn(proxyUrl, target) {
      // Round robin sends each new request to another server: a few tries find the target (bounded).
      for (let attempt = 0; attempt < 40; attempt++) {
        const before = total();
        const counts = new Map([...held].map(([k, v]) => [k, v.length]));
        const answer = call(`${proxyUrl}/hold/${++n}`);
        await waitFor(() => total() > before, 'the held request to arrive');
        const landed = [...held].find(([k, v]) => v.length > (counts.get(k) ?? 0));
        const res = landed?.[1].at(-1);
        if (landed === undefined || res === undefined) throw new Error('held request not found');
        if (landed[0] === target.name) return { answer, release: () => res.end(`${landed[0]} (held)`) };
        res.end(`${landed[0]} (held)`);
        await answer;
      }
      throw new Error(`no held request reached ${target.name} in 40 tries`);
    },
  };
}

/** Workers that GET `/loop/<n>` through the proxy, one request at a time each, until stopped or `max` requests were sent. */
export function requestLoop(proxyUrl: string, workers: number, max: number) {
  const answers: Answer[] = [];
  const errors: unknown[] = [];
  let sent = 0;
  let stopped = false;
  const runs = Array.from({ length: workers }, async () => {
    while (!stopped && sent < max) {
      const i = ++sent;
      try {
        answers.push(await call(`${proxyUrl}/loop/${i}`));
      } catch (err) {
        errors.push(err);
      }
    }
  });
  return {
    answers,
    errors,
    get sent() {
      return sent;
    },
    /** Waits until `count` more answers came in (bounded). */
    async more(count: number): Promise<void> {
      const target = answers.length + count;
      await waitFor(() => answers.length >= target || sent >= max, `${count} more answers`, 20000);
      if (answers.length < target) throw new Error('the request loop hit its bound');
    },
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(runs);
    },
  };
}
