/**
 * Explicit typing of access tokens (RFC 9068 §2.1 and §4; RFC 8725 §3.11; checklist AT-2, J-10, attack #29).
 * Without it, ID tokens, logout tokens, security event tokens and DPoP proofs signed by the same issuer
 * key could be replayed as access tokens.
 */
import type { JsonObject } from '../model/strict-json.js';

/**
 * `at+jwt`: only `typ: at+jwt` / `application/at+jwt` (RFC 9068, the default).
 * `jwt-compatible`: also `typ: JWT` or no `typ`, for providers whose access tokens are not RFC 9068
 * typed, while still refusing every other JWT kind by its `typ` and by the claims only those kinds carry.
 */
export type TokenTypePolicy = 'at+jwt' | 'jwt-compatible';

// Claims that mark a JWT as something other than an access token: ID tokens (OIDC Core §2, §3.3.2.11),
// logout tokens and SETs (RFC 8417 `events`), DPoP proofs (RFC 9449 §4.2).
const FOREIGN_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash', 'events', 'htm', 'htu', 'ath'];

function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Why the token is not an access token under `policy`, or undefined when it is.
 *
 * @example
 * ```ts
 * tokenTypeProblem({ alg: 'RS256', typ: 'JWT' }, {}, 'at+jwt'); // 'typ is not at+jwt'
 * ```
 */
export function tokenTypeProblem(
  header: JsonObject,
  payload: JsonObject,
  policy: TokenTypePolicy,
): string | undefined {
  const typ = header.typ;
  if (typ !== undefined && typeof typ !== 'string') return 'typ is not a string';
  const type = typ === undefined ? undefined : mediaType(typ);
  if (type === 'at+jwt') return undefined;
  if (policy === 'at+jwt') return 'typ is not at+jwt';
  if (type !== undefined && type !== 'jwt')
    return `typ ${JSON.stringify(type.slice(0, 40))} is not an access token type`;
  const foreign = FOREIGN_CLAIMS.find((claim) => claim in payload);
  return foreign ? `claim "${foreign}" marks a different kind of JWT` : undefined;
}
