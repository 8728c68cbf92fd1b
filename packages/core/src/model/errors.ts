/**
 * The one error hierarchy of nevertrust. Every failure has a stable `code`; the table in
 * `error-table.ts` maps each code to its HTTP status and RFC 6750 challenge.
 */

/** Stable machine-readable codes, one per reason a request can be refused or a guard misconfigured. */
export type ErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_NO_CREDENTIALS'
  | 'ERR_MALFORMED_CREDENTIALS'
  | 'ERR_MULTIPLE_CREDENTIALS'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_UNSUPPORTED_FORMAT'
  | 'ERR_TOKEN_TYPE'
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  | 'ERR_ISSUER_UNKNOWN'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_ISSUED_IN_FUTURE'
  | 'ERR_TOKEN_TOO_OLD'
  | 'ERR_TOKEN_LIFETIME_TOO_LONG'
  | 'ERR_AUDIENCE_MISMATCH'
  | 'ERR_CLAIM_MISSING'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_TOKEN_BOUND'
  | 'ERR_CERTIFICATE_MISMATCH'
  | 'ERR_BINDING_REQUIRED'
  | 'ERR_DPOP_WITH_BEARER'
  | 'ERR_DPOP_PROOF_MISSING'
  | 'ERR_DPOP_PROOF_INVALID'
  | 'ERR_DPOP_PROOF_REPLAYED'
  | 'ERR_DPOP_NONCE_REQUIRED'
  | 'ERR_DPOP_TOKEN_NOT_BOUND'
  | 'ERR_DPOP_BINDING_MISMATCH'
  | 'ERR_DPOP_REPLAY_UNAVAILABLE'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_KEYS_UNAVAILABLE'
  | 'ERR_TOKEN_INACTIVE'
  | 'ERR_INTROSPECTION_UNAVAILABLE'
  | 'ERR_INSUFFICIENT_USER_AUTHENTICATION'
  | 'ERR_ACCESS_DENIED'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_REVOCATION_UNAVAILABLE'
  | 'ERR_REVOCATION_STORE_FULL'
  | 'ERR_POLICY_NO_MATCH'
  | 'ERR_ROUTE_NOT_DECLARED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_BLOCKED'
  | 'ERR_TOKEN_SUSPENDED'
  | 'ERR_AUDIT_UNAVAILABLE'
  | 'ERR_LIMITS_UNAVAILABLE'
  | 'ERR_INTERNAL';

const BRAND = Symbol.for('nevertrust.error');

/**
 * Base class of every error nevertrust throws or reports.
 *
 * @example
 * ```ts
 * try { createGuard(options); } catch (e) { if (isNevertrustError(e)) console.error(e.code); }
 * ```
 */
export class NevertrustError extends Error {
  /** Stable code, safe to branch on and to log. */
  readonly code: ErrorCode;
  /** Brand read by {@link isNevertrustError}; survives duplicate package copies where `instanceof` fails. */
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NevertrustError';
    this.code = code;
  }
}

/**
 * Thrown by `createGuard` and the requirement builders when options are wrong. The message names the
 * option's path and what was expected; it never repeats a secret value.
 *
 * @example
 * ```ts
 * createGuard({ issuers: [] }); // throws ConfigError: issuers: expected at least 1 issuer
 * ```
 */
export class ConfigError extends NevertrustError {
  /** Each problem found, as `path: expectation`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_CONFIG', `Invalid nevertrust options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * True for any nevertrust error, even one created by another copy of the package.
 *
 * @example
 * ```ts
 * if (isNevertrustError(err) && err.code === 'ERR_CONFIG') process.exit(1);
 * ```
 */
export function isNevertrustError(value: unknown): value is NevertrustError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
