/**
 * Tokens that a real provider really issues, presented where they do not belong: for another API, an ID
 * token instead of an access token, a token of an issuer that is not trusted, a tampered or an expired one.
 */
import { createGuard, type Guard } from '@nevertrust/core';
import { BILLING_API, type OidcTestProvider, ORDERS_API, startOidcProvider } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeOf, decodeJwt, present, reasonOf, tamper, waitUntilPast } from './support.js';

let idp: OidcTestProvider;
let rogue: OidcTestProvider;
let guard: Guard;

beforeAll(async () => {
  [idp, rogue] = await Promise.all([startOidcProvider(), startOidcProvider()]);
  guard = createGuard({
    issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
    // Two seconds of leeway keep the one-second token valid for at least two seconds after issue, however
    // the issue time falls within its second; expiry is then checked against exp + 2.
    clockToleranceSeconds: 2,
  });
  await guard.ready();
});

afterAll(async () => {
  await guard?.close();
  await Promise.all([idp?.close(), rogue?.close()]);
});

describe('tokens that do not belong here', () => {
  it('AT-8 AT-13 #30: a token the provider issued for another API is refused', async () => {
    const { accessToken } = await idp.clientCredentials('reporting-service', {
      resource: BILLING_API,
      scope: 'billing:read',
    });
    expect(decodeJwt(accessToken).payload.aud).toBe(BILLING_API);
    const decision = await present(guard, accessToken);
    expect(reasonOf(decision)).toBe('ERR_AUDIENCE_MISMATCH');
    expect(decision.outcome === 'deny' && decision.status).toBe(401);
    expect(challengeOf(decision).error).toBe('invalid_token');
  });

  it('AT-2 J-10 #29: an ID token from the same provider and key is not an access token', async () => {
    const { idToken } = await idp.userTokens({ loginHint: 'alice' });
    if (idToken === undefined) throw new Error('the provider returned no ID token');
    expect(decodeJwt(idToken).header.kid).toBe(idp.keyIds[0]);
    const decision = await present(guard, idToken);
    expect(reasonOf(decision)).toBe('ERR_TOKEN_TYPE');
    expect(challengeOf(decision).error).toBe('invalid_token');
  });

  it('J-10 #29: an ID token is refused even where untyped access tokens are tolerated (jwt-compatible)', async () => {
    const lenient = createGuard({
      issuers: [{ issuer: idp.issuer, audience: [ORDERS_API, 'orders-web'], tokenType: 'jwt-compatible' }],
    });
    try {
      const { idToken } = await idp.userTokens({ loginHint: 'bob' });
      if (idToken === undefined) throw new Error('the provider returned no ID token');
      const decision = await present(lenient, idToken);
      expect(reasonOf(decision)).toBe('ERR_TOKEN_TYPE');
      expect(decision.audit.detail).toMatch(/nonce|at_hash/);
    } finally {
      await lenient.close();
    }
  });

  it('K-10 #28: a genuine token of an untrusted provider is refused without contacting that provider', async () => {
    const { accessToken } = await rogue.clientCredentials('fulfilment-service', { scope: 'orders:write' });
    const decision = await present(guard, accessToken);
    expect(reasonOf(decision)).toBe('ERR_ISSUER_UNKNOWN');
    expect(rogue.requests('/jwks')).toBe(0);
  });

  it('#4: a token whose claims were changed after signing is refused', async () => {
    const { accessToken } = await idp.clientCredentials('reporting-service', { scope: 'orders:read' });
    const forged = tamper(accessToken, { scope: 'orders:read orders:write' });
    const decision = await present(guard, forged);
    expect(reasonOf(decision)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('AT-10 #26: a token the provider issued with a one-second lifetime is refused once it expired', async () => {
    const { accessToken, expiresIn } = await idp.clientCredentials('batch-job', { scope: 'orders:read' });
    expect(expiresIn).toBe(1);
    expect(reasonOf(await present(guard, accessToken))).toBe('OK');
    await waitUntilPast((decodeJwt(accessToken).payload.exp as number) + 2);
    const decision = await present(guard, accessToken);
    expect(reasonOf(decision)).toBe('ERR_TOKEN_EXPIRED');
    expect(challengeOf(decision).error).toBe('invalid_token');
  });
});
