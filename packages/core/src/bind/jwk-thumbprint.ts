/**
 * RFC 7638 JWK thumbprints: SHA-256 over the JSON object of the key's required members only, in
 * lexicographic order, without whitespace. A DPoP-bound token names its key this way (`cnf.jkt`, RFC 9449
 * §6.1), so this is what ties a proof's `jwk` to the token (D-13).
 */
import { hash } from 'node:crypto';

// RFC 7638 §3.2 (and RFC 8037 §2 for OKP): the required members of each key type, already sorted.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The base64url SHA-256 thumbprint of a public JWK, or undefined when the key type is unknown or a
 * required member is missing or not a string.
 *
 * @example
 * ```ts
 * jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' }); // '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I'
 * ```
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const { kty } = jwk;
  const members =
    typeof kty === 'string' && Object.hasOwn(REQUIRED_MEMBERS, kty) ? REQUIRED_MEMBERS[kty] : undefined;
  if (!members) return undefined;
  const parts: string[] = [];
  for (const name of members) {
    const value = Object.hasOwn(jwk, name) ? jwk[name] : undefined;
    if (typeof value !== 'string') return undefined;
    // JSON.stringify escapes exactly as RFC 7638 §3.3 asks (RFC 8259 string syntax, no whitespace).
    parts.push(`"${name}":${JSON.stringify(value)}`);
  }
  return hash('sha256', `{${parts.join(',')}}`, 'base64url');
}
