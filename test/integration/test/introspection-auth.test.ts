/**
 * Introspection at a real oidc-provider beyond client secrets (checklist A6, I-2): the API authenticates
 * with `private_key_jwt` (RFC 7523, as the provider checks it: `iss`/`sub` the client, `aud` the issuer,
 * a unique `jti`), and asks for RFC 9701 signed answers (`features.jwtIntrospection`), verified with the
 * provider's own JWKS before they count (the `auto` default asks for them because the discovery document
 * lists `introspection_signing_alg_values_supported`); `responseFormat: 'json'` asks for plain answers.
 */
import { createGuard, type Guard, type IntrospectionOptions, requireScopes } from '@nevertrust/core';
import { generateTestKey, type OidcTestProvider, startOidcProvider } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { present, reasonOf } from './support.js';

const LEDGER_API = 'https://ledger.nevertrust.test';
const assertionKey = generateTestKey('ES256', 'ledger-api-assertion');

let idp: OidcTestProvider;
const guards: Guard[] = [];

beforeAll(async () => {
  idp = await startOidcProvider({
    resources: { [LEDGER_API]: { scopes: ['ledger:read'], format: 'opaque' } },
    clients: [
      { clientId: 'reader', kind: 'service', resources: { [LEDGER_API]: ['ledger:read'] } },
      {
        clientId: 'ledger-api-signed',
        kind: 'resource-server',
        resources: { [LEDGER_API]: [] },
        assertionJwk: assertionKey.jwk,
      },
      { clientId: 'ledger-api-plain', kind: 'resource-server', resources: { [LEDGER_API]: [] } },
    ],
  });
});

afterAll(async () => {
  await Promise.all(guards.map((guard) => guard.close()));
  await idp?.close();
});

function guardWith(introspection: IntrospectionOptions): Guard {
  const guard = createGuard({
    issuers: [
      {
        issuer: idp.issuer,
        audience: LEDGER_API,
        introspection: { inactiveCacheTtlSeconds: 0, ...introspection },
      },
    ],
    logger: false,
  });
  guards.push(guard);
  return guard;
}

const signedClient = (extra: Partial<IntrospectionOptions> = {}): IntrospectionOptions => ({
  clientId: 'ledger-api-signed',
  clientAuth: 'private_key_jwt',
  privateKey: assertionKey.privateKey,
  ...extra,
});

const ledgerToken = async () =>
  (await idp.clientCredentials('reader', { resource: LEDGER_API, scope: 'ledger:read' })).accessToken;

describe('private_key_jwt and signed answers at oidc-provider (RFC 7523, RFC 9701)', () => {
  it('I-2: authenticated by a client assertion, the signed answer verified with the provider keys: allowed', async () => {
    for (const responseFormat of ['jwt', 'auto'] as const) {
      const guard = guardWith(signedClient({ responseFormat }));
      const token = await ledgerToken();
      const before = idp.requests('/token/introspection');
      const decision = await present(guard, token, requireScopes('ledger:read'));
      expect(reasonOf(decision)).toBe('OK');
      expect(idp.requests('/token/introspection')).toBe(before + 1);
      if (decision.outcome === 'allow') {
        expect(decision.principal).toMatchObject({
          clientId: 'reader',
          issuer: idp.issuer,
          scopes: ['ledger:read'],
        });
      }
    }
  });

  it('revoked at the provider: the signed inactive answer → 401 ERR_TOKEN_INACTIVE', async () => {
    const guard = guardWith(signedClient({ responseFormat: 'jwt', cacheTtlSeconds: 0 }));
    const token = await ledgerToken();
    expect(reasonOf(await present(guard, token))).toBe('OK');
    await idp.revoke(token, 'reader');
    const decision = await present(guard, token);
    expect(reasonOf(decision)).toBe('ERR_TOKEN_INACTIVE');
    expect(decision).toMatchObject({ outcome: 'deny', status: 401 });
  });

  it('an assertion signed with a key the provider does not know: 503, never an allow', async () => {
    const guard = guardWith(signedClient({ privateKey: generateTestKey('ES256', 'stranger').privateKey }));
    const decision = await present(guard, await ledgerToken());
    expect(reasonOf(decision)).toBe('ERR_INTROSPECTION_UNAVAILABLE');
    expect(decision).toMatchObject({ outcome: 'deny', status: 503 });
  });

  it("client_secret_basic with plain answers ('json'), and with signed ones ('auto')", async () => {
    const plain = { clientId: 'ledger-api-plain', clientSecret: idp.clientSecret('ledger-api-plain') };
    for (const responseFormat of ['json', 'auto'] as const) {
      const token = await ledgerToken();
      expect(reasonOf(await present(guardWith({ ...plain, responseFormat }), token))).toBe('OK');
    }
  });
});
