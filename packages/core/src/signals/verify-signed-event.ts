/**
 * The signature step for tokens the identity provider sends the API (logout tokens, Security Event
 * Tokens): the same strict JOSE parsing, algorithm allow-list, key selection and signature check as an
 * access token — the `token/` and `keys/` stages' own functions, never a second verifier — with the
 * sender's own key source, so a key of one issuer or transmitter never verifies another's events (J-7).
 * The claims of an event are checked afterwards by its own rules (`event-claims.ts`).
 */

import { Buffer } from 'node:buffer';
import type { KeySource } from '../keys/key-source.js';
import { isPromise } from '../model/maybe-async.js';
import type { JsonObject } from '../model/strict-json.js';
import { isSignatureAlgorithm, type SignatureAlgorithm, verifySignature } from '../token/algorithms.js';
import { parseCompactJws } from '../token/compact-jws.js';
import { MAX_KID_LENGTH, unsupportedParameter } from '../token/header-rules.js';
import type { SignalRefusalCode } from './signal-refusal.js';

/** Who may send events, and how their signatures are checked. */
export interface EventSender {
  /** The exact `iss` of its tokens. */
  readonly issuer: string;
  readonly algorithms: ReadonlySet<SignatureAlgorithm>;
  readonly keySource: KeySource;
}

/** A verified event token: its header and claims, and which sender signed it. */
export interface SignedEvent {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  readonly sender: EventSender;
}

/** Why an event token was refused before its claims were read. */
export interface SignedEventFailure {
  readonly ok: false;
  readonly code: SignalRefusalCode;
  readonly detail: string;
  /** Set once the token named a configured sender. */
  readonly issuer?: string;
  /** Set when the sender's keys could not be loaded: the sender should retry later. */
  readonly retryAfterSeconds?: number;
}

/** Result of {@link verifySignedEvent}. */
export type SignedEventResult = { readonly ok: true; readonly event: SignedEvent } | SignedEventFailure;

// The access tokens' header rules (token/header-rules.ts): encrypted logout tokens (BCL §2.4 allows
// them) are therefore not accepted.

const refuse = (code: SignalRefusalCode, detail: string, issuer?: string): SignedEventFailure =>
  issuer === undefined ? { ok: false, code, detail } : { ok: false, code, detail, issuer };

/**
 * Verifies the JWS of an event token against the allow-listed senders. Never rejects.
 *
 * @example
 * ```ts
 * const verified = await verifySignedEvent(logoutToken, sendersByIssuer);
 * if (verified.ok) console.log(verified.event.payload.sub);
 * ```
 */
export function verifySignedEvent(
  token: string,
  senders: ReadonlyMap<string, EventSender>,
): SignedEventResult | Promise<SignedEventResult> {
  const parsed = parseCompactJws(token);
  if (!parsed.ok) return refuse('ERR_SIGNAL_MALFORMED', parsed.detail);
  const { header, payload, signingInput, signature } = parsed.jws;
  const unsupported = unsupportedParameter(header);
  if (unsupported) return refuse('ERR_SIGNAL_MALFORMED', `header parameter ${unsupported} is not supported`);
  const { alg, kid } = header;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) {
    return refuse('ERR_SIGNAL_MALFORMED', 'kid is not a short string');
  }
  // Read before verification only to pick the allow-listed sender; an unknown one costs no key fetch.
  const sender = typeof payload.iss === 'string' ? senders.get(payload.iss) : undefined;
  if (!sender) return refuse('ERR_SIGNAL_ISSUER', 'iss is missing or not an allowed sender');
  if (!isSignatureAlgorithm(alg) || !sender.algorithms.has(alg)) {
    return refuse('ERR_SIGNAL_KEY', 'alg is not on the allow-list for this sender', sender.issuer);
  }
  const check = (resolution: Awaited<ReturnType<KeySource['resolve']>>): SignedEventResult => {
    if (resolution.kind === 'unavailable') {
      const { detail, retryAfterSeconds } = resolution;
      return { ok: false, code: 'ERR_SIGNAL_UNAVAILABLE', detail, issuer: sender.issuer, retryAfterSeconds };
    }
    if (resolution.kind === 'miss') {
      return refuse('ERR_SIGNAL_KEY', `key lookup: ${resolution.reason}`, sender.issuer);
    }
    const { key } = resolution;
    if (!verifySignature(key.alg, key.key, Buffer.from(signingInput, 'latin1'), signature)) {
      return refuse('ERR_SIGNAL_SIGNATURE', 'signature does not verify', sender.issuer);
    }
    return { ok: true, event: { header, payload, sender } };
  };
  const resolution = sender.keySource.resolve(kid as string | undefined, alg);
  return isPromise(resolution) ? resolution.then(check) : check(resolution);
}
