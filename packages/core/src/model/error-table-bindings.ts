/**
 * The error table's entries for sender-constrained tokens (RFC 9449 DPoP, binding policies): kept apart so
 * each file stays readable; `ERROR_TABLE` spreads them in.
 */
import type { ErrorResponseSpec } from './error-table.js';
import type { ErrorCode } from './errors.js';

type SenderConstraintCode = Extract<ErrorCode, 'ERR_BINDING_REQUIRED' | `ERR_DPOP_${string}`>;

/** How each sender-constraint refusal is answered on the wire. */
export const SENDER_CONSTRAINT_ERRORS: Readonly<Record<SenderConstraintCode, ErrorResponseSpec>> = {
  // The issuer's or the route's binding policy asks for a sender-constrained token (RFC 9449 §7.1: the
  // client learns from the DPoP challenge that a DPoP-bound token is expected).
  ERR_BINDING_REQUIRED: {
    status: 401,
    error: 'invalid_token',
    description: 'A sender-constrained access token is required',
  },
  // D-17: a DPoP proof next to a Bearer token is a confused client or an attempt to pass a bound token off.
  ERR_DPOP_WITH_BEARER: {
    status: 400,
    error: 'invalid_request',
    description: 'A DPoP proof was sent with a Bearer token',
  },
  // RFC 9449 §7.1 (D-14): the DPoP scheme without exactly one proof.
  ERR_DPOP_PROOF_MISSING: {
    status: 401,
    error: 'invalid_dpop_proof',
    description: 'A DPoP proof is required',
  },
  // RFC 9449 §4.3 (D-1…D-12): the proof itself fails a check; the audit detail says which.
  ERR_DPOP_PROOF_INVALID: {
    status: 401,
    error: 'invalid_dpop_proof',
    description: 'The DPoP proof is invalid',
  },
  // RFC 9449 §11.1: a proof is good once.
  ERR_DPOP_PROOF_REPLAYED: {
    status: 401,
    error: 'invalid_dpop_proof',
    description: 'The DPoP proof was already used',
  },
  // RFC 9449 §9 (D-10): the response carries a fresh `DPoP-Nonce` to retry with.
  ERR_DPOP_NONCE_REQUIRED: {
    status: 401,
    error: 'use_dpop_nonce',
    description: 'Resource server requires nonce in DPoP proof',
  },
  // D-16: a proof over a token bound to nothing proves nothing.
  ERR_DPOP_TOKEN_NOT_BOUND: {
    status: 401,
    error: 'invalid_token',
    description: 'The access token is not bound to a DPoP key',
  },
  // RFC 9449 §7.1 (D-13): the proof key is not the key the token is bound to.
  ERR_DPOP_BINDING_MISMATCH: {
    status: 401,
    error: 'invalid_token',
    description: 'Invalid DPoP key binding',
  },
  // The proof replay store cannot answer, or is full: refused, since a replayed proof would pass.
  ERR_DPOP_REPLAY_UNAVAILABLE: {
    status: 503,
    bodyError: 'temporarily_unavailable',
    description: 'DPoP proofs cannot be checked for replay right now',
  },
};
