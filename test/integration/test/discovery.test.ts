/**
 * nevertrust against a real OpenID Connect provider (oidc-provider), configured as production would be:
 * only the issuer and the audience; keys come from the provider's discovery document.
 */
import { createGuard, type Guard, requireScopes } from '@nevertrust/core';
import { type OidcTestProvider, ORDERS_API, startOidcProvider } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeOf, decodeJwt, present, reasonOf } from './support.js';

let idp: OidcTestProvider;
let guard: Guard;

beforeAll(async () => {
  idp = await startOidcProvider();
  guard = createGuard({ issuers: [{ issuer: idp.issuer, audience: ORDERS_API }] });
});

afterAll(async () => {
  await guard?.close();
  await idp?.close();
});

describe('discovery against oidc-provider', () => {
  it('K-1 K-2: finds the key set through /.well-known/openid-configuration and accepts a service token', async () => {
    const discoveryBefore = idp.requests('/.well-known/openid-configuration');
    await guard.ready();
    expect(idp.requests('/.well-known/openid-configuration')).toBe(discoveryBefore + 1);
    expect(idp.requests('/jwks')).toBe(1);

    const { accessToken } = await idp.clientCredentials('reporting-service', { scope: 'orders:read' });
    const decision = await present(guard, accessToken, requireScopes('orders:read'));
    expect(reasonOf(decision)).toBe('OK');
    expect(idp.requests('/jwks')).toBe(1);
  });

  it('K-2: an issuer configured with a trailing slash does not match the metadata and fails closed', async () => {
    const strict = createGuard({ issuers: [{ issuer: `${idp.issuer}/`, audience: ORDERS_API }] });
    try {
      const failure = strict.ready();
      await expect(failure).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
      // The common mistake gets its fix: the issuer exactly as the provider names it.
      await expect(failure).rejects.toThrow(
        `trailing slash included: configure ${JSON.stringify(idp.issuer)}`,
      );
    } finally {
      await strict.close();
    }
  });

  it('AT-1 AT-2 AT-3: the provider issues RFC 9068 tokens that pass the default rules unchanged', async () => {
    const { accessToken } = await idp.clientCredentials('reporting-service', { scope: 'orders:read' });
    const { header, payload } = decodeJwt(accessToken);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: idp.keyIds[0] });
    for (const claim of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'])
      expect(payload).toHaveProperty(claim);
  });

  it('a client-credentials token becomes a service principal', async () => {
    const { accessToken } = await idp.clientCredentials('reporting-service', { scope: 'orders:read' });
    const decision = await present(guard, accessToken);
    expect(decision.outcome).toBe('allow');
    if (decision.outcome !== 'allow') return;
    expect(decision.principal).toMatchObject({
      kind: 'service',
      subject: 'reporting-service',
      clientId: 'reporting-service',
      issuer: idp.issuer,
      audience: [ORDERS_API],
      scopes: ['orders:read'],
    });
  });

  it('AT-4: a user token from the authorization code flow carries acr, amr and auth_time', async () => {
    const tokens = await idp.userTokens({ loginHint: 'alice', acrValues: 'urn:nevertrust:acr:mfa' });
    const decision = await present(guard, tokens.accessToken, requireScopes('orders:read'));
    expect(decision.outcome).toBe('allow');
    if (decision.outcome !== 'allow') return;
    expect(decision.principal).toMatchObject({ kind: 'user', subject: 'alice', clientId: 'orders-web' });
    expect(decision.principal?.authentication.acr).toBe('urn:nevertrust:acr:mfa');
    expect(decision.principal?.authentication.amr).toEqual(['pwd', 'otp']);
    expect(decision.principal?.authentication.authTime).toBeTypeOf('number');
  });

  it('AT-12 B-8: a token without the required scope gets 403 insufficient_scope naming the scope', async () => {
    // The provider grants only what the client is allowed: asking for more yields orders:read alone.
    const tokens = await idp.clientCredentials('reporting-service', { scope: 'orders:read orders:write' });
    expect(tokens.scope).toBe('orders:read');
    const decision = await present(guard, tokens.accessToken, requireScopes('orders:write'));
    expect(decision.outcome).toBe('deny');
    if (decision.outcome !== 'deny') return;
    expect(decision.status).toBe(403);
    expect(decision.body.error).toBe('insufficient_scope');
    expect(challengeOf(decision)).toMatchObject({ error: 'insufficient_scope', scope: 'orders:write' });
  });
});

describe('signing algorithms of the provider', () => {
  for (const algorithm of ['ES256', 'PS256', 'EdDSA'] as const) {
    it(`J-1: ${algorithm} tokens from the provider verify with the key it publishes for ${algorithm}`, async () => {
      const provider = await startOidcProvider({ algorithm });
      const verifier = createGuard({ issuers: [{ issuer: provider.issuer, audience: ORDERS_API }] });
      try {
        const { accessToken } = await provider.clientCredentials('reporting-service', {
          scope: 'orders:read',
        });
        expect(decodeJwt(accessToken).header.alg).toBe(algorithm);
        const decision = await present(verifier, accessToken, requireScopes('orders:read'));
        expect(reasonOf(decision)).toBe('OK');
      } finally {
        await verifier.close();
        await provider.close();
      }
    });
  }
});
