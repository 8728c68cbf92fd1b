/**
 * Sender-constrained tokens presented as Bearer tokens. A token with a `cnf` (confirmation) claim is
 * bound to a key its holder must prove possession of: a DPoP key (`cnf.jkt`, RFC 9449 §6) or a TLS client
 * certificate (`cnf["x5t#S256"]`, RFC 8705 §3.1). RFC 9449 §7.2 (checklist D-15, attack #40): a DPoP-bound
 * token received as a bearer token MUST be rejected; accepting it would let anyone who stole it use it,
 * which is exactly what the binding exists to prevent. nevertrust does not verify proofs of possession
 * yet, so every bound token is refused rather than downgraded to a bearer token (D-14, M-2, attack #41).
 */
import type { JsonObject } from '../model/strict-json.js';

/** Confirmation methods the audit detail names; any other member is reported as `other`. */
const METHODS: Readonly<Record<string, string>> = {
  jkt: 'DPoP key (RFC 9449)',
  'x5t#S256': 'TLS client certificate (RFC 8705)',
};

/**
 * Why the token may not be used as a Bearer token, or undefined for a plain bearer token. Any `cnf` claim
 * counts, whatever its members or type: an unknown confirmation method is no less a binding.
 *
 * @example
 * ```ts
 * bearerBindingProblem({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } });
 * // 'token is sender-constrained (cnf: DPoP key (RFC 9449)); it cannot be used as a Bearer token'
 * ```
 */
export function bearerBindingProblem(payload: JsonObject): string | undefined {
  if (!Object.hasOwn(payload, 'cnf')) return undefined;
  const cnf = payload.cnf;
  const members = typeof cnf === 'object' && cnf !== null && !Array.isArray(cnf) ? Object.keys(cnf) : [];
  const named = members.map((member) => METHODS[member] ?? 'other').join(', ') || 'other';
  return `token is sender-constrained (cnf: ${named}); it cannot be used as a Bearer token`;
}
