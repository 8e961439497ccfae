/** @module A `discover` hook for Consul: follows `/v1/health/service/NAME?passing` with blocking queries, using fetch (no Consul client). */
import type { DiscoverHook, ServerOptions } from '@switchyard/core';

export interface ConsulDiscoverOptions {
  /** Consul's HTTP API, e.g. `http://127.0.0.1:8500`. */
  consul: string;
  /** The service name registered in Consul. */
  service: string;
  /** Scheme to reach the instances. Default `'http'`. */
  scheme?: 'http' | 'https';
  /** How long Consul may hold a blocking query (Consul's `wait`). Default `'30s'`. */
  wait?: string;
  /** ACL token (sent as `X-Consul-Token`). */
  token?: string;
  /** Pause after a failed query before the next one (ms). Default 1000. */
  retryMs?: number;
  /** Told about each failed query (the last servers stay in use). */
  onError?: (err: unknown) => void;
}

/** The part of Consul's health endpoint answer that is used here. */
interface ConsulEntry {
  Node?: { Address?: string };
  Service?: { Address?: string; Port?: number; Weights?: { Passing?: number } };
}

/**
 * Long-polls Consul: each answer replaces the upstream's servers (switchyard applies the
 * difference), `X-Consul-Index` makes the next query block until something changes, and the
 * signal (aborted by `close()`) ends the loop and the query in flight.
 *
 * @example
 * upstreams: { api: { discover: consulDiscover({ consul: 'http://127.0.0.1:8500', service: 'api' }) } }
 */
export function consulDiscover(options: ConsulDiscoverOptions): DiscoverHook {
  const scheme = options.scheme ?? 'http';
  const wait = options.wait ?? '30s';
  const retryMs = options.retryMs ?? 1000;
  const base = `${options.consul.replace(/\/+$/, '')}/v1/health/service/${encodeURIComponent(options.service)}`;
  return async ({ update, signal }) => {
    let index = 0;
    while (!signal.aborted) {
      try {
        const res = await fetch(`${base}?passing&index=${index}&wait=${wait}`, {
          signal,
          headers: options.token !== undefined ? { 'x-consul-token': options.token } : {},
        });
        if (!res.ok) throw new Error(`Consul answered ${res.status} for ${options.service}`);
        const entries = (await res.json()) as ConsulEntry[];
        const next = Number(res.headers.get('x-consul-index') ?? 0);
        // Consul's rule: an index that goes backwards (or is not a number) restarts from 0.
        index = Number.isSafeInteger(next) && next > index ? next : next < index ? 0 : index;
        update(entries.map((entry) => toServer(entry, scheme)));
      } catch (err) {
        if (signal.aborted) return;
        options.onError?.(err);
        await pause(retryMs, signal);
      }
    }
  };
}

function toServer(entry: ConsulEntry, scheme: string): ServerOptions {
  const address = entry.Service?.Address || entry.Node?.Address || '';
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `${scheme}://${host}:${entry.Service?.Port ?? 80}`, weight: Math.max(1, entry.Service?.Weights?.Passing ?? 1) };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
