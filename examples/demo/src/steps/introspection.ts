/**
 * Opaque tokens by RFC 7662 introspection: partner-service's tokens for the orders API are opaque
 * reference tokens (the provider issues them for a resource indicator of their own, with the orders API as
 * their audience). The API asks the provider's introspection endpoint about each one with its own client
 * credentials, reuses the verified answer for a bounded time — never the decision, so the cached answer
 * does not stand in for a route the token's scope does not cover — and, once the provider has revoked the
 * token (RFC 7009), refuses it as soon as that bound has passed.
 */
import { DEFAULT_OIDC_FIXTURES, type OidcProviderOptions, ORDERS_API } from '@nevertrust/testkit';
import type { TourContext } from '../tour-context.js';
import type { StepCheck, TourRequest, TourResponse, TourStep } from '../tour-step.js';

/** The resource indicator whose tokens the provider issues as opaque reference tokens. */
export const OPAQUE_ORDERS_RESOURCE = 'https://orders-reference.nevertrust.test';
/** The service whose tokens are opaque. */
export const OPAQUE_CLIENT = 'partner-service';
/** The API's own client at the provider, with which it authenticates to the introspection endpoint. */
export const INTROSPECTING_CLIENT = 'orders-api';
/**
 * How long the API may reuse an active answer (`introspection.cacheTtlSeconds`): the longest a revocation
 * at the provider goes unnoticed. Short here so that the tour can wait for it.
 */
export const INTROSPECTION_CACHE_SECONDS = 3;

const INTROSPECTION_PATH = '/token/introspection';

/**
 * The provider's fixtures with the opaque resource added: its tokens name the orders API as audience, so
 * the API's own client (`orders-api`, which serves that audience) may introspect them.
 */
export const PROVIDER_FIXTURES: Pick<OidcProviderOptions, 'resources' | 'clients'> = {
  resources: {
    ...DEFAULT_OIDC_FIXTURES.resources,
    [OPAQUE_ORDERS_RESOURCE]: { scopes: ['orders:read'], audience: ORDERS_API, format: 'opaque' },
  },
  clients: [
    ...DEFAULT_OIDC_FIXTURES.clients,
    { clientId: OPAQUE_CLIENT, kind: 'service', resources: { [OPAQUE_ORDERS_RESOURCE]: ['orders:read'] } },
  ],
};

async function opaqueRequest(
  context: TourContext,
  request: Omit<TourRequest, 'token' | 'tokenNote'>,
  note: string,
): Promise<TourRequest> {
  const token = await context.serviceToken(OPAQUE_CLIENT, 'orders:read', OPAQUE_ORDERS_RESOURCE);
  return { ...request, token, tokenNote: `opaque token of ${OPAQUE_CLIENT}, scope "orders:read"${note}` };
}

/**
 * The introspection calls the provider had received when a step's request was ready, per tour (the demo's
 * test runs tours side by side in one process).
 */
const callsBefore = new WeakMap<TourContext, number>();

function introspectionCalls(context: TourContext): number {
  return context.idp.requests(INTROSPECTION_PATH);
}

function countFromHere(context: TourContext): void {
  callsBefore.set(context, introspectionCalls(context));
}

/** Passes when the provider was asked `expected` more times, and the audit event's cache flag agrees. */
function checkCalls(response: TourResponse, context: TourContext, expected: 0 | 1): StepCheck {
  const calls = introspectionCalls(context) - (callsBefore.get(context) ?? 0);
  const cacheHit = response.event?.cacheHit === true;
  if (calls !== expected || cacheHit !== (expected === 0)) {
    return {
      failure: `expected ${expected} introspection call(s) and cacheHit ${expected === 0}, saw ${calls} and ${cacheHit}`,
    };
  }
  return {
    notes: [
      expected === 1
        ? `the provider's ${INTROSPECTION_PATH} was asked once (client_secret_basic as ${INTROSPECTING_CLIENT})`
        : 'answered from the cached introspection result: the provider was not asked',
    ],
  };
}

/** Opaque tokens, introspected at the provider. */
export const INTROSPECTION_STEPS: readonly TourStep[] = [
  {
    title: 'An opaque token, introspected at the provider',
    why: 'A token that is not a JWT cannot be verified locally: the API asks the provider (RFC 7662) and builds the same principal a JWT would give.',
    request: async (context) => {
      const request = await opaqueRequest(context, { method: 'GET', path: '/orders' }, '');
      if (request.token?.includes('.')) throw new Error('the provider issued a JWT, not an opaque token');
      countFromHere(context);
      return request;
    },
    check: async (response, context) => checkCalls(response, context, 1),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: '…cached, yet checked again for each route',
    why: "The answer is cached, never the decision: the cached orders:read does not open POST /orders (Ory Oathkeeper's CVE-2021-32701).",
    request: async (context) => {
      const request = await opaqueRequest(
        context,
        { method: 'POST', path: '/orders', body: { item: 'rooibos', quantity: 1 } },
        ', the same token again',
      );
      countFromHere(context);
      return request;
    },
    check: async (response, context) => checkCalls(response, context, 0),
    expect: { status: 403, reason: 'ERR_INSUFFICIENT_SCOPE' },
  },
  {
    title: 'The provider revokes it',
    why: `After an RFC 7009 revocation at the provider, the API refuses the token once its cached answer (at most ${INTROSPECTION_CACHE_SECONDS} s old) has run out.`,
    request: async (context) => {
      const request = await opaqueRequest(context, { method: 'GET', path: '/orders' }, ', now revoked');
      if (request.token === undefined) throw new Error('no opaque token');
      await context.idp.revoke(request.token, OPAQUE_CLIENT);
      context.say(
        `revoked at ${context.idp.issuer}/token/revocation by ${OPAQUE_CLIENT}; the API's cached answer stands for at most ${INTROSPECTION_CACHE_SECONDS} s (introspection.cacheTtlSeconds)`,
      );
      await context.waitUntil(
        Date.now() / 1000 + INTROSPECTION_CACHE_SECONDS + 0.1,
        'for that cache bound to pass',
      );
      countFromHere(context);
      return request;
    },
    check: async (response, context) => {
      const calls = checkCalls(response, context, 1);
      if (calls.failure !== undefined) return calls;
      const inactive = response.challenge?.includes('error="invalid_token"') ?? false;
      return inactive
        ? {
            notes: [
              ...(calls.notes ?? []),
              'the provider answered active: false; challenge error="invalid_token"',
            ],
          }
        : { failure: 'the challenge does not carry error="invalid_token"' };
    },
    expect: { status: 401, reason: 'ERR_TOKEN_INACTIVE' },
  },
];
