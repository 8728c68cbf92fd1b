import { SENDER_CONSTRAINT_ERRORS } from './error-table-bindings.js';
import type { ErrorCode } from './errors.js';

/** How one error code is answered on the wire. */
export interface ErrorResponseSpec {
  /** HTTP status. */
  readonly status: number;
  /** RFC 6750 §3.1 error code for the challenge and body; absent where RFC 6750 says to send none (B-7). */
  readonly error?:
    | 'invalid_request'
    | 'invalid_token'
    | 'insufficient_scope'
    | 'insufficient_user_authentication'
    | 'invalid_dpop_proof'
    | 'use_dpop_nonce';
  /** Body error when the failure is not an authentication problem (no challenge is sent). */
  readonly bodyError?: 'temporarily_unavailable' | 'server_error' | 'access_denied' | 'too_many_requests';
  /** Fixed text sent to the client. Details go to the audit event only. */
  readonly description: string;
}

/**
 * The single table from error code to response. `error_description` values are fixed strings, so no
 * claim value or library message can ever reach a client (B-10).
 */
export const ERROR_TABLE: Readonly<Record<Exclude<ErrorCode, 'ERR_CONFIG'>, ErrorResponseSpec>> = {
  ERR_NO_CREDENTIALS: { status: 401, description: 'Authentication required' },
  ERR_MALFORMED_CREDENTIALS: {
    status: 400,
    error: 'invalid_request',
    description: 'The Authorization header is malformed',
  },
  ERR_MULTIPLE_CREDENTIALS: {
    status: 400,
    error: 'invalid_request',
    description: 'More than one access token was presented',
  },
  ERR_TOKEN_TOO_LARGE: { status: 401, error: 'invalid_token', description: 'The access token is too large' },
  ERR_TOKEN_MALFORMED: { status: 401, error: 'invalid_token', description: 'The access token is malformed' },
  ERR_TOKEN_UNSUPPORTED_FORMAT: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token format is not supported',
  },
  ERR_TOKEN_TYPE: { status: 401, error: 'invalid_token', description: 'The token is not an access token' },
  ERR_ALGORITHM_NOT_ALLOWED: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token signing algorithm is not allowed',
  },
  ERR_ISSUER_UNKNOWN: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token issuer is not trusted',
  },
  ERR_KEY_NOT_FOUND: {
    status: 401,
    error: 'invalid_token',
    description: 'No trusted key matches the access token',
  },
  ERR_SIGNATURE_INVALID: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token signature is invalid',
  },
  ERR_TOKEN_EXPIRED: { status: 401, error: 'invalid_token', description: 'The access token expired' },
  ERR_TOKEN_NOT_YET_VALID: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token is not yet valid',
  },
  ERR_TOKEN_ISSUED_IN_FUTURE: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token was issued in the future',
  },
  ERR_TOKEN_TOO_OLD: { status: 401, error: 'invalid_token', description: 'The access token is too old' },
  ERR_TOKEN_LIFETIME_TOO_LONG: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token lifetime is too long',
  },
  ERR_AUDIENCE_MISMATCH: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token is not intended for this resource',
  },
  ERR_CLAIM_MISSING: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token lacks a required claim',
  },
  ERR_CLAIM_INVALID: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token has an invalid claim',
  },
  // RFC 9449 §7.2 (D-15), RFC 8705 §3: a sender-constrained token is only good with its proof of
  // possession; presented as a plain Bearer token it is refused, never downgraded.
  ERR_TOKEN_BOUND: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token is sender-constrained and cannot be used as a Bearer token',
  },
  // RFC 8705 §3 (M-2): the connection must present the client certificate the token is bound to. No
  // certificate at all is answered the same way as another one (401 invalid_token, not 400): either way
  // the token is unusable on this connection, and the client learns nothing about which case it hit.
  ERR_CERTIFICATE_MISMATCH: {
    status: 401,
    error: 'invalid_token',
    description: 'The request lacks the client certificate the access token is bound to',
  },
  ...SENDER_CONSTRAINT_ERRORS,
  ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    error: 'insufficient_scope',
    description: 'The access token does not grant the required scope',
  },
  ERR_KEYS_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'Token verification keys are temporarily unavailable',
  },
  // RFC 7662 §2.2: the issuer says the opaque token is not active (revoked, expired, unknown).
  ERR_TOKEN_INACTIVE: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token is not active',
  },
  // The introspection endpoint is slow, down or answers garbage: refused, never allowed (fail closed).
  ERR_INTROSPECTION_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'The access token cannot be checked right now',
  },
  // RFC 9470 §3: the token is fine but the authentication behind it is too weak or too old (step-up).
  ERR_INSUFFICIENT_USER_AUTHENTICATION: {
    status: 401,
    error: 'insufficient_user_authentication',
    description: 'A different authentication level is required',
  },
  // Roles, claims, ownership, address or custom conditions: more privileges are needed (RFC 6750 §3.1).
  ERR_ACCESS_DENIED: {
    status: 403,
    error: 'insufficient_scope',
    description: 'The access token does not permit this request',
  },
  ERR_TOKEN_REVOKED: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token has been revoked',
  },
  ERR_REVOCATION_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'Token revocation status is temporarily unavailable',
  },
  ERR_REVOCATION_STORE_FULL: {
    status: 500,
    bodyError: 'server_error',
    description: 'The request could not be authorised',
  },
  // Deny by default: no credential can fix a route nobody declared, so no token error is sent.
  ERR_POLICY_NO_MATCH: {
    status: 403,
    bodyError: 'access_denied',
    description: 'No access policy permits this request',
  },
  ERR_ROUTE_NOT_DECLARED: {
    status: 403,
    bodyError: 'access_denied',
    description: 'No access policy permits this request',
  },
  // RFC 6585 §4: over a configured rate limit; `Retry-After` says when to come back.
  ERR_RATE_LIMITED: {
    status: 429,
    bodyError: 'too_many_requests',
    description: 'Too many requests',
  },
  // A detector blocked the peer or principal for a cool-down: temporal, so 429 with `Retry-After`, and no
  // challenge, since no other credential would help sooner.
  ERR_BLOCKED: {
    status: 429,
    bodyError: 'too_many_requests',
    description: 'Requests from this client are temporarily blocked',
  },
  // A token seen from too many addresses is presumed leaked: 401 invalid_token makes its rightful client
  // obtain a fresh one, while the copies stay refused for the cool-down.
  ERR_TOKEN_SUSPENDED: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token has been suspended',
  },
  // Fail-closed audit mode: an access that cannot be recorded is not granted.
  ERR_AUDIT_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'The request cannot be recorded right now',
  },
  // The rate-limit / detector counter store cannot answer: refused rather than let a flood through
  // unlimited (unless the operator chose `counterStoreFaults.failOpen`).
  ERR_LIMITS_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'Request limits cannot be checked right now',
  },
  ERR_INTERNAL: {
    status: 500,
    bodyError: 'server_error',
    description: 'The request could not be authorised',
  },
};
