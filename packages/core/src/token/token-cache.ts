/**
 * The verified-token cache: the same token again costs a hash and a map lookup instead of a signature
 * check. Keyed by SHA-256 of the whole token, never `header.payload` (a forged signature would then hit)
 * and never the raw token (it would sit in memory as a usable credential) (attack #37). Only verified
 * claims are kept; requirements are evaluated on every request, and no entry outlives its token's `exp`.
 *
 * No entry outlives the key that verified it either: every hit asks the issuer's key source whether a fresh
 * lookup would still pick that very key (not withdrawn by the operator, not removed at a refetch, not past
 * the stale-if-error bound). When it would not, the entry is dropped and the token verified afresh, so a
 * cached result is never an allow that a fresh verification would refuse (design §5).
 *
 * A token is admitted on its second verification, not its first: tokens seen once — one token per
 * request, or a flood of distinct valid tokens — never displace the tokens clients reuse, and never cost
 * an insertion, an eviction and an old-generation entry each (measured: that churn was the largest part of
 * the fresh-token cost, and 17 MB of RSS). The price is one extra verification per reused token.
 */

import { LruMap } from '../model/lru-map.js';
import type { VerifiedToken } from './verify-token.js';

/** A cache of verified tokens. */
export interface TokenCache {
  get(key: string, nowMs: number): VerifiedToken | undefined;
  /** Offers a verified token; it is kept from the second time the same key is offered. */
  set(key: string, token: VerifiedToken, nowMs: number): void;
}

// base64url alphabet → 6-bit values; the key is a SHA-256 digest, so any of its characters is uniform.
const SEXTETS = new Uint8Array(128);
for (const [index, char] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
].entries()) {
  SEXTETS[char.charCodeAt(0)] = index;
}

function bits(key: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index++) {
    value = value * 64 + (SEXTETS[key.charCodeAt(index) & 127] as number);
  }
  return value;
}

/**
 * Remembers which keys were offered once, in a fixed table of 32-bit tags: no allocation per token. A
 * collision only overwrites an older tag (that token is admitted one verification later) or, rarely,
 * admits a token on its first use — both harmless.
 */
function createDoorkeeper(maxEntries: number): (key: string) => boolean {
  let size = 1024;
  while (size < maxEntries * 2 && size < 1 << 22) size *= 2;
  const tags = new Uint32Array(size);
  const mask = size - 1;
  return (key) => {
    const slot = bits(key, 0, 4) & mask;
    // Characters 4–8 give 30 bits; `| 1` keeps a tag from ever equalling an empty slot.
    const tag = (bits(key, 4, 5) | 1) >>> 0;
    if (tags[slot] === tag) return true;
    tags[slot] = tag;
    return false;
  };
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
  const entries = new LruMap<string, VerifiedToken>(settings.maxEntries);
  const seenBefore = createDoorkeeper(settings.maxEntries);
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      // Expiry is checked against the guard's clock on every hit, so it holds to the second.
      // An entry no key vouches for (an introspected token) is never served from here: fail closed.
      const { keySource, key: verifiedBy } = entry;
      if (nowMs >= entry.validUntil * 1000 || !verifiedBy || !keySource?.confirms(entry.kid, verifiedBy)) {
        entries.delete(key);
        return undefined;
      }
      return entry;
    },
    set(key, token, nowMs) {
      const ttl = Math.min(token.validUntil * 1000 - nowMs, settings.maxTtlSeconds * 1000);
      if (ttl > 0 && seenBefore(key)) entries.set(key, token, { ttlMs: Math.ceil(ttl) });
    },
  };
}
