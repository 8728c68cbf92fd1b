/**
 * What introspection answered, kept for a short while (RFC 7662 §4, I-5): the *verified token* — claims,
 * scopes, binding — never a decision, so every request is still authorised against its own route's
 * requirement, its revocation entries and its proof of possession (the shape of Ory Oathkeeper's
 * CVE-2021-32701, where a cached decision for one route was served for another). Keyed by SHA-256 of the
 * token (never the token, attack #37); an active answer lives until `min(exp, now + cacheTtlSeconds)`, an
 * inactive or refused one `inactiveCacheTtlSeconds`, so a flood of junk tokens costs one call each at most
 * per period and a token revoked at the provider is refused within the bound. Both maps are bounded LRUs.
 */

import { LruMap } from '../model/lru-map.js';
import type { VerificationFailure, VerifiedToken } from './verify-token.js';

/** The answers of one introspecting guard. */
export interface IntrospectionCache {
  active(key: string, nowMs: number): VerifiedToken | undefined;
  refused(key: string, nowMs: number): VerificationFailure | undefined;
  keepActive(key: string, token: VerifiedToken, nowMs: number): void;
  /** Keeps a refusal until `untilMs` (the guard's clock). */
  keepRefused(key: string, failure: VerificationFailure, untilMs: number): void;
}

/**
 * Creates the bounded caches.
 *
 * @example
 * ```ts
 * const cache = createIntrospectionCache(10_000);
 * ```
 */
export function createIntrospectionCache(maxEntries: number): IntrospectionCache {
  const active = new LruMap<string, VerifiedToken>(maxEntries);
  const refused = new LruMap<string, { failure: VerificationFailure; until: number }>(maxEntries);
  return {
    active(key, nowMs) {
      const token = active.get(key);
      // Expiry against the guard's clock on every hit: never served beyond `exp` (I-5).
      if (token === undefined || nowMs < token.validUntil * 1000) return token;
      active.delete(key);
      return undefined;
    },
    refused(key, nowMs) {
      const entry = refused.get(key);
      if (entry === undefined || nowMs < entry.until) return entry?.failure;
      refused.delete(key);
      return undefined;
    },
    keepActive(key, token, nowMs) {
      if (token.validUntil * 1000 > nowMs) active.set(key, token);
    },
    keepRefused(key, failure, untilMs) {
      refused.set(key, { failure, until: untilMs });
    },
  };
}
