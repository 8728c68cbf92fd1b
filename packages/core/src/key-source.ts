/**
 * Where an issuer's verification keys come from. A key source answers one question per token: which key
 * verifies this `kid` and `alg`, or why none does. Keys only ever come from the issuer's configured source,
 * never from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored; AT-9, K-10, attacks #8–#10).
 */
import type { SignatureAlgorithm } from './algorithms.js';
import type { KeyMiss, KeySet, VerificationKey } from './keys.js';

/** Result of a key lookup. */
export type KeyResolution =
  | { readonly kind: 'key'; readonly key: VerificationKey }
  | { readonly kind: 'miss'; readonly reason: KeyMiss }
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds: number; readonly detail: string };

/** A source of verification keys for one issuer. */
export interface KeySource {
  /**
   * Finds the key for a token header's `kid` and `alg`. Answers synchronously when the keys it holds
   * settle the question (a promise and a microtask per token were a measurable part of a miss, issue 7),
   * with a native promise only when it must fetch. Never throws or rejects.
   */
  resolve(kid: string | undefined, alg: SignatureAlgorithm): KeyResolution | Promise<KeyResolution>;
  /** Loads keys now, so the first request does not wait; rejects when no usable key could be loaded. */
  warmUp(): Promise<void>;
}

/**
 * Answers lookups from a fixed set of configured keys. PEM keys and a secret configured without
 * `secretKid` have no `kid`, so a token's `kid` cannot name them: a `kid` that no configured key carries
 * falls back to the unnamed keys of the token's algorithm (as jose does for a single key), still only when
 * exactly one of them fits.
 *
 * @example
 * ```ts
 * const source = new StaticKeySource(new KeySet([key]));
 * const found = source.resolve('k1', 'ES256');
 * ```
 */
export class StaticKeySource implements KeySource {
  readonly #keys: KeySet;
  readonly #unnamed: KeySet | undefined;

  constructor(keys: KeySet, unnamed?: KeySet) {
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

  async warmUp(): Promise<void> {}
}
