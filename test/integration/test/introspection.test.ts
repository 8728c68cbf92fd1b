/**
 * Opaque access tokens from a real OpenID Connect provider (oidc-provider with `features.introspection`
 * and `features.revocation`), verified by RFC 7662 introspection (checklist A6): the endpoint found by
 * discovery, the API authenticated with its own client credentials, an introspected token allowed, the
 * cached answer never standing in for another route's requirement, and a revocation at the provider
 * refused once the configured cache bound has passed.
 */
import { createGuard, type Guard, requireScopes } from '@nevertrust/core';
import { type OidcTestProvider, ORDERS_API, startOidcProvider } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { present, reasonOf } from './support.js';

const LEDGER_API = 'https://ledger.nevertrust.test';
const CACHE_TTL_SECONDS = 1;

let idp: OidcTestProvider;
let guard: Guard;

beforeAll(async () => {
  idp = await startOidcProvider({
    resources: {
      [ORDERS_API]: { scopes: ['orders:read'] },
      [LEDGER_API]: { scopes: ['ledger:read', 'ledger:write'], format: 'opaque' },
    },
    clients: [
      {
        clientId: 'reader',
        kind: 'service',
        resources: { [ORDERS_API]: ['orders:read'], [LEDGER_API]: ['ledger:read'] },
      },
      { clientId: 'ledger-api', kind: 'resource-server', resources: { [LEDGER_API]: [] } },
    ],
  });
  guard = createGuard({
    issuers: [
      {
        issuer: idp.issuer,
        audience: LEDGER_API,
        introspection: {
          clientId: 'ledger-api',
          clientSecret: idp.clientSecret('ledger-api'),
          cacheTtlSeconds: CACHE_TTL_SECONDS,
          inactiveCacheTtlSeconds: 0,
        },
      },
    ],
    logger: false,
  });
});

afterAll(async () => {
  await guard?.close();
  await idp?.close();
});

const ledgerToken = async () =>
  (await idp.clientCredentials('reader', { resource: LEDGER_API, scope: 'ledger:read' })).accessToken;

describe('opaque tokens from oidc-provider, by introspection (A6)', () => {
  it('I-1 I-2 I-3: an opaque token is introspected at the discovered endpoint and allowed', async () => {
    const token = await ledgerToken();
    expect(token.split('.')).toHaveLength(1);
    const before = idp.requests('/token/introspection');
    const decision = await present(guard, token, requireScopes('ledger:read'));
    expect(reasonOf(decision)).toBe('OK');
    expect(idp.requests('/token/introspection')).toBe(before + 1);
    if (decision.outcome !== 'allow') return;
    // oidc-provider's answer for a client-credentials token names the client but no `sub`.
    expect(decision.principal).toMatchObject({
      subject: undefined,
      clientId: 'reader',
      issuer: idp.issuer,
      audience: [LEDGER_API],
      scopes: ['ledger:read'],
    });
  });

  it('I-5 (CVE-2021-32701 shape): the cached answer allows scope ledger:read, never a route needing ledger:write', async () => {
    const token = await ledgerToken();
    expect(reasonOf(await present(guard, token, requireScopes('ledger:read')))).toBe('OK');
    const before = idp.requests('/token/introspection');
    const refused = await present(guard, token, requireScopes('ledger:write'));
    expect(reasonOf(refused)).toBe('ERR_INSUFFICIENT_SCOPE');
    expect(refused.audit.cacheHit).toBe(true);
    expect(idp.requests('/token/introspection')).toBe(before);
  });

  it('I-4 I-5: revoked at the provider (RFC 7009), the token is refused once the cache bound has passed', async () => {
    const token = await ledgerToken();
    expect(reasonOf(await present(guard, token, requireScopes('ledger:read')))).toBe('OK');
    await idp.revoke(token, 'reader');
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_SECONDS * 1000 + 100));
    const decision = await present(guard, token, requireScopes('ledger:read'));
    expect(reasonOf(decision)).toBe('ERR_TOKEN_INACTIVE');
    expect(decision.status).toBe(401);
  });

  it('a JWT of the same provider for another API is still verified locally and refused for its audience', async () => {
    const { accessToken } = await idp.clientCredentials('reader', {
      resource: ORDERS_API,
      scope: 'orders:read',
    });
    const before = idp.requests('/token/introspection');
    expect(reasonOf(await present(guard, accessToken))).toBe('ERR_AUDIENCE_MISMATCH');
    expect(idp.requests('/token/introspection')).toBe(before);
  });

  it('the provider down: 503 ERR_INTROSPECTION_UNAVAILABLE with Retry-After, never an allow', async () => {
    const token = await ledgerToken();
    await idp.stop();
    try {
      const decision = await present(guard, token, requireScopes('ledger:read'));
      expect(reasonOf(decision)).toBe('ERR_INTROSPECTION_UNAVAILABLE');
      expect(decision.status).toBe(503);
      expect(decision.headers['retry-after']).toBeDefined();
    } finally {
      await idp.start();
    }
    expect(reasonOf(await present(guard, token, requireScopes('ledger:read')))).toBe('OK');
  });
});
