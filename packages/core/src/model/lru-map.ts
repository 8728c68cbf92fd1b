/**
 * The bounded least-recently-used map behind every in-process cache of the core (verified tokens,
 * introspection answers, DPoP proof keys, rate-limit counters). A `Map` keeps insertion order, so moving
 * an entry to the end on each read makes its first key the least recently used one: eviction is one
 * delete, and the whole structure is one `Map` of at most `max` entries. (It replaces the lru-cache
 * package, whose install carried several builds of far more than these four operations.)
 */

interface Slot<V> {
  readonly value: V;
  /** `performance.now()` after which the entry is gone; absent when only the bound evicts it. */
  readonly expiresAt: number | undefined;
}

/**
 * A map of at most `max` entries that evicts the least recently used one; an entry may also be given a
 * time to live in real (monotonic) time, independent of any injected clock.
 *
 * @example
 * ```ts
 * const keys = new LruMap<string, ProofKey>(256);
 * keys.set(segment, key);
 * keys.get(segment); // the key, now the most recently used
 * ```
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #slots = new Map<K, Slot<V>>();

  /** @param max the bound on entries (at least 1). */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('LruMap: max must be a positive integer');
    this.#max = max;
  }

  /** The value under `key` (now the most recently used), or undefined when absent or expired. */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    this.#slots.delete(key);
    if (slot.expiresAt !== undefined && performance.now() >= slot.expiresAt) return undefined;
    this.#slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond `max`. */
  set(key: K, value: V, options?: { readonly ttlMs?: number }): this {
    const ttl = options?.ttlMs;
    this.#slots.delete(key);
    this.#slots.set(key, { value, expiresAt: ttl === undefined ? undefined : performance.now() + ttl });
    if (this.#slots.size > this.#max) {
      const oldest = this.#slots.keys().next();
      if (!oldest.done) this.#slots.delete(oldest.value);
    }
    return this;
  }

  /** Removes the entry under `key`; whether there was one. */
  delete(key: K): boolean {
    return this.#slots.delete(key);
  }

  /** How many entries are held (expired ones included until they are read or evicted). */
  get size(): number {
    return this.#slots.size;
  }
}
