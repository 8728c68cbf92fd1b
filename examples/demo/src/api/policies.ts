/**
 * The requirements of the example API's per-user routes, shared by the Express, Koa and Fastify versions.
 * They are plain data: the audit trail shows them as written here.
 */
import { and, requireAuthentication, requireOwnership } from '@nevertrust/core';

/**
 * The `acr` a user must have signed in with to see payment details. The demo provider knows two levels,
 * `urn:nevertrust:acr:password` and this one (a second factor).
 */
export const STRONG_ACR = 'urn:nevertrust:acr:mfa';

/** How recent that sign-in must be, in seconds (sent as `max_age` in the step-up challenge). */
export const STEP_UP_MAX_AGE_SECONDS = 300;

/**
 * `/users/:userId/…` is for that user only: the token's `sub` must equal the `:userId` parameter. Without
 * it any signed-in user could read anyone's orders by changing the URL (broken object-level authorisation).
 *
 * @example
 * ```ts
 * app.get('/users/:userId/orders', requires(OWNER_ONLY), handler);
 * ```
 */
export const OWNER_ONLY = requireOwnership('userId');

/**
 * The owner, and a recent multi-factor sign-in (RFC 9470 step-up): a stolen password alone must not reveal
 * payment details. A missing privilege outranks weak authentication, so someone else's id still gets 403.
 *
 * @example
 * ```ts
 * app.get('/users/:userId/payment-methods', requires(OWNER_WITH_STRONG_SIGN_IN), handler);
 * ```
 */
export const OWNER_WITH_STRONG_SIGN_IN = and(
  OWNER_ONLY,
  requireAuthentication({ acr: [STRONG_ACR], maxAgeSeconds: STEP_UP_MAX_AGE_SECONDS }),
);
