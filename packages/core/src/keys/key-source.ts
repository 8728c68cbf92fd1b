/**
 * Where an issuer's verification keys come from. A key source answers one question per token: which key
 * verifies this `kid` and `alg`, or why none does. Keys only ever come from the issuer's configured source,
 * never from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored; AT-9, K-10, attacks #8–#10).
 */
import type { SignatureAlgorithm } from '../token/algorithms.js';
import { keyIdsOf, type SourceHealth } from './key-health.js';
import type { KeyMiss, KeySet, VerificationKey } from './keys.js';

/** Result of a key lookup; `withdrawn`: the operator withdrew the key or the issuer. */
export type KeyResolution =
  | { readonly kind: 'key'; readonly key: VerificationKey }
  | { readonly kind: 'miss'; readonly reason: KeyMiss | 'withdrawn' }
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds: number; readonly detail: string };

/** A source of verification keys for one issuer. */
export interface KeySource {
  /**
   * Finds the key for a token header's `kid` and `alg`. Answers synchronously when the keys it holds
   * settle the question (a promise and a microtask per token were a measurable part of a miss, measured in the benchmarks),
   * with a native promise only when it must fetch. Never throws or rejects.
   */
  resolve(kid: string | undefined, alg: SignatureAlgorithm): KeyResolution | Promise<KeyResolution>;
  /**
   * Whether a fresh lookup of `kid` and `key.alg` would pick exactly `key` now, without fetching: the
   * verified-token cache asks this on every hit, so a cached result dies with the key that verified it —
   * withdrawn, removed at a refetch, or past the stale bound (the design's invariant: a cache never
   * decides what a fresh check would refuse). May start the same background refresh a lookup would.
   */
  confirms(kid: string | undefined, key: VerificationKey): boolean;
  /** Loads keys now, so the first request does not wait; rejects when no usable key could be loaded. */
  warmUp(): Promise<void>;
  /** Age, refresh and failure state of the keys, for health checks. */
  health(): SourceHealth;
}

/**
 * Answers lookups from a fixed set of configured keys. PEM keys and a secret configured without
 * `secretKid` have no `kid`, so a token's `kid` cannot name them: a `kid` that no configured key carries
 * falls back to the unnamed keys of the token's algorithm (as jose does for a single key), still only when
 * exactly one of them fits.
 *
 * @example
 * ```ts
 * const source = new StaticKeySource('https://idp.example.com/', new KeySet([key]));
 * const found = source.resolve('k1', 'ES256');
 * ```
 */
export class StaticKeySource implements KeySource {
  readonly #issuer: string;
  readonly #keys: KeySet;
  readonly #unnamed: KeySet | undefined;

  constructor(issuer: string, keys: KeySet, unnamed?: KeySet) {
    this.#issuer = issuer;
    this.#keys = keys;
    this.#unnamed = unnamed && unnamed.size > 0 ? unnamed : undefined;
  }

  resolve(kid: string | undefined, alg: SignatureAlgorithm): KeyResolution {
    let found = this.#keys.find(kid, alg);
    if (found === 'unknown-kid' && kid !== undefined && this.#unnamed) {
      const unnamed = this.#unnamed.find(undefined, alg);
      // No PEM key of this algorithm: the miss is still about the kid.
      if (unnamed !== 'algorithm-mismatch') found = unnamed;
    }
    return typeof found === 'string' ? { kind: 'miss', reason: found } : { kind: 'key', key: found };
  }

  confirms(kid: string | undefined, key: VerificationKey): boolean {
    const found = this.resolve(kid, key.alg);
    return found.kind === 'key' && found.key === key;
  }

  async warmUp(): Promise<void> {}

  health(): SourceHealth {
    const keys = this.#keys.list();
    return {
      issuer: this.#issuer,
      source: 'static',
      state: 'fresh',
      keyCount: keys.length,
      keyIds: keyIdsOf(keys),
    };
  }
}
