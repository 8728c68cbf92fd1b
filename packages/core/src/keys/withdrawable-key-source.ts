/**
 * An issuer's key source with the operator's withdrawals on top: a key the operator withdrew (by `kid`),
 * or every key of a withdrawn issuer, verifies nothing — whatever the issuer still publishes — until the
 * operator restores it. Withdrawing a key is how a compromise is answered before the issuer has caught up;
 * the verified-token cache asks {@link KeySource.confirms} on every hit, so results the key verified die
 * with the withdrawal, before the next request is decided.
 */

import { isPromise } from '../model/maybe-async.js';
import type { SignatureAlgorithm } from '../token/algorithms.js';
import type { HeldKeyHealth } from './key-health.js';
import type { KeyResolution, KeySource } from './key-source.js';
import type { VerificationKey } from './keys.js';

const WITHDRAWN: KeyResolution = Object.freeze({ kind: 'miss', reason: 'withdrawn' });

/**
 * Wraps a key source with withdrawals.
 *
 * @example
 * ```ts
 * const keys = new WithdrawableKeySource(new StaticKeySource(issuer, new KeySet([key])));
 * keys.withdraw('2025-06');
 * keys.resolve('2025-06', 'ES256'); // { kind: 'miss', reason: 'withdrawn' }
 * ```
 */
export class WithdrawableKeySource implements KeySource {
  readonly #inner: KeySource;
  readonly #kids = new Set<string>();
  #issuer = false;

  constructor(inner: KeySource) {
    this.#inner = inner;
  }

  /** Withdraws the keys with this `kid`. */
  withdraw(kid: string): void {
    this.#kids.add(kid);
  }

  /** Lets the keys with this `kid` verify again. */
  restore(kid: string): void {
    this.#kids.delete(kid);
  }

  /** Withdraws every key of the issuer, present and future, or ends that (`false`). */
  withdrawIssuer(withdrawn = true): void {
    this.#issuer = withdrawn;
  }

  #refuses(kid: string | undefined): boolean {
    return this.#issuer || (kid !== undefined && this.#kids.has(kid));
  }

  // Checked on the token's `kid` before any lookup (a withdrawn kid never causes a fetch) and on the key
  // found, which covers a token without `kid` matched to a withdrawn key.
  #screen = (resolution: KeyResolution): KeyResolution =>
    resolution.kind === 'key' && this.#refuses(resolution.key.kid) ? WITHDRAWN : resolution;

  resolve(kid: string | undefined, alg: SignatureAlgorithm): KeyResolution | Promise<KeyResolution> {
    if (this.#refuses(kid)) return WITHDRAWN;
    const resolution = this.#inner.resolve(kid, alg);
    return isPromise(resolution) ? resolution.then(this.#screen) : this.#screen(resolution);
  }

  confirms(kid: string | undefined, key: VerificationKey): boolean {
    return !this.#refuses(kid) && !this.#refuses(key.kid) && this.#inner.confirms(kid, key);
  }

  warmUp(): Promise<void> {
    return this.#inner.warmUp();
  }

  health(): HeldKeyHealth {
    return { ...this.#inner.health(), withdrawn: { issuer: this.#issuer, keyIds: [...this.#kids] } };
  }
}
