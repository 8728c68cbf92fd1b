/**
 * What a token's `cnf` (confirmation) claim binds it to (RFC 7800 §3.1): a DPoP key by its RFC 7638
 * thumbprint (`cnf.jkt`, RFC 9449 §6.1) or a TLS client certificate by its SHA-256 thumbprint
 * (`cnf["x5t#S256"]`, RFC 8705 §3.1). Read once when the token is verified; the bind step then checks
 * each request against it. Anything nevertrust cannot verify is refused rather than downgraded to a plain
 * bearer token (D-14, D-15, M-2, attack #40/#41): an unknown confirmation method, an empty or malformed
 * `cnf`, and a token bound to both a key and a certificate (M-6: one proof-of-possession method per token).
 */
import { NO_BINDING, type SenderBinding } from '../model/principal.js';
import type { JsonObject } from '../model/strict-json.js';

/** Result of {@link confirmationOf}. */
export type Confirmation =
  | { readonly ok: true; readonly binding: SenderBinding }
  | { readonly ok: false; readonly code: 'ERR_TOKEN_BOUND'; readonly detail: string };

/** Confirmation methods the audit detail names; any other member is reported as `other`. */
const METHODS: Readonly<Record<string, string>> = {
  jkt: 'DPoP key (RFC 9449)',
  'x5t#S256': 'TLS client certificate (RFC 8705)',
};
// base64url of a SHA-256 digest, without padding: 43 characters (RFC 7638 §3, RFC 8705 §3.1).
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

function refused(members: readonly string[], why: string): Confirmation {
  const named = members.map((member) => METHODS[member] ?? 'other').join(', ') || 'none';
  return {
    ok: false,
    code: 'ERR_TOKEN_BOUND',
    detail: `token is sender-constrained (cnf: ${named}); ${why}`,
  };
}

/**
 * The sender binding of a verified token's claims, or why the token cannot be used at all. The audit
 * detail names the confirmation methods, never their values.
 *
 * @example
 * ```ts
 * confirmationOf({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } });
 * // { ok: true, binding: { type: 'dpop', jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }
 * ```
 */
export function confirmationOf(payload: JsonObject): Confirmation {
  if (!Object.hasOwn(payload, 'cnf')) return { ok: true, binding: NO_BINDING };
  const cnf = payload.cnf;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    return refused([], 'cnf is not an object');
  }
  const members = Object.keys(cnf);
  if (members.length !== 1) {
    return refused(members, 'exactly one confirmation method is accepted');
  }
  const { jkt, 'x5t#S256': x5t } = cnf as JsonObject;
  if (typeof jkt === 'string' && THUMBPRINT.test(jkt)) {
    return { ok: true, binding: Object.freeze({ type: 'dpop', jkt }) };
  }
  if (typeof x5t === 'string' && THUMBPRINT.test(x5t)) {
    return { ok: true, binding: Object.freeze({ type: 'mtls', certificateThumbprint: x5t }) };
  }
  return refused(members, 'the confirmation method is unknown or malformed');
}
