/** @module Validation of an upstream's `passive` option: Envoy's panic threshold and max ejection percent over nginx's passive health. */
import type { ResolvedPassiveHealth } from '../types.js';
import { checkKeys, describe, expectObject, fail } from './describe.js';

const PASSIVE_KEYS = ['panic', 'maxEjectedPercent'] as const;
const PANIC_KEYS = ['belowPercent'] as const;

function percent(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 100)
    fail(path, `must be an integer from ${min} to 100, got ${describe(value)}`);
  return value;
}

/** `{ panic?: { belowPercent } | false, maxEjectedPercent? }`; undefined when not given. */
export function resolvePassive(input: unknown, path: string): ResolvedPassiveHealth | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, path, 'an object { panic?: { belowPercent }, maxEjectedPercent? }');
  checkKeys(obj, PASSIVE_KEYS, path);
  let panicBelowPercent = 0;
  if (obj.panic !== undefined && obj.panic !== false) {
    const panic = expectObject(obj.panic, `${path}.panic`, 'an object { belowPercent } or false');
    checkKeys(panic, PANIC_KEYS, `${path}.panic`);
    if (panic.belowPercent === undefined) fail(`${path}.panic.belowPercent`, 'is required (Envoy uses 50)');
    panicBelowPercent = percent(panic.belowPercent, `${path}.panic.belowPercent`, 1);
  }
  const maxEjectedPercent = obj.maxEjectedPercent === undefined ? 100 : percent(obj.maxEjectedPercent, `${path}.maxEjectedPercent`, 0);
  return Object.freeze({ panicBelowPercent, maxEjectedPercent });
}
