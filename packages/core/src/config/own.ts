/** @module Tables keyed by names that come from configuration or requests: `constructor` or `__proto__` is an ordinary name, never Object.prototype's. */

/** `table[key]` when `key` is the table's own property, else `undefined` (never Object.prototype's members). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * `table[key] = value` as an own data property even for `key` `'__proto__'`, where plain assignment
 * would call Object.prototype's setter and lose the entry. The table stays a plain object, so
 * `JSON.stringify`, spreads and `deepStrictEqual` treat it as before.
 */
export function putOwn<T>(table: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(table, key, { value, writable: true, enumerable: true, configurable: true });
}
