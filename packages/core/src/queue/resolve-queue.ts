/** @module Validates an upstream's `queue` option (NGINX Plus `queue N timeout=T`): how many requests may wait for a server at `maxConns`, and for how long. */
import type { ResolvedQueue } from '../types.js';
import { checkKeys, describe, fail, isPlainObject } from '../config/describe.js';
import { parseDuration } from '../config/duration.js';

const QUEUE_KEYS = ['size', 'timeout', 'status'] as const;

/** Most requests one upstream's queue may hold: each waiting request keeps its client socket open. */
export const MAX_QUEUE_SIZE = 100_000;

/** NGINX Plus's default `timeout=`. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Node timers fire at once past 2^31-1 ms (with a warning): a longer wait is refused, not shortened silently. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** `undefined` (no queue: a pool at `maxConns` answers at once, as nginx OSS) or the resolved queue. */
export function resolveQueue(input: unknown, path: string): ResolvedQueue | undefined {
  if (input === undefined || input === false) return undefined;
  if (!isPlainObject(input)) fail(path, `must be an object { size, timeout?, status? } or false, got ${describe(input)}`);
  checkKeys(input, QUEUE_KEYS, path);
  const { size, timeout, status } = input;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_QUEUE_SIZE) {
    fail(`${path}.size`, `must be an integer from 1 to ${MAX_QUEUE_SIZE}, got ${describe(size)}`);
  }
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout, `${path}.timeout`);
  if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    fail(`${path}.timeout`, `must be more than 0 and at most ${MAX_TIMEOUT_MS} ms (a request may not wait forever), got ${describe(timeout)}`);
  }
  if (status !== undefined && status !== 502 && status !== 503) {
    fail(`${path}.status`, `must be 502 (NGINX Plus's answer) or 503 (HAProxy's and Envoy's), got ${describe(status)}`);
  }
  return Object.freeze({ size, timeoutMs, status: status ?? 503 });
}
