/**
 * The default fixtures of the test provider: the APIs it issues tokens for, its clients (plain,
 * certificate-bound and DPoP-bound services, a web app, an API's own credentials), accounts and
 * authentication strengths.
 */
import type { OidcAcr, OidcClient, OidcResource } from './oidc-provider-config.js';

/** The orders API of the default fixtures. */
export const ORDERS_API = 'https://orders.nevertrust.test';
/** A second API, for tokens meant for someone else. */
export const BILLING_API = 'https://billing.nevertrust.test';

/** Authentication strengths of the default fixtures, weakest first. */
export const DEFAULT_ACRS: readonly OidcAcr[] = [
  { acr: 'urn:nevertrust:acr:password', amr: ['pwd'] },
  { acr: 'urn:nevertrust:acr:mfa', amr: ['pwd', 'otp'] },
];

/**
 * The default resources, clients and accounts: a reporting service that may only read orders (and read
 * billing), a fulfilment service that may also write, a batch job whose tokens live one second, two
 * services whose tokens are certificate-bound and DPoP-bound, a web app for user tokens, and the orders
 * API's own credentials for introspection.
 */
export const DEFAULT_OIDC_FIXTURES = {
  resources: {
    [ORDERS_API]: { scopes: ['orders:read', 'orders:write'] },
    [BILLING_API]: { scopes: ['billing:read'] },
  } as Readonly<Record<string, OidcResource>>,
  clients: [
    {
      clientId: 'reporting-service',
      kind: 'service',
      resources: { [ORDERS_API]: ['orders:read'], [BILLING_API]: ['billing:read'] },
    },
    {
      clientId: 'fulfilment-service',
      kind: 'service',
      resources: { [ORDERS_API]: ['orders:read', 'orders:write'] },
    },
    {
      clientId: 'batch-job',
      kind: 'service',
      resources: { [ORDERS_API]: ['orders:read'] },
      accessTokenTtlSeconds: 1,
    },
    // Sender-constrained services: tokens bound to a client certificate (RFC 8705) or a DPoP key (RFC 9449).
    {
      clientId: 'mtls-service',
      kind: 'service',
      binding: 'mtls',
      resources: { [ORDERS_API]: ['orders:read'] },
    },
    {
      clientId: 'dpop-service',
      kind: 'service',
      binding: 'dpop',
      resources: { [ORDERS_API]: ['orders:read'] },
    },
    { clientId: 'orders-web', kind: 'app', resources: { [ORDERS_API]: ['orders:read', 'orders:write'] } },
    { clientId: 'orders-api', kind: 'resource-server', resources: { [ORDERS_API]: [] } },
  ] as readonly OidcClient[],
  accounts: {
    alice: { name: 'Alice Example', email: 'alice@example.test', email_verified: true },
    bob: { name: 'Bob Example', email: 'bob@example.test', email_verified: true },
  } as Readonly<Record<string, Readonly<Record<string, unknown>>>>,
} as const;
