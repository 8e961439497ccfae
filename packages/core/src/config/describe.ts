/** @module Shared helpers of config validation: value descriptions, error paths, typo suggestions. */
import { SwitchyardConfigError } from '../errors.js';

/** A short description of a bad value for "got ..." in error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof RegExp) return String(value);
  return 'an object';
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `base.key` for identifiers, `base["odd key"]` otherwise, so the path reads like code. */
export function child(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

export function fail(path: string, message: string): never {
  throw new SwitchyardConfigError(path, message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws unless `value` is a plain object; `what` names the expected shape in the message. */
export function expectObject(value: unknown, path: string, what = 'an object'): Record<string, unknown> {
  if (!isPlainObject(value)) fail(path, `must be ${what}, got ${describe(value)}`);
  return value;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + cost);
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The closest known name when it is close enough to be a typo. */
export function suggest(input: string, known: readonly string[]): string | undefined {
  // A truncated name (`rewrite` for `rewritePrefix`) is a typo too.
  if (input.length >= 4) {
    const extended = known.find((name) => name.toLowerCase().startsWith(input.toLowerCase()));
    if (extended !== undefined) return extended;
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(input, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(best.length, input.length) / 3)) ? best : undefined;
}

/** Rejects keys outside `known`: a typo must not be silently ignored. */
export function checkKeys(obj: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    fail(child(path, key), `is not a known option${hint ? ` (did you mean ${hint}?)` : ` (known: ${known.join(', ')})`}`);
  }
}

export function optionalBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, `must be a boolean, got ${describe(value)}`);
  return value;
}

/** Integer >= min (1 = positive, 0 = non-negative). */
export function optionalInteger(value: unknown, path: string, fallback: number, min: 0 | 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(path, `must be a ${min === 1 ? 'positive' : 'non-negative'} integer, got ${describe(value)}`);
  }
  return value;
}
