/**
 * The test provider itself: it must behave like a production authorization server, or the other
 * integration tests prove nothing. Least privilege per client, resource indicators, introspection and
 * revocation (RFC 7662, RFC 7009; oidc-provider resolves only opaque tokens there), scripted sign-in.
 */
import {
  OAuthResponseError,
  type OidcTestProvider,
  ORDERS_API,
  startOidcProvider,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from './support.js';

const LEDGER_API = 'https://ledger.nevertrust.test';

let idp: OidcTestProvider;

beforeAll(async () => {
  idp = await startOidcProvider({
    resources: {
      [ORDERS_API]: { scopes: ['orders:read', 'orders:write'] },
      [LEDGER_API]: { scopes: ['ledger:read'], format: 'opaque' },
    },
    clients: [
      {
        clientId: 'reader',
        kind: 'service',
        resources: { [ORDERS_API]: ['orders:read'], [LEDGER_API]: ['ledger:read'] },
      },
      { clientId: 'app', kind: 'app', resources: { [ORDERS_API]: ['orders:read'] } },
      { clientId: 'ledger-api', kind: 'resource-server', resources: { [LEDGER_API]: [] } },
      { clientId: 'orders-api', kind: 'resource-server', resources: { [ORDERS_API]: [] } },
    ],
    accounts: { carol: { name: 'Carol' } },
  });
});

afterAll(async () => {
  await idp?.close();
});

describe('the test provider', () => {
  it('grants each client only the scopes registered for it, per resource', async () => {
    const tokens = await idp.clientCredentials('reader', { scope: 'orders:read orders:write' });
    expect(tokens.scope).toBe('orders:read');
    expect(decodeJwt(tokens.accessToken).payload.scope).toBe('orders:read');
  });

  it('refuses a resource indicator the client is not registered for (invalid_target)', async () => {
    const error = await idp
      .clientCredentials('reader', { resource: 'https://unknown.nevertrust.test', scope: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect((error as OAuthResponseError).error).toBe('invalid_target');
  });

  it('signs in only known users', async () => {
    const error = await idp.userTokens({ loginHint: 'mallory' }).catch((e: unknown) => e);
    expect((error as OAuthResponseError).error).toBe('access_denied');
    const tokens = await idp.userTokens({ loginHint: 'carol' });
    expect(decodeJwt(tokens.accessToken).payload).toMatchObject({
      sub: 'carol',
      client_id: 'app',
      scope: 'orders:read',
    });
  });

  it('introspects an opaque token for its own API only, and reports it inactive once revoked', async () => {
    const { accessToken } = await idp.clientCredentials('reader', {
      resource: LEDGER_API,
      scope: 'ledger:read',
    });
    expect(accessToken.split('.')).toHaveLength(1);
    expect(await idp.introspect(accessToken, 'ledger-api')).toMatchObject({
      active: true,
      client_id: 'reader',
      aud: LEDGER_API,
      scope: 'ledger:read',
      iss: idp.issuer,
    });
    expect(await idp.introspect(accessToken, 'orders-api')).toEqual({ active: false });
    await idp.revoke(accessToken, 'reader');
    expect(await idp.introspect(accessToken, 'ledger-api')).toEqual({ active: false });
  });

  it('publishes only public keys', async () => {
    const jwks = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(idp.keyIds);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });
});
