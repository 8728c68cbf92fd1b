/**
 * Verification of one JWT access token, in the order of the checklist's "validation order" (after A2):
 * strict syntax → header (trusting nothing) → issuer from the allow-list → type → pinned algorithm → key
 * from that issuer's own source → signature → claims → scopes.
 */

import { Buffer } from 'node:buffer';
import { type BindingPolicy, bindingPolicyProblem } from '../bind/binding-policy.js';
import { confirmationOf } from '../bind/confirmation.js';
import type { KeyResolution, KeySource } from '../keys/key-source.js';
import type { VerificationKey } from '../keys/keys.js';
import type { ErrorCode } from '../model/errors.js';
import { isPromise } from '../model/maybe-async.js';
import { type Principal, toPrincipal } from '../model/principal.js';
import { isSignatureAlgorithm, type SignatureAlgorithm, verifySignature } from './algorithms.js';
import { type ClaimRules, validateClaims } from './claims.js';
import { type CompactJws, parseCompactJws } from './compact-jws.js';
import { MAX_KID_LENGTH, unsupportedParameter } from './header-rules.js';
import { collectGrantedScopes, type ScopeClaimFormat } from './scopes.js';
import { type TokenTypePolicy, tokenTypeProblem } from './token-type.js';

/** Everything needed to verify tokens of one trusted issuer. */
export interface ResolvedIssuer {
  readonly issuer: string;
  readonly algorithms: ReadonlySet<SignatureAlgorithm>;
  readonly keySource: KeySource;
  readonly tokenType: TokenTypePolicy;
  readonly claimRules: ClaimRules;
  readonly scopeClaims: readonly (readonly [string, ScopeClaimFormat])[];
  /** Which sender bindings this issuer's tokens must carry. */
  readonly binding: BindingPolicy;
}

/** A verified token: what the cache holds and requirements are checked against. */
export interface VerifiedToken {
  readonly principal: Principal;
  /** Granted scopes as a set, for constant-time requirement checks. */
  readonly scopeSet: ReadonlySet<string>;
  readonly keyId: string | undefined;
  /**
   * What verified the token: the key, the token's own `kid` and the source holding the key. A cached
   * result is used only while `keySource.confirms(kid, key)` — never after the key left the set. Absent
   * for an introspected token (RFC 7662): the provider vouched for it, and only the introspection cache,
   * bounded by `validUntil`, may hold it.
   */
  readonly key?: VerificationKey;
  readonly kid: string | undefined;
  readonly keySource?: KeySource;
  /** Seconds since the epoch after which the token must be verified again (`exp`, or the age cap). */
  readonly validUntil: number;
}

/** Why a token was refused, with what may be recorded about it. */
export interface VerificationFailure {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly detail: string;
  /** Set only when the token named a trusted issuer. */
  readonly issuer?: string;
  readonly retryAfterSeconds?: number;
}

/** Result of {@link verifyAccessToken}. */
export type Verification = { readonly ok: true; readonly token: VerifiedToken } | VerificationFailure;

function refuse(code: ErrorCode, detail: string, issuer?: string): VerificationFailure {
  return issuer === undefined ? { ok: false, code, detail } : { ok: false, code, detail, issuer };
}

/**
 * Verifies a compact JWS access token against the trusted issuers. Synchronous when the issuer's keys are
 * at hand (every `await` costs a promise and a microtask per token, measured in the benchmarks); a native promise only while
 * keys are fetched. Never rejects.
 *
 * @example
 * ```ts
 * const result = await verifyAccessToken(token, issuersByName, Date.now() / 1000);
 * if (result.ok) console.log(result.token.principal.subject);
 * ```
 */
