/** @module The one error a failing hash key turns into (`SWITCHYARD_HASH_KEY`), and the coercion of a key function's result. */
import { SwitchyardError } from '../errors.js';

/** The `code` of the error `pick()` throws when an upstream's hash key throws or returns an object. */
export const HASH_KEY_ERROR_CODE = 'SWITCHYARD_HASH_KEY';

/** Thrown by `keyString` for a result that is no key; the gate words it. */
class NotAKey extends Error {
  constructor(readonly value: unknown) {
    super('not a key');
  }
}

/**
 * A key function's result as a string: strings as they are, `undefined`/`null` as `''` (no key, as
 * a missing nginx variable), numbers, bigints and booleans as `String(v)`. Anything else (an
 * object, a Promise from an async function, a symbol, a function) throws: `String(promise)` would
 * send every request to one server without a word.
 */
export function keyString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw new NotAKey(v);
}

/** Describes a value without calling any of its methods (they may throw too). */
function kind(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') {
    if (typeof (v as { then?: unknown }).then === 'function') return 'a Promise (key functions must be synchronous)';
    return Array.isArray(v) ? 'an array' : 'an object';
  }
  return `a ${typeof v}`;
}

/**
 * One line naming the upstream and the key, for what a hash key threw (`thrown`) or returned
 * (`thrown` a NotAKey, or no error and `returned` not a string). The original error is `cause`.
 */
export function hashKeyError(upstream: string, source: string, thrown: unknown, returned?: unknown): SwitchyardError {
  let what: string;
  if (thrown instanceof NotAKey) what = `returned ${kind(thrown.value)}, not a string`;
  else if (thrown === undefined) what = `returned ${kind(returned)}, not a string`;
  else if (thrown instanceof Error) what = `threw ${thrown.name}: ${thrown.message}`;
  else what = `threw ${typeof thrown === 'string' ? thrown : kind(thrown)}`;
  const line = `upstream ${JSON.stringify(upstream)}: hash.key ${source} ${what}`.split(/\r?\n/)[0]!;
  return new SwitchyardError(HASH_KEY_ERROR_CODE, line, thrown instanceof NotAKey || thrown === undefined ? undefined : { cause: thrown });
}
