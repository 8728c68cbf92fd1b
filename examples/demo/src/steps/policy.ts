/**
 * The policy part of the tour: ownership (a user reaches `/users/:userId/…` only for their own id), step-up
 * authentication (RFC 9470), and revocation (assume breach: a stolen token is cut off at once).
 */
import { STEP_UP_MAX_AGE_SECONDS, STRONG_ACR } from '../api/policies.js';
import { asUser, challengeHas, revokeAsOperator, type TourStep } from '../tour-step.js';

/** Ownership, step-up and revocation. */
export const POLICY_STEPS: readonly TourStep[] = [
  {
    title: 'A user reads her own orders',
    why: "GET /users/:userId/orders requires the token's sub to equal :userId (requireOwnership('userId')).",
    request: (context) => asUser(context, 'alice', { method: 'GET', path: '/users/alice/orders' }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: "…and tries someone else's",
    why: "Changing the id in the URL is not enough: alice's token says sub=alice, not bob (broken object-level authorisation).",
    request: (context) => asUser(context, 'alice', { method: 'GET', path: '/users/bob/orders' }),
    expect: { status: 403, reason: 'ERR_ACCESS_DENIED' },
  },
  {
    title: 'Payment details need a stronger sign-in',
    why: `The route also requires acr ${STRONG_ACR} within ${STEP_UP_MAX_AGE_SECONDS} s; alice signed in with a password only.`,
    request: (context) => asUser(context, 'alice', { method: 'GET', path: '/users/alice/payment-methods' }),
    check: async (response) => challengeHas(response, 'acr_values', STRONG_ACR),
    expect: { status: 401, reason: 'ERR_INSUFFICIENT_USER_AUTHENTICATION' },
  },
  {
    title: 'alice steps up (RFC 9470)',
    why: 'Her app signs her in again with the acr_values of the challenge; the provider asks for a second factor.',
    request: (context) =>
      asUser(context, 'alice', { method: 'GET', path: '/users/alice/payment-methods' }, STRONG_ACR),
    check: async (response) => {
      // What the route required, as the audit trail records it.
      const requirement = response.event?.requirement;
      return requirement === undefined ? {} : { notes: [`requirement met: ${requirement}`] };
    },
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'bob reads his own orders',
    why: 'bob signs in too; his token works, as the audit trail records (with its issuer and jti).',
    request: (context) => asUser(context, 'bob', { method: 'GET', path: '/users/bob/orders' }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: "bob's token is revoked",
    why: 'Assume breach: an operator revokes that token by issuer + jti; it is refused on its very next request.',
    request: async (context) => {
      const request = await asUser(context, 'bob', { method: 'GET', path: '/users/bob/orders' });
      await revokeAsOperator(context, request.token, "bob's token");
      return { ...request, tokenNote: 'the same access token of bob, now revoked' };
    },
    check: async (response) => challengeHas(response, 'error', 'invalid_token'),
    expect: { status: 401, reason: 'ERR_TOKEN_REVOKED' },
  },
];