export function verifyAccessToken(
  token: string,
  issuers: ReadonlyMap<string, ResolvedIssuer>,
  nowSeconds: number,
): Verification | Promise<Verification> {
  const parsed = parseCompactJws(token);
  if (!parsed.ok) return refuse(parsed.code, parsed.detail);
  const { jws } = parsed;
  const { header, payload } = jws;

  const unsupported = unsupportedParameter(header);
  if (unsupported)
    return refuse('ERR_TOKEN_UNSUPPORTED_FORMAT', `header parameter ${unsupported} is not supported`);
  const { alg, kid } = header;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) {
    return refuse('ERR_TOKEN_MALFORMED', 'kid is not a short string');
  }
  // The issuer is read before verification only to pick the allow-listed configuration; an unknown
  // issuer is refused without any network access (K-10).
  const issuer = typeof payload.iss === 'string' ? issuers.get(payload.iss) : undefined;
  if (!issuer) return refuse('ERR_ISSUER_UNKNOWN', 'iss is missing or not a trusted issuer');

  const typeProblem = tokenTypeProblem(header, payload, issuer.tokenType);
  if (typeProblem) return refuse('ERR_TOKEN_TYPE', typeProblem, issuer.issuer);
  if (!isSignatureAlgorithm(alg) || !issuer.algorithms.has(alg)) {
    return refuse('ERR_ALGORITHM_NOT_ALLOWED', 'alg is not on the allow-list for this issuer', issuer.issuer);
  }

  const tokenKid = kid as string | undefined;
  const resolution = issuer.keySource.resolve(tokenKid, alg);
  return isPromise(resolution)
    ? resolution.then((resolved) => verifyWithKey(jws, issuer, tokenKid, resolved, nowSeconds))
    : verifyWithKey(jws, issuer, tokenKid, resolution, nowSeconds);
}

/** The checks after key selection: signature, then claims and scopes of the now-authentic token. */
function verifyWithKey(
  jws: CompactJws,
  issuer: ResolvedIssuer,
  kid: string | undefined,
  resolution: KeyResolution,
  nowSeconds: number,
): Verification {
  const name = issuer.issuer;
  if (resolution.kind === 'unavailable') {
    return {
      ok: false,
      code: 'ERR_KEYS_UNAVAILABLE',
      detail: resolution.detail,
      issuer: name,
      retryAfterSeconds: resolution.retryAfterSeconds,
    };
  }
  if (resolution.kind === 'miss') {
    const code =
      resolution.reason === 'algorithm-mismatch' ? 'ERR_ALGORITHM_NOT_ALLOWED' : 'ERR_KEY_NOT_FOUND';
    return refuse(code, `key lookup: ${resolution.reason}`, name);
  }
  const { payload, signingInput, signature } = jws;
  // The key is pinned to one algorithm, the token's `alg` (the lookup matched it).
  const { key } = resolution;
  if (!verifySignature(key.alg, key.key, Buffer.from(signingInput, 'latin1'), signature)) {
    return refuse('ERR_SIGNATURE_INVALID', 'signature does not verify', name);
  }

  const claimFailure = validateClaims(payload, issuer.claimRules, nowSeconds);
  if (claimFailure) return refuse(claimFailure.code, claimFailure.detail, name);
  // What the token is bound to; whether the request proves it is the bind step's check, on every request
  // (a cached verification never stands in for it). A binding nevertrust cannot verify is refused here.
  const confirmation = confirmationOf(payload);
  if (!confirmation.ok) return refuse(confirmation.code, confirmation.detail, name);
  const policyProblem = bindingPolicyProblem(issuer.binding, confirmation.binding);
  if (policyProblem) return refuse('ERR_BINDING_REQUIRED', policyProblem, name);
  const granted = collectGrantedScopes(payload, issuer.scopeClaims);
  if (!(granted instanceof Set)) return refuse('ERR_CLAIM_INVALID', granted.detail, name);

  const { maxTokenAgeSeconds } = issuer.claimRules;
  const exp = payload.exp as number;
  const ageLimit = maxTokenAgeSeconds === undefined ? exp : (payload.iat as number) + maxTokenAgeSeconds;
  return {
    ok: true,
    token: {
      principal: toPrincipal(payload, name, [...granted], confirmation.binding),
      scopeSet: granted,
      keyId: key.kid,
      key,
      kid,
      keySource: issuer.keySource,
      validUntil: Math.min(exp, ageLimit),
    },
  };
}
