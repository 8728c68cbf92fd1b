/**
 * Replay protection for event tokens: every `jti` a sender used is remembered until its token would be
 * refused as too old anyway (BCL 1.0 §2.6 step 8 lets a receiver refuse a logout token whose `jti` it
 * saw before; RFC 8417 §2.2 makes `jti` unique per SET). The interface is small and may answer with a
 * promise, so a store shared between instances (Redis `SET NX EX`) can implement it; the default keeps
 * the identifiers in process, bounded.
 */
/**
 * Remembers event token identifiers.
 *
 * @example
 * ```ts
 * const replay: ReplayStore = createMemoryReplayStore({ maxEntries: 10_000 });
 * createGuard({ issuers, backChannelLogout: { path, clientIds, replay } });
 * ```
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch). `true` when it was new, `false` when it
   * was already recorded and has not expired: a replay. Must be atomic across the instances sharing it.
   */
  remember(key: string, expiresAt: number, nowSeconds: number): boolean | Promise<boolean>;
  /**
   * Forgets `key` again: the signal it identified could not be applied, and the sender's retry of the
   * same token must not be refused as a replay.
   */
  forget(key: string, nowSeconds: number): void | Promise<void>;
}

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most identifiers held at once. Default 10 000. */
  readonly maxEntries?: number;
}

/**
 * The in-process store: a map with per-entry expiry. When full it first drops expired entries; if it is
 * still full it throws rather than forget an identifier (forgetting would re-admit a replay), and the
 * receiver answers 503.
 *
 * @example
 * ```ts
 * const replay = createMemoryReplayStore({ maxEntries: 1000 });
 * replay.remember('https://idp.example.com/\u0000jti-1', now + 300, now); // true, then false
 * ```
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const seen = new Map<string, number>();
  return {
    remember(key, expiresAt, now) {
      const until = seen.get(key);
      if (until !== undefined && until > now) return false;
      if (until === undefined && seen.size >= maxEntries) {
        for (const [old, end] of seen) if (end <= now) seen.delete(old);
      }
      if (until === undefined && seen.size >= maxEntries) {
        throw new RangeError(`replay store holds ${maxEntries} live entries`);
      }
      seen.set(key, expiresAt);
      return true;
    },
    forget(key) {
      seen.delete(key);
    },
  };
}
