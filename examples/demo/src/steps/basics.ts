/**
 * The first part of the tour: deny by default, scopes, a real sign-in, and the tokens that must never work
 * (tampered, for another API, an ID token, from an untrusted provider, expired).
 */
import { BILLING_API } from '@nevertrust/testkit';
import { unverifiedClaims } from '../tour-context.js';
import { asService, type TourStep, tamper } from '../tour-step.js';

const NEW_ORDER = { item: 'oolong tea', quantity: 2 };

/** Who may do what, and the tokens that must never work. */
export const BASIC_STEPS: readonly TourStep[] = [
  {
    title: 'No token',
    why: 'Once nevertrust is installed every route needs a valid access token, unless marked public.',
    request: async () => ({ method: 'GET', path: '/orders' }),
    expect: { status: 401, reason: 'ERR_NO_CREDENTIALS' },
  },
  {
    title: 'A public route without a token',
    why: 'The health check is explicitly marked public.',
    request: async () => ({ method: 'GET', path: '/health' }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'A service reads with a read-scoped token',
    why: 'reporting-service got a client-credentials token for the orders API with scope orders:read.',
    request: (context) =>
      asService(context, 'reporting-service', 'orders:read', { method: 'GET', path: '/orders' }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'The same service tries to write',
    why: 'Least privilege: writing needs orders:write, which this token does not grant.',
    request: (context) =>
      asService(context, 'reporting-service', 'orders:read', {
        method: 'POST',
        path: '/orders',
        body: NEW_ORDER,
      }),
    expect: { status: 403, reason: 'ERR_INSUFFICIENT_SCOPE' },
  },
  {
    title: 'A service allowed to write does',
    why: 'fulfilment-service is registered for orders:write at the provider.',
    request: (context) =>
      asService(context, 'fulfilment-service', 'orders:read orders:write', {
        method: 'POST',
        path: '/orders',
        body: NEW_ORDER,
      }),
    expect: { status: 201, reason: 'OK' },
  },
  {
    title: "A user's token from a real sign-in",
    why: 'alice signed in through the authorization code flow with PKCE; the API sees a user principal.',
    request: async (context) => ({
      method: 'GET',
      path: '/me',
      token: (await context.userTokens('alice')).accessToken,
      tokenNote: 'access token of user alice (client orders-web)',
    }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'A tampered token',
    why: 'The read-only token with orders:write added to its claims: the signature no longer matches.',
    request: async (context) => ({
      method: 'POST',
      path: '/orders',
      token: tamper(await context.serviceToken('reporting-service', 'orders:read'), {
        scope: 'orders:read orders:write',
      }),
      tokenNote: 'reporting-service token with its scope claim rewritten',
      body: NEW_ORDER,
    }),
    expect: { status: 401, reason: 'ERR_SIGNATURE_INVALID' },
  },
  {
    title: 'A bad token on a public route',
    why: 'Public means "no token needed", not "any token accepted": a present but invalid token is refused.',
    request: async (context) => ({
      method: 'GET',
      path: '/health',
      token: tamper(await context.serviceToken('reporting-service', 'orders:read'), { sub: 'admin' }),
      tokenNote: 'reporting-service token with its subject rewritten',
    }),
    expect: { status: 401, reason: 'ERR_SIGNATURE_INVALID' },
  },
  {
    title: 'A token meant for another API',
    why: 'A genuine token of the same provider, issued for the billing API: its audience is not this API.',
    request: async (context) => ({
      method: 'GET',
      path: '/orders',
      token: await context.serviceToken('reporting-service', 'billing:read', BILLING_API),
      tokenNote: `service token of reporting-service for ${BILLING_API}`,
    }),
    expect: { status: 401, reason: 'ERR_AUDIENCE_MISMATCH' },
  },
  {
    title: 'An ID token presented as an access token',
    why: "alice's ID token is signed by the same key, but it is typed JWT, not at+jwt, and is meant for the app.",
    request: async (context) => {
      const { idToken } = await context.userTokens('alice');
      if (idToken === undefined) throw new Error('the provider returned no ID token');
      return { method: 'GET', path: '/me', token: idToken, tokenNote: 'ID token of user alice' };
    },
    expect: { status: 401, reason: 'ERR_TOKEN_TYPE' },
  },
  {
    title: 'A token from a provider nobody trusts',
    why: "A second, perfectly real OpenID provider issued it; it is not on the API's list of issuers.",
    request: async (context) => ({
      method: 'POST',
      path: '/orders',
      token: (await context.rogue.clientCredentials('fulfilment-service', { scope: 'orders:write' }))
        .accessToken,
      tokenNote: `service token from the untrusted issuer ${context.rogue.issuer}`,
      body: NEW_ORDER,
    }),
    expect: { status: 401, reason: 'ERR_ISSUER_UNKNOWN' },
  },
  {
    title: 'A short-lived token while it is fresh',
    why: 'batch-job tokens live one second at the provider.',
    request: async (context) => ({
      method: 'GET',
      path: '/orders',
      token: await context.shortLivedToken(),
      tokenNote: 'service token of batch-job, lifetime 1 s',
    }),
    expect: { status: 200, reason: 'OK' },
  },
];

/** Expiry, with no clock tricks: the short-lived token requested when the tour started, once it has died. */
export const EXPIRY_STEP: TourStep = {
  title: 'The same token once expired',
  why: 'After exp plus the clock tolerance the token is refused, with no clock tricks: the demo waits.',
  request: async (context) => {
    const token = await context.shortLivedToken();
    const exp = unverifiedClaims(token).exp as number;
    await context.waitUntil(
      exp + context.clockToleranceSeconds + 0.2,
      `until exp + ${context.clockToleranceSeconds} s clock tolerance`,
    );
    return { method: 'GET', path: '/orders', token, tokenNote: 'the same batch-job token' };
  },
  expect: { status: 401, reason: 'ERR_TOKEN_EXPIRED' },
};
