/** @module The `status` option: the page's path and the size of its history (sample interval, samples kept, or off). */
import { parseDuration } from './duration.js';
import { checkKeys, describe, expectObject, fail } from './describe.js';
import { HISTORY_INTERVAL_MS, HISTORY_SAMPLES } from '../admin/status-history.js';

const STATUS_KEYS = ['path', 'history'] as const;
const HISTORY_KEYS = ['interval', 'samples'] as const;

/** Faster than this the page (refreshing every 2 s) could not show the samples anyway; tests use it to get samples quickly. */
const MIN_INTERVAL_MS = 100;
/** A day of 1-minute samples: the series are arrays copied on every status read, so they stay small. */
const MAX_SAMPLES = 1440;

export interface ResolvedStatusOption {
  readonly path: string;
  /** undefined with `history: false`: no listener, no timer, no series. */
  readonly history: { readonly intervalMs: number; readonly samples: number } | undefined;
}

export function resolveStatus(input: unknown): ResolvedStatusOption | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, 'status', "an object { path: '/...' }");
  checkKeys(obj, STATUS_KEYS, 'status');
  const path = obj.path;
  if (typeof path !== 'string' || !/^\/[^\s?#]*$/.test(path)) {
    fail('status.path', `must be a path starting with '/' (no spaces, '?' or '#'), got ${describe(path)}`);
  }
  return Object.freeze({ path, history: resolveHistory(obj.history) });
}

function resolveHistory(input: unknown): ResolvedStatusOption['history'] {
  if (input === false) return undefined;
  if (input === undefined) return Object.freeze({ intervalMs: HISTORY_INTERVAL_MS, samples: HISTORY_SAMPLES });
  if (input === true) fail('status.history', 'must be false or an object { interval?, samples? } (it is on by default), got true');
  const obj = expectObject(input, 'status.history', 'false or an object { interval?, samples? }');
  checkKeys(obj, HISTORY_KEYS, 'status.history');
  const intervalMs = obj.interval === undefined ? HISTORY_INTERVAL_MS : parseDuration(obj.interval, 'status.history.interval');
  if (intervalMs < MIN_INTERVAL_MS || intervalMs > 3_600_000) {
    fail('status.history.interval', `must be from ${MIN_INTERVAL_MS}ms to 1h, got ${describe(obj.interval)}`);
  }
  const samples = obj.samples ?? HISTORY_SAMPLES;
  if (typeof samples !== 'number' || !Number.isSafeInteger(samples) || samples < 2 || samples > MAX_SAMPLES) {
    fail('status.history.samples', `must be an integer from 2 to ${MAX_SAMPLES}, got ${describe(obj.samples)}`);
  }
  return Object.freeze({ intervalMs, samples });
}
