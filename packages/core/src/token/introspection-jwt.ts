/**
 * RFC 9701 signed introspection answers (`application/token-introspection+jwt`): the answer is a JWT the
 * issuer signed with the keys it signs tokens with, so it is verified exactly as strictly as a token —
 * `typ` `token-introspection+jwt` (§5, so no other JWT of the issuer passes for one), the issuer's pinned
 * algorithms and its own key source, `iss` the issuer, `aud` this API's client id, `iat` fresh (a replayed
 * old answer is refused) — and only then is its `token_introspection` member the RFC 7662 answer.
 * Anything unverifiable is the provider's fault: 503, never an allow.
 */
import { Buffer } from 'node:buffer';
import { isPromise } from '../model/maybe-async.js';
import type { JsonObject } from '../model/strict-json.js';
import { mediaType } from '../signals/event-claims.js';
import { isSignatureAlgorithm, verifySignature } from './algorithms.js';
import { parseCompactJws } from './compact-jws.js';
import { MAX_KID_LENGTH, unsupportedParameter } from './header-rules.js';
import { IntrospectionCallError } from './introspection-call.js';
import type { ResolvedIssuer } from './verify-token.js';

/** How old a signed answer may be: it answers the call just made, so only clock skew is tolerated. */
export const MAX_ANSWER_AGE_SECONDS = 60;

const refuse = (detail: string) => new IntrospectionCallError('unverifiable-jwt', `signed answer: ${detail}`);

function claimsProblem(
  payload: JsonObject,
  issuer: ResolvedIssuer,
  clientId: string,
  nowSeconds: number,
): string | undefined {
  const tolerance = issuer.claimRules.clockToleranceSeconds;
  if (payload.iss !== issuer.issuer) return 'iss is not this issuer';
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (!Array.isArray(audiences) || !audiences.includes(clientId)) return 'aud does not name this client';
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'iat is missing';
  if (iat > nowSeconds + tolerance) return 'iat is in the future';
  if (iat < nowSeconds - MAX_ANSWER_AGE_SECONDS - tolerance) return 'iat is too old';
  if (exp !== undefined && (typeof exp !== 'number' || exp <= nowSeconds - tolerance)) return 'expired';
  const answer = payload.token_introspection;
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    return 'token_introspection is not an object';
  }
  return undefined;
}

/**
 * Verifies a signed answer and returns its `token_introspection` member; rejects with an
 * {@link IntrospectionCallError} (`unverifiable-jwt`) otherwise.
 *
 * @example
 * ```ts
 * const answer = await verifyIntrospectionJwt(body, issuer, 'api', Date.now() / 1000);
 * ```
 */
export async function verifyIntrospectionJwt(
  jwt: string,
  issuer: ResolvedIssuer,
  clientId: string,
  nowSeconds: number,
): Promise<JsonObject> {
  const parsed = parseCompactJws(jwt);
  if (!parsed.ok) throw refuse(parsed.detail);
  const { header, payload, signingInput, signature } = parsed.jws;
  const unsupported = unsupportedParameter(header);
  if (unsupported) throw refuse(`header parameter ${unsupported} is not supported`);
  if (mediaType(header.typ) !== 'token-introspection+jwt') throw refuse('typ is not token-introspection+jwt');
  const { alg, kid } = header;
  if (!isSignatureAlgorithm(alg) || !issuer.algorithms.has(alg)) throw refuse('alg is not allowed');
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) {
    throw refuse('kid is not a short string');
  }
  const pending = issuer.keySource.resolve(kid, alg);
  const resolution = isPromise(pending) ? await pending : pending;
  if (resolution.kind !== 'key') {
    throw refuse(resolution.kind === 'miss' ? `key lookup: ${resolution.reason}` : resolution.detail);
  }
  const { key } = resolution;
  if (!verifySignature(key.alg, key.key, Buffer.from(signingInput, 'latin1'), signature)) {
    throw refuse('signature does not verify');
  }
  const problem = claimsProblem(payload, issuer, clientId, nowSeconds);
  if (problem) throw refuse(problem);
  return payload.token_introspection as JsonObject;
}
