/**
 * Logout-driven refusal: alice signs out at the provider, which posts a back-channel logout token to the
 * API (OpenID Connect Back-Channel Logout 1.0); the API verifies it with the provider's keys and cuts off
 * her tokens, so her still-unexpired access token is refused on the next request.
 */
import { unverifiedClaims } from '../tour-context.js';
import { asUser, challengeHas, type TourStep } from '../tour-step.js';

/** The path the demo API serves its back-channel logout endpoint at (registered at the provider). */
export const BACKCHANNEL_LOGOUT_PATH = '/oidc/backchannel-logout';

/** Signals from the identity provider. */
export const SIGNAL_STEPS: readonly TourStep[] = [
  {
    title: 'alice signs out at the provider',
    why: 'The provider posts a signed logout token to the API, which cuts off her tokens on every instance sharing its revocation store.',
    request: async (context) => {
      const { idToken } = await context.userTokens('alice');
      const request = await asUser(context, 'alice', { method: 'GET', path: '/me' });
      if (idToken === undefined || request.token === undefined) throw new Error('alice has no ID token');
      await context.idp.signOut(idToken);
      const exp = Number(unverifiedClaims(request.token).exp);
      context.say(
        `signed out at ${context.idp.issuer} (end_session); her access token would still be valid for ${Math.max(0, exp - Math.floor(Date.now() / 1000))} s`,
      );
      return { ...request, tokenNote: 'the same access token of alice, after she signed out' };
    },
    check: async (response) => challengeHas(response, 'error', 'invalid_token'),
    expect: { status: 401, reason: 'ERR_TOKEN_REVOKED' },
  },
];
