/** @module Keeps HTTP/2 response trailers through undici 7's request API, which drops them (gRPC's grpc-status travels there). */
import type { Dispatcher } from 'undici';

type LegacyHandler = Dispatcher.DispatchHandler & { onComplete?(trailers: unknown): void };

/**
 * undici's HTTP/2 client hands `onComplete` the trailers as Node gives them, an object, and its
 * request API parses them as the raw `[name, value, ...]` list HTTP/1.1 yields, so every trailer is
 * lost (undici 7.30). This wrapper turns the object into that list; every other call passes through.
 */
export function keepH2Trailers(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
  const inner = handler as LegacyHandler;
  if (typeof inner.onComplete !== 'function') return handler;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'onComplete') return (trailers: unknown) => target.onComplete?.(rawTrailers(trailers));
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function rawTrailers(trailers: unknown): unknown {
  if (trailers === null || typeof trailers !== 'object' || Array.isArray(trailers)) return trailers;
  const raw: string[] = [];
  // Node's trailer values are strings, or string arrays for repeated names.
  for (const [name, value] of Object.entries(trailers as Record<string, string | string[] | undefined>)) {
    if (name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) raw.push(name, v);
    else if (value !== undefined) raw.push(name, value);
  }
  return raw;
}
