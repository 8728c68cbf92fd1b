/**
 * The bounded least-recently-used map behind every in-process cache of the core (verified tokens,
 * introspection answers, DPoP proof keys, rate-limit counters). A `Map` keeps insertion order, so moving
 * an entry to the end when it is read (unless it already sits among the newest half) keeps its first key
 * the least recently used one: eviction is one delete, and the whole structure is one `Map` of at most
 * `max` entries. (It replaces the lru-cache package, whose install carried several builds of far more
 * than these four operations.)
 */

interface Slot<V> {
  readonly value: V;
  /** `performance.now()` after which the entry is gone; absent when only the bound evicts it. */
  readonly expiresAt: number | undefined;
  /** The map's placement count when the entry was last put at the end. */
  placed: number;
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
  /** Placements so far (sets and moves to the end): how far back an entry was last placed. */
  #placements = 0;

  /** @param max the bound on entries (at least 1). */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('LruMap: max must be a positive integer');
    this.#max = max;
  }

  /**
   * The value under `key` (now counted as recently used), or undefined when absent or expired. An entry
   * placed within the newest half is left where it is: at least `max / 2` placements must follow before
   * it could be evicted, and a read after them moves it. So a hot entry is not deleted and re-inserted on
   * every read (a `Map` delete and set, measured in the benchmarks), at the price of counting its use from
   * its last move rather than its last read.
   */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt !== undefined && performance.now() >= slot.expiresAt) {
      this.#slots.delete(key);
      return undefined;
    }
    if (this.#placements - slot.placed >= this.#max >> 1) {
      this.#slots.delete(key);
      slot.placed = ++this.#placements;
      this.#slots.set(key, slot);
    }
    return slot.value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond `max`. */
  set(key: K, value: V, options?: { readonly ttlMs?: number }): this {
    const ttl = options?.ttlMs;
    this.#slots.delete(key);
    const expiresAt = ttl === undefined ? undefined : performance.now() + ttl;
    this.#slots.set(key, { value, expiresAt, placed: ++this.#placements });
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
