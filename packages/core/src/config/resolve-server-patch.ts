/** @module Validation of a runtime server change (`setServer`, admin PATCH): the fields a running server may change, named like the configuration. */
import type { ServerPatch } from '../types.js';
import { checkKeys, child, expectObject, fail, optionalBoolean, optionalInteger } from './describe.js';
import { parseDuration } from './duration.js';
import { MAX_WEIGHT } from './defaults.js';

/** A checked patch, durations in ms; only the fields given are set. */
export interface ResolvedServerPatch {
  weight?: number;
  down?: boolean;
  drain?: boolean;
  maxFails?: number;
  failTimeoutMs?: number;
  maxConns?: number;
  slowStartMs?: number;
}

export const PATCH_KEYS = ['weight', 'down', 'drain', 'maxFails', 'failTimeout', 'maxConns', 'slowStart'] as const;

/**
 * Check a patch with the configuration's error messages (`{path}.weight must be a positive
 * integer, got 0`). `backup` is refused as NGINX Plus refuses it: moving a server between tiers
 * is a remove and an add. Unknown fields are refused with a suggestion.
 */
export function resolveServerPatch(input: unknown, path: string): ResolvedServerPatch {
  const obj = expectObject(input, path, `an object with some of ${PATCH_KEYS.join(', ')}`);
  if (obj.backup !== undefined) fail(child(path, 'backup'), 'cannot be changed on a running server (remove it and add it again)');
  if (obj.url !== undefined) fail(child(path, 'url'), 'cannot be changed on a running server (add a new server and remove this one)');
  checkKeys(obj, PATCH_KEYS, path);
  const out: ResolvedServerPatch = {};
  // In the caller's order, so logs and events read as the change was written.
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue;
    const at = child(path, key);
    if (key === 'weight') {
      out.weight = optionalInteger(value, at, 1, 1);
      // The configuration's cap, here too: the admin API and cluster IPC reach setServer through this check.
      if (out.weight > MAX_WEIGHT) fail(at, `must be at most ${MAX_WEIGHT}, got ${out.weight}`);
    } else if (key === 'down') out.down = optionalBoolean(value, at, false);
    else if (key === 'drain') out.drain = optionalBoolean(value, at, false);
    else if (key === 'maxFails') out.maxFails = optionalInteger(value, at, 1, 0);
    else if (key === 'maxConns') out.maxConns = optionalInteger(value, at, 0, 0);
    else if (key === 'failTimeout') out.failTimeoutMs = parseDuration(value, at);
    else if (key === 'slowStart') out.slowStartMs = parseDuration(value, at);
  }
  return out;
}

/** The patch as events and logs show it (durations as ms numbers, which `setServer` accepts back). */
export function publicPatch(patch: ResolvedServerPatch): ServerPatch {
  const out: ServerPatch = {};
  for (const [key, value] of Object.entries(patch) as Array<[keyof ResolvedServerPatch, number | boolean]>) {
    if (key === 'failTimeoutMs') out.failTimeout = value as number;
    else if (key === 'slowStartMs') out.slowStart = value as number;
    else (out as Record<string, number | boolean>)[key] = value;
  }
  return out;
}
