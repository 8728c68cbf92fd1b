/**
 * What every target of the conformance suite shares: one trusted issuer with static keys, one issuer
 * whose key endpoint is down (a real HTTPS key server), an HMAC issuer with a named secret, an untrusted
 * issuer, and token recipes turned into real signed tokens.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import type { AuditEvent, GuardOptions } from '@nevertrust/core';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  startKeyServer,
  type TestKey,
} from '@nevertrust/testkit';
import type { TokenRecipe } from './api.js';
import { DPOP_JKT } from './dpop-profile.js';

export const AUDIENCE = 'https://api.conformance.test';
export const REALM = 'conformance';
const MAIN_ISSUER = 'https://idp.conformance.test/';
const UNTRUSTED_ISSUER = 'https://untrusted.conformance.test/';
const HMAC_ISSUER = 'https://hmac.conformance.test/';

/** Keys, issuers and the key server of one suite run. */
export interface Fixture {
  /** Signs the token a recipe describes. */
  mint(recipe: TokenRecipe): string;
  /** Guard options for one target, reporting its audit events to `onAudit`. */
  guardOptions(onAudit: (event: AuditEvent) => void): GuardOptions;
  close(): Promise<void>;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function createFixture(): Promise<Fixture> {
  const main = generateTestKey('ES256', 'main-1');
  const forger = generateTestKey('ES256', 'main-1');
  const untrusted = generateTestKey('ES256', 'untrusted-1');
  const remote = generateTestKey('RS256', 'remote-1');
  // An HMAC issuer whose secret is named `hmac-1` (secretKid): a token naming it, or no kid, verifies.
  const secret = createSecretKey(randomBytes(32));
  const hmac: TestKey = { alg: 'HS256', kid: 'hmac-1', privateKey: secret, publicKey: secret, jwk: {} };
  const keyServer: KeyServer = await startKeyServer({ keys: [remote.jwk] });
  // Fail closed: the remote issuer's key endpoint is down for the whole run (503, never a pass).
  keyServer.setMode('down');
  const issuers: Record<NonNullable<TokenRecipe['issuer']>, { issuer: string; key: TestKey }> = {
    main: { issuer: MAIN_ISSUER, key: main },
    untrusted: { issuer: UNTRUSTED_ISSUER, key: untrusted },
    remote: { issuer: keyServer.url, key: remote },
    hmac: { issuer: HMAC_ISSUER, key: hmac },
  };
  return {
    mint(recipe) {
      const { issuer, key } = issuers[recipe.issuer ?? 'main'];
      const mint = createTokenIssuer({ issuer, audience: AUDIENCE, key });
      const claims: Record<string, unknown> = { ...recipe.claims };
      if (recipe.scope !== undefined) claims.scope = recipe.scope;
      if (recipe.expiredSecondsAgo !== undefined) {
        claims.iat = nowSeconds() - recipe.expiredSecondsAgo - 300;
        claims.exp = nowSeconds() - recipe.expiredSecondsAgo;
      }
      if (recipe.validInSeconds !== undefined) claims.nbf = nowSeconds() + recipe.validInSeconds;
      if (recipe.authTimeSecondsAgo !== undefined)
        claims.auth_time = nowSeconds() - recipe.authTimeSecondsAgo;
      if (recipe.dpopBound) claims.cnf = { jkt: DPOP_JKT };
      return mint({
        claims,
        ...(recipe.header ? { header: recipe.header } : {}),
        ...(recipe.forged ? { signWith: forger.privateKey } : {}),
      });
    },
    guardOptions(onAudit) {
      return {
        issuers: [
          { issuer: MAIN_ISSUER, audience: AUDIENCE, keys: [main.jwk] },
          { issuer: keyServer.url, audience: AUDIENCE, jwksUri: keyServer.jwksUri },
          {
            issuer: HMAC_ISSUER,
            audience: AUDIENCE,
            secret: secret.export(),
            secretKid: hmac.kid,
            algorithms: ['HS256'],
          },
        ],
        realm: REALM,
        keyFetch: { ca: keyServer.ca ?? [], timeoutMs: 2000 },
        onAudit,
      };
    },
    close: () => keyServer.close(),
  };
}
