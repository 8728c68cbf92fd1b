/**
 * The DPoP part of the bind step, for a token bound to the key of thumbprint `jkt` (RFC 9449 §4.3, §7.1,
 * §9, §11.1): the proof itself (`dpop-proof.ts`), the key binding (D-13), the server nonce when nonces are
 * configured (D-10), and last the replay store, so that only a proof that passed everything else takes a
 * place in it. A store that cannot answer refuses the request (503), never admits it.
 */
import {
  callStore,
  STORE_RETRY_AFTER_SECONDS,
  type StoreFault,
  type StoreRefusal,
  toStoreFault,
} from '../model/store-faults.js';
import type { NonceAuthority } from './dpop-nonce.js';
import type { ProofVerifier } from './dpop-proof.js';
import { type DpopReplayStore, replayKey } from './replay-store.js';
import { requestUris } from './request-uri.js';
import type { BindRefusal, BindResult, BindSuccess } from './sender-binding.js';

/** What a proof is checked against. */
export interface DpopRequest {
  readonly method: string;
  /** The original request target (path and query). */
  readonly target: string;
  /** base64url(SHA-256(access token)), the expected `ath`. */
  readonly tokenHash: string;
  readonly nowSeconds: number;
}

/** Checks the proof of a DPoP-bound token. */
export type DpopCheck = (
  proof: string,
  jkt: string,
  request: DpopRequest,
) => BindResult | Promise<BindResult>;

/** Settings of {@link createDpopCheck}. */
export interface DpopCheckSettings {
  /** Normalised public origins of the API (`htu` is built from these, never from `Host`). */
  readonly origins: readonly string[];
  readonly verifyProof: ProofVerifier;
  /** How long a proof can be accepted after its `iat`: how long its replay entry must live. */
  readonly maxAgeSeconds: number;
  readonly nonces: NonceAuthority | undefined;
  readonly replayStore: DpopReplayStore;
  readonly replayTimeoutMs: number;
  /** The guard's store-fault path: counted, published, turned into a refusal. */
  readonly onStoreFault: (fault: StoreFault) => StoreRefusal | undefined;
}

const PASSED: BindSuccess = Object.freeze({ ok: true });

function refuse(code: BindRefusal['code'], detail: string, headers?: Record<string, string>): BindRefusal {
  return headers
    ? { ok: false, code, detail, scheme: 'dpop', headers }
    : { ok: false, code, detail, scheme: 'dpop' };
}

/**
 * Creates the DPoP check of a guard.
 *
 * @example
 * ```ts
 * const check = createDpopCheck({ origins, verifyProof, maxAgeSeconds: 300, nonces, replayStore, replayTimeoutMs: 1000, onStoreFault });
 * const result = await check(proof, token.principal.binding.jkt, { method, target, tokenHash, nowSeconds });
 * ```
 */
export function createDpopCheck(settings: DpopCheckSettings): DpopCheck {
  const { origins, verifyProof, maxAgeSeconds, nonces, replayStore, replayTimeoutMs, onStoreFault } =
    settings;

  function storeRefusal(error: unknown): BindRefusal {
    const refusal = onStoreFault(toStoreFault('dpop-replay', error));
    const detail = refusal?.detail ?? 'DPoP replay store fault';
    return {
      ...refuse('ERR_DPOP_REPLAY_UNAVAILABLE', detail),
      retryAfterSeconds: refusal?.retryAfterSeconds ?? STORE_RETRY_AFTER_SECONDS,
    };
  }

  return function checkDpop(proof, jkt, request) {
    const { nowSeconds } = request;
    const uris = requestUris(origins, request.target);
    const verified = verifyProof(proof, { ...request, uris });
    if (!verified.ok) return refuse('ERR_DPOP_PROOF_INVALID', verified.detail);
    const { proof: checked } = verified;
    if (checked.jkt !== jkt) {
      return refuse('ERR_DPOP_BINDING_MISMATCH', 'the proof key is not the key the token is bound to (D-13)');
    }
    let success = PASSED;
    if (nonces) {
      const verdict = nonces.check(checked.nonce, nowSeconds);
      // §11.3: once nonces are in use, a proof without a valid one is never accepted.
      if (verdict === 'invalid') {
        const detail =
          checked.nonce === undefined ? 'proof has no nonce (D-10)' : 'nonce is not valid (D-10)';
        return refuse('ERR_DPOP_NONCE_REQUIRED', detail, { 'dpop-nonce': nonces.issue(nowSeconds) });
      }
      // §8.2: the next nonce rides on the response before this one expires; such a response is not cached.
      if (verdict === 'expiring') {
        success = {
          ok: true,
          headers: { 'dpop-nonce': nonces.issue(nowSeconds), 'cache-control': 'no-store' },
        };
      }
    }
    // Remembered for as long as the proof could be accepted at all (its iat window).
    const key = replayKey(checked.jkt, checked.jti);
    const expiresAt = Math.floor(checked.iat) + maxAgeSeconds + 1;
    const remembered = (fresh: boolean): BindResult =>
      fresh ? success : refuse('ERR_DPOP_PROOF_REPLAYED', 'proof jti was already used (RFC 9449 §11.1)');
    let answer: boolean | Promise<boolean>;
    try {
      answer = callStore('dpop-replay', replayTimeoutMs, () =>
        replayStore.checkAndRemember(key, expiresAt, nowSeconds),
      );
    } catch (error) {
      return storeRefusal(error);
    }
    if (typeof answer === 'boolean') return remembered(answer);
    return Promise.resolve(answer).then(
      (fresh) => (fresh === true || fresh === false ? remembered(fresh) : storeRefusal(new TypeError())),
      storeRefusal,
    );
  };
}
