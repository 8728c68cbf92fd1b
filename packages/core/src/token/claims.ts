/**
 * Claim validation of a verified JWT access token (RFC 9068 §2.2 and §4, RFC 7519 §4.1; checklist AT-3,
 * AT-7, AT-8, AT-10, J-8, J-11; attacks #26, #27, #30). jose neither requires `exp` nor rejects a future
 * `iat` or an infinite NumericDate, so every rule is explicit here.
 */
import type { ErrorCode } from '../model/errors.js';
import type { JsonObject } from '../model/strict-json.js';

/** The rules one issuer's tokens must meet. */
export interface ClaimRules {
  readonly audiences: ReadonlySet<string>;
  readonly requiredClaims: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly maxLifetimeSeconds: number;
}

/** A claim rule that failed. */
export interface ClaimFailure {
  readonly code: ErrorCode;
  readonly detail: string;
}

const STRING_CLAIMS = ['sub', 'client_id', 'jti', 'azp', 'acr', 'cid', 'appid'];
// Identifiers that name the subject, the client, the token or its issuer (RFC 9068 §2.2, AT-3): present
// but empty or blank, an ownership or deny-list check would compare against nothing and match everyone
// with the same blank value.
const IDENTIFIER_CLAIMS = ['iss', 'sub', 'client_id', 'jti', 'azp', 'cid', 'appid'];

function failure(code: ErrorCode, detail: string): ClaimFailure {
  return { code, detail };
}

const AUDIENCE_MISMATCH = failure('ERR_AUDIENCE_MISMATCH', 'aud does not name this resource');

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function audienceFailure(aud: unknown, audiences: ReadonlySet<string>): ClaimFailure | undefined {
  // The common single-audience form is checked without building a list (measured in the benchmarks).
  if (typeof aud === 'string') return audiences.has(aud) ? undefined : AUDIENCE_MISMATCH;
  const list = aud;
  if (!Array.isArray(list) || list.length === 0 || !list.every((entry) => typeof entry === 'string')) {
    return failure('ERR_CLAIM_INVALID', 'aud is not a string or a non-empty array of strings');
  }
  // StringOrURI comparison is exact (RFC 7519 §2): no case folding, no trailing-slash tolerance.
  return list.some((entry) => audiences.has(entry)) ? undefined : AUDIENCE_MISMATCH;
}

function typeFailure(payload: JsonObject): ClaimFailure | undefined {
  for (const name of STRING_CLAIMS) {
    const value = payload[name];
    if (value !== undefined && typeof value !== 'string')
      return failure('ERR_CLAIM_INVALID', `${name} is not a string`);
  }
  for (const name of IDENTIFIER_CLAIMS) {
    const value = payload[name];
    if (typeof value === 'string' && value.trim() === '')
      return failure('ERR_CLAIM_INVALID', `${name} is empty or blank`);
  }
  const amr = payload.amr;
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((entry) => typeof entry === 'string'))) {
    return failure('ERR_CLAIM_INVALID', 'amr is not an array of strings');
  }
  if (payload.auth_time !== undefined && !isNumericDate(payload.auth_time)) {
    return failure('ERR_CLAIM_INVALID', 'auth_time is not a finite NumericDate');
  }
  return undefined;
}

function timeFailure(payload: JsonObject, rules: ClaimRules, now: number): ClaimFailure | undefined {
  const { exp, nbf, iat } = payload;
  const tolerance = rules.clockToleranceSeconds;
  if (!isNumericDate(exp)) return failure('ERR_CLAIM_INVALID', 'exp is not a finite NumericDate');
  if (nbf !== undefined && !isNumericDate(nbf))
    return failure('ERR_CLAIM_INVALID', 'nbf is not a finite NumericDate');
  if (iat !== undefined && !isNumericDate(iat))
    return failure('ERR_CLAIM_INVALID', 'iat is not a finite NumericDate');
  // RFC 7519 §4.1.4: the current time must be before exp.
  if (now >= exp + tolerance) return failure('ERR_TOKEN_EXPIRED', 'exp has passed');
  if (nbf !== undefined && now + tolerance < nbf)
    return failure('ERR_TOKEN_NOT_YET_VALID', 'nbf is in the future');
  if (iat !== undefined && iat > now + tolerance)
    return failure('ERR_TOKEN_ISSUED_IN_FUTURE', 'iat is in the future');
  if (rules.maxTokenAgeSeconds !== undefined) {
    if (iat === undefined) return failure('ERR_CLAIM_MISSING', 'iat is required to check the token age');
    if (now - iat > rules.maxTokenAgeSeconds + tolerance)
      return failure('ERR_TOKEN_TOO_OLD', 'iat is too old');
  }
  // A lifetime cap turns absurd expiries (exp: 1e300, ten-year tokens) into refusals.
  const lifetime = exp - (iat ?? now);
  if (lifetime > rules.maxLifetimeSeconds)
    return failure('ERR_TOKEN_LIFETIME_TOO_LONG', 'lifetime exceeds the cap');
  return undefined;
}

/**
 * Checks the claims of a token whose signature and issuer are already verified.
 *
 * @example
 * ```ts
 * const problem = validateClaims(payload, rules, Date.now() / 1000);
 * if (problem) return deny(problem.code);
 * ```
 */
export function validateClaims(
  payload: JsonObject,
  rules: ClaimRules,
  nowSeconds: number,
): ClaimFailure | undefined {
  for (const name of rules.requiredClaims) {
    if (payload[name] === undefined || payload[name] === null) {
      return failure('ERR_CLAIM_MISSING', `required claim ${name} is missing`);
    }
  }
  return (
    timeFailure(payload, rules, nowSeconds) ??
    audienceFailure(payload.aud, rules.audiences) ??
    typeFailure(payload)
  );
}
