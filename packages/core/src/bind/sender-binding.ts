/**
 * Sender-constrained tokens presented as Bearer tokens. A token with a `cnf` (confirmation) claim is
 * bound to a key its holder must prove possession of: a DPoP key (`cnf.jkt`, RFC 9449 §6) or a TLS client
 * certificate (`cnf["x5t#S256"]`, RFC 8705 §3.1). RFC 9449 §7.2 (checklist D-15, attack #40): a DPoP-bound
 * token received as a bearer token MUST be rejected; accepting it would let anyone who stole it use it,
 * which is exactly what the binding exists to prevent. A token bound to a TLS client certificate alone is
 * used with the Bearer scheme (RFC 8705 §3) and is accepted when the guard checks certificates (`mtls`);
 * every other bound token is refused rather than downgraded to a bearer token (D-14, M-2, M-6, #41).
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

/**
 * The `cnf["x5t#S256"]` thumbprint of a token bound to a TLS client certificate and to nothing else, or
 * `undefined`. A `cnf` with any other member besides it (say `jkt` too) is not this: RFC 8705 and RFC 9449
 * define no meaning for two bindings at once, and oidc-provider never issues one (checklist M-6), so such a
 * token stays refused. A thumbprint must look like one: 43 base64url characters (SHA-256, M-1).
 *
 * @example
 * ```ts
 * certificateBoundThumbprint({ cnf: { 'x5t#S256': 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0' } });
 * // 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0'
 * ```
 */
export function certificateBoundThumbprint(payload: JsonObject): string | undefined {
  const cnf = payload.cnf;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return undefined;
  const members = Object.keys(cnf);
  if (members.length !== 1 || members[0] !== 'x5t#S256') return undefined;
  const thumbprint = (cnf as JsonObject)['x5t#S256'];
  return typeof thumbprint === 'string' && /^[A-Za-z0-9_-]{43}$/.test(thumbprint) ? thumbprint : undefined;
}
