/** @module Validation of hook options (functions, interceptErrors statuses) and their merge: a location's hooks over its upstream's defaults. */
import { describe, fail } from '../config/describe.js';
import type { LocationHooks, ResolvedHooks } from './hook-types.js';

/** The option names of the hooks, accepted on locations, on `proxyTo` routes and on upstreams. */
export const HOOK_KEYS = ['rewriteRequest', 'rewriteResponseHeaders', 'onError', 'interceptErrors'] as const;

const FUNCTION_HOOKS = ['rewriteRequest', 'rewriteResponseHeaders', 'onError'] as const;

/** The hook fields of one options object, checked; `undefined` when none is set (the common case). */
export function readHooks(options: Record<string, unknown>, path: string): LocationHooks | undefined {
  let out: LocationHooks | undefined;
  for (const key of FUNCTION_HOOKS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'function') fail(`${path}.${key}`, `must be a function, got ${describe(value)}`);
    (out ??= {})[key] = value as never;
  }
  const intercept = options.interceptErrors;
  if (intercept !== undefined) {
    const at = `${path}.interceptErrors`;
    if (!Array.isArray(intercept)) fail(at, `must be an array of HTTP statuses (integers 300-599), got ${describe(intercept)}`);
    intercept.forEach((status: unknown, i) => {
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 300 || status > 599) {
        fail(`${at}[${i}]`, `must be an HTTP status, an integer 300-599, got ${describe(status)}`);
      }
    });
    (out ??= {}).interceptErrors = [...(intercept as number[])];
  }
  return out;
}

/**
 * A location's effective hooks: each of its own replaces the upstream's default of the same name.
 * `undefined` when neither sets any, so adapters test one field on the hot path and do nothing else.
 * `interceptErrors` without any `onError` is refused (it would have nothing to answer with).
 */
/* eslint-disable @typescript-eslint/unbound-method -- hooks are declared as methods (bivariant, so a
   framework-typed ctx is accepted) but are plain functions the user wrote; they are called with no `this`. */
export function mergeHooks(own: LocationHooks | undefined, defaults: ResolvedHooks | undefined, path: string): ResolvedHooks | undefined {
  if (own === undefined) return defaults;
  const onError = own.onError ?? defaults?.onError;
  const intercept = own.interceptErrors !== undefined ? new Set(own.interceptErrors) : (defaults?.interceptErrors ?? new Set<number>());
  if (intercept.size > 0 && onError === undefined) {
    fail(`${path}.interceptErrors`, 'needs an onError hook to answer the intercepted statuses (on the location or its upstream)');
  }
  return Object.freeze({
    rewriteRequest: own.rewriteRequest ?? defaults?.rewriteRequest,
    rewriteResponseHeaders: own.rewriteResponseHeaders ?? defaults?.rewriteResponseHeaders,
    onError,
    interceptErrors: intercept,
  });
}
/* eslint-enable @typescript-eslint/unbound-method */

/** An upstream's default hooks (validated the same way; `interceptErrors` there needs `onError` there). */
export function resolveUpstreamHooks(options: Record<string, unknown>, path: string): ResolvedHooks | undefined {
  return mergeHooks(readHooks(options, path), undefined, path);
}
