/**
 * The yardstick for the fresh-token target: the least a correct verifier must do per request — split the
 * token, decode header and payload, one synchronous `node:crypto` signature check with a preloaded key, and
 * the usual claim checks (`typ`, `iss`, `aud`, `exp`, `nbf`, `iat`). No cache, no audit, no hardening.
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** Verified claims, or undefined for any refusal. */
export type ReferenceVerifier = (authorization: string | undefined) => Record<string, unknown> | undefined;

interface ReferenceKey {
  readonly alg: string;
  readonly key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
}

const TOLERANCE_SECONDS = 5;

/**
 * Builds the reference verifier for one issuer and its public JWKs.
 *
 * @example
 * ```ts
 * const check = createReferenceVerifier({ issuer, audience, jwks: [jwk] });
 * const claims = check(req.headers.authorization);
 * ```
 */
export function createReferenceVerifier(settings: {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: readonly Record<string, unknown>[];
}): ReferenceVerifier {
  const keys = new Map<string, ReferenceKey>();
  for (const jwk of settings.jwks) {
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    const alg = jwk.alg as string;
    keys.set(jwk.kid as string, {
      alg,
      key: alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key,
    });
  }
  const { issuer, audience } = settings;
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return undefined;
    const token = authorization.slice(7);
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) return undefined;
    try {
      const header = JSON.parse(Buffer.from(token.slice(0, firstDot), 'base64url').toString('utf8'));
      const entry = keys.get(header.kid);
      if (!entry || entry.alg !== header.alg || header.typ !== 'at+jwt') return undefined;
      const signed = Buffer.from(token.slice(0, secondDot), 'latin1');
      const signature = Buffer.from(token.slice(secondDot + 1), 'base64url');
      if (!verify('sha256', signed, entry.key, signature)) return undefined;
      const claims = JSON.parse(
        Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'),
      );
      const now = Date.now() / 1000;
      const { iss, aud, exp, nbf, iat } = claims;
      if (iss !== issuer) return undefined;
      if (aud !== audience && !(Array.isArray(aud) && aud.includes(audience))) return undefined;
      if (typeof exp !== 'number' || now >= exp + TOLERANCE_SECONDS) return undefined;
      if (nbf !== undefined && (typeof nbf !== 'number' || now + TOLERANCE_SECONDS < nbf)) return undefined;
      if (iat !== undefined && (typeof iat !== 'number' || iat > now + TOLERANCE_SECONDS)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  };
}
