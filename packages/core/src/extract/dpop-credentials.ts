/**
 * The DPoP authorization scheme (RFC 9449 §7.1): `Authorization: DPoP <token68>` together with exactly one
 * `DPoP` header holding the proof (§4.1, §4.3 check 1; checklist D-1, D-14). Only read when the guard
 * accepts DPoP. The proof is checked in the bind step; here it is only counted and bounded.
 */
import type { ErrorCode } from '../model/errors.js';
import type { RequestFacts } from '../model/facts.js';

/** An access token presented with the DPoP scheme, and its proof. */
export interface DpopToken {
  readonly kind: 'token';
  readonly token: string;
  readonly location: 'header';
  readonly scheme: 'dpop';
  /** The one `DPoP` header's value, not yet verified. */
  readonly proof: string;
}

/** A DPoP credential, or why the request's DPoP credential is unusable. */
export type DpopCredential =
  | DpopToken
  | { readonly kind: 'error'; readonly code: ErrorCode; readonly detail: string; readonly scheme: 'dpop' };

// RFC 9449 §7.1: credentials = "DPoP" 1*SP token68 (the scheme name is case-insensitive, RFC 9110 §11.1).
const DPOP_SCHEME = /^dpop(?:\s|$)/i;
const DPOP_CREDENTIALS = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i;
// A proof with a 4096-bit RSA key in its header is about 1.5 kB; anything far larger is refused unread.
const MAX_PROOF_BYTES = 8192;

function failure(code: ErrorCode, detail: string): DpopCredential {
  return { kind: 'error', code, detail, scheme: 'dpop' };
}

/** True when an `Authorization` value uses the DPoP scheme. */
export function isDpopScheme(value: string): boolean {
  return DPOP_SCHEME.test(value);
}

/**
 * The access token and proof of an `Authorization` value already known to use the DPoP scheme.
 *
 * @example
 * ```ts
 * dpopCredential(facts, 'DPoP eyJ…', 8192); // { kind: 'token', scheme: 'dpop', token: 'eyJ…', proof: 'eyJ…', … }
 * ```
 */
export function dpopCredential(facts: RequestFacts, value: string, maxTokenBytes: number): DpopCredential {
  if (value.length > maxTokenBytes + 16) return failure('ERR_TOKEN_TOO_LARGE', 'header over size cap');
  const match = DPOP_CREDENTIALS.exec(value);
  if (!match) return failure('ERR_MALFORMED_CREDENTIALS', 'Authorization header is not "DPoP <token68>"');
  const token = match[1] as string;
  if (token.length > maxTokenBytes) return failure('ERR_TOKEN_TOO_LARGE', 'token over size cap');
  // Every received value, never a joined one (Node joins repeated DPoP headers with ", " in req.headers).
  const proofs = facts.headers.dpop ?? [];
  if (proofs.length === 0)
    return failure('ERR_DPOP_PROOF_MISSING', 'DPoP scheme without a DPoP header (D-14)');
  if (proofs.length > 1) return failure('ERR_DPOP_PROOF_INVALID', 'more than one DPoP header (D-1)');
  const proof = proofs[0] as string;
  if (proof.length > MAX_PROOF_BYTES) return failure('ERR_DPOP_PROOF_INVALID', 'DPoP header over size cap');
  return { kind: 'token', token, location: 'header', scheme: 'dpop', proof };
}
