/**
 * Why a logout token or Security Event Token was refused, and what each reason becomes on the wire: a
 * Back-Channel Logout 1.0 §2.8 `400 invalid_request`, or an RFC 8935 §2.3 error code. A fault of the
 * API's own stores is a 503 with `Retry-After` on both channels: the signal was not applied, and saying
 * "bad request" would tell the sender not to retry a logout the API simply could not record. A peer over
 * the endpoint's limit of refused requests gets 429 with `Retry-After` (RFC 6585 §4): neither
 * specification defines a status for it, and RFC 8935 §2.3 leaves general HTTP conditions to their status.
 */

/** The reasons, as recorded in `signal` audit records. */
export const SIGNAL_REFUSAL_CODES = [
  'ERR_SIGNAL_REQUEST',
  'ERR_SIGNAL_MALFORMED',
  'ERR_SIGNAL_ISSUER',
  'ERR_SIGNAL_KEY',
  'ERR_SIGNAL_SIGNATURE',
  'ERR_SIGNAL_TYPE',
  'ERR_SIGNAL_AUDIENCE',
  'ERR_SIGNAL_CLAIMS',
  'ERR_SIGNAL_STALE',
  'ERR_SIGNAL_REPLAY',
  'ERR_SIGNAL_SUBJECT',
  'ERR_SIGNAL_UNAVAILABLE',
  'ERR_SIGNAL_RATE_LIMITED',
] as const;

/** One reason a signal was refused. */
export type SignalRefusalCode = (typeof SIGNAL_REFUSAL_CODES)[number];

/** A refused signal: the reason, what may be said about it, and (for 503 and 429) when to retry. */
export interface SignalRefusal {
  readonly code: SignalRefusalCode;
  readonly detail: string;
  readonly issuer?: string | undefined;
  readonly retryAfterSeconds?: number | undefined;
}

/** RFC 8935 §2.3 error codes. */
export type PushErrorCode =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied';

const PUSH_ERRORS: Readonly<Record<SignalRefusalCode, PushErrorCode>> = {
  ERR_SIGNAL_REQUEST: 'invalid_request',
  ERR_SIGNAL_MALFORMED: 'invalid_request',
  ERR_SIGNAL_ISSUER: 'invalid_issuer',
  // "one or more keys used to sign the SET is invalid or otherwise unacceptable" (§2.3).
  ERR_SIGNAL_KEY: 'invalid_key',
  // The signature is how the transmitter is authenticated: it failed.
  ERR_SIGNAL_SIGNATURE: 'authentication_failed',
  ERR_SIGNAL_TYPE: 'invalid_request',
  ERR_SIGNAL_AUDIENCE: 'invalid_audience',
  ERR_SIGNAL_CLAIMS: 'invalid_request',
  ERR_SIGNAL_STALE: 'invalid_request',
  ERR_SIGNAL_REPLAY: 'invalid_request',
  ERR_SIGNAL_SUBJECT: 'invalid_request',
  ERR_SIGNAL_UNAVAILABLE: 'invalid_request',
  ERR_SIGNAL_RATE_LIMITED: 'invalid_request',
};

/**
 * The RFC 8935 `err` value of a refusal.
 *
 * @example
 * ```ts
 * pushErrorOf('ERR_SIGNAL_AUDIENCE'); // 'invalid_audience'
 * ```
 */
export function pushErrorOf(code: SignalRefusalCode): PushErrorCode {
  return PUSH_ERRORS[code];
}
