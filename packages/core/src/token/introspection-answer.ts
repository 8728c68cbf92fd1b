/**
 * An RFC 7662 §2.2 answer turned into the same verified token a JWT becomes: `active` must be the boolean
 * `true` (I-3: `"true"` or a missing member is inactive), and the answer is held to this API's rules as a
 * token's claims are (I-7: the AS may answer differently per resource): `exp` required and not past (I-5),
 * `aud` naming this API, `iss` — when present — this issuer, scopes from `scope`, the binding from `cnf`
 * (RFC 9449 §6.2, RFC 8705 §3.2) so the bind step checks DPoP proofs and certificates as for JWTs.
 */
import { bindingPolicyProblem } from '../bind/binding-policy.js';
import { confirmationOf } from '../bind/confirmation.js';
import type { ErrorCode } from '../model/errors.js';
import { toPrincipal } from '../model/principal.js';
import type { JsonObject } from '../model/strict-json.js';
import { validateClaims } from './claims.js';
import { collectGrantedScopes } from './scopes.js';
import type { ResolvedIssuer, Verification } from './verify-token.js';

// What an introspection answer must carry besides `active`: the expiry bounds every cache (I-5), the
// audience keeps a token meant for another resource out (I-7).
const REQUIRED_MEMBERS = ['exp', 'aud'];

/**
 * Checks an introspection answer for `issuer` and builds its verified token; `cacheUntil` caps how long
 * the result may be reused (seconds since the epoch), on top of `exp`.
 *
 * @example
 * ```ts
 * const result = verifyIntrospectionAnswer({ active: true, exp, aud: 'api', scope: 'a' }, issuer, now, now + 60);
 * ```
 */
export function verifyIntrospectionAnswer(
  answer: JsonObject,
  issuer: ResolvedIssuer,
  nowSeconds: number,
  cacheUntil: number,
): Verification {
  const name = issuer.issuer;
  const refuse = (code: ErrorCode, detail: string): Verification => ({
    ok: false,
    code,
    detail,
    issuer: name,
  });
  if (answer.active !== true) return refuse('ERR_TOKEN_INACTIVE', 'introspection: token is not active');
  if (answer.iss !== undefined && answer.iss !== name) {
    return refuse('ERR_CLAIM_INVALID', 'introspection: iss is not this issuer');
  }
  const rules = { ...issuer.claimRules, requiredClaims: REQUIRED_MEMBERS };
  const claimFailure = validateClaims(answer, rules, nowSeconds);
  if (claimFailure) return refuse(claimFailure.code, `introspection: ${claimFailure.detail}`);
  const confirmation = confirmationOf(answer);
  if (!confirmation.ok) return refuse(confirmation.code, confirmation.detail);
  const policyProblem = bindingPolicyProblem(issuer.binding, confirmation.binding);
  if (policyProblem) return refuse('ERR_BINDING_REQUIRED', policyProblem);
  const granted = collectGrantedScopes(answer, issuer.scopeClaims);
  if (!(granted instanceof Set)) return refuse('ERR_CLAIM_INVALID', granted.detail);
  const exp = answer.exp as number;
  // The principal's claims are the answer's members, `active` aside (it is always true here).
  const { active: _active, ...claims } = answer;
  return {
    ok: true,
    token: {
      principal: toPrincipal(claims, name, [...granted], confirmation.binding),
      scopeSet: granted,
      keyId: undefined,
      kid: undefined,
      validUntil: Math.min(exp, cacheUntil),
    },
  };
}
