/**
 * Where the stores keep their state. Multi-key state (the revocation list, the flags, and their expiry
 * indexes) lives under the hash tag `{<prefix>}`, one Cluster slot; each counter is a single key whose hash tag is a
 * digest of the core's key, so counters spread over a Cluster's slots while every script touches one key.
 * Digests also keep subjects and peer addresses out of Redis: only the guard knows what a counter counts.
 */
import { createHash } from 'node:crypto';

/** The keys and channel of one deployment. */
export interface StoreKeys {
  /** Hash: revocation key → `<issuedBefore> <expiresAt>`. */
  readonly revocations: string;
  /** Sorted set: revocation key scored by its end of life, to expire entries. */
  readonly revocationExpiry: string;
  /** Channel each recorded revocation is published on. */
  readonly revocationChannel: string;
  /** Hash: digest of a flag's key (a block, a detector's "seen") → `<until>` in seconds. */
  readonly flags: string;
  /** Sorted set of flags by end. */
  readonly flagExpiry: string;
  /** Channel each flag set is published on. */
  readonly flagChannel: string;
  /** Key of one counter, window set or flag of the counter store. */
  counter(kind: 'window' | 'distinct', key: string): string;
}

/**
 * A SHA-256 digest, base64url: fixed length whatever the input, nothing personal left.
 *
 * @example
 * ```ts
 * digest('203.0.113.7'); // 43 characters
 * ```
 */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * The keys of a deployment `prefix` (checked by the caller).
 *
 * @example
 * ```ts
 * storeKeys('shop-prod').revocations; // '{shop-prod}:revocations'
 * ```
 */
export function storeKeys(prefix: string): StoreKeys {
  const tag = `{${prefix}}`;
  return {
    revocations: `${tag}:revocations`,
    revocationExpiry: `${tag}:revocations:expiry`,
    revocationChannel: `${tag}:revocations`,
    flags: `${tag}:flags`,
    flagExpiry: `${tag}:flags:expiry`,
    flagChannel: `${tag}:flags`,
    counter: (kind, key) => `${prefix}:${kind}:{${digest(key)}}`,
  };
}
