/**
 * The verified-token cache: the same token again costs a hash and a map lookup instead of a signature
 * check. Keyed by SHA-256 of the whole token, never `header.payload` (a forged signature would then hit)
 * and never the raw token (it would sit in memory as a usable credential) (attack #37). Only verified
 * claims are kept; requirements are evaluated on every request, and no entry outlives its token's `exp`.
 */
import { LRUCache } from 'lru-cache';
import type { VerifiedToken } from './verify-token.js';

/** A cache of verified tokens. */
export interface TokenCache {
  get(key: string, nowMs: number): VerifiedToken | undefined;
  set(key: string, token: VerifiedToken, nowMs: number): void;
}

/**
 * Creates a bounded LRU token cache.
 *
 * @example
 * ```ts
 * const cache = createTokenCache({ maxEntries: 10_000, maxTtlSeconds: 3600 });
 * ```
 */
export function createTokenCache(settings: { maxEntries: number; maxTtlSeconds: number }): TokenCache {
  const entries = new LRUCache<string, VerifiedToken>({ max: settings.maxEntries });
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      // Expiry is checked against the guard's clock on every hit, so it holds to the second.
      if (nowMs >= entry.validUntil * 1000) {
        entries.delete(key);
        return undefined;
      }
      return entry;
    },
    set(key, token, nowMs) {
      const ttl = Math.min(token.validUntil * 1000 - nowMs, settings.maxTtlSeconds * 1000);
      if (ttl > 0) entries.set(key, token, { ttl: Math.ceil(ttl) });
    },
  };
}
