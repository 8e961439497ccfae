/** @module Read-only Set and Map: resolved config is shared by every request, so nothing may change it after validation. */

/** A Set that refuses changes once built (Object.freeze does not stop Set#add). */
export class FrozenSet<T> extends Set<T> {
  #sealed = false;
  constructor(values: Iterable<T> = []) {
    // Set's constructor calls this.add before #sealed exists, so fill it here instead.
    super();
    for (const value of values) super.add(value);
    this.#sealed = true;
    Object.freeze(this);
  }
  override add(value: T): this {
    if (this.#sealed) throw new TypeError('this set is read-only');
    return super.add(value);
  }
  override delete(_value: T): boolean {
    throw new TypeError('this set is read-only');
  }
  override clear(): void {
    throw new TypeError('this set is read-only');
  }
}

/** A Map that refuses changes once built. */
export class FrozenMap<K, V> extends Map<K, V> {
  #sealed = false;
  constructor(entries: Iterable<readonly [K, V]> = []) {
    super();
    for (const [key, value] of entries) super.set(key, value);
    this.#sealed = true;
    Object.freeze(this);
  }
  override set(key: K, value: V): this {
    if (this.#sealed) throw new TypeError('this map is read-only');
    return super.set(key, value);
  }
  override delete(_key: K): boolean {
    throw new TypeError('this map is read-only');
  }
  override clear(): void {
    throw new TypeError('this map is read-only');
  }
}
