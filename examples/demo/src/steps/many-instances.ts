/**
 * The steps of `--instances 2`: two instances of the API behind one load balancer, sharing one Redis
 * through `@nevertrust/redis`. A token revoked through instance A is refused by instance B on its very next
 * request — no cache to wait out, no restart.
 */
import { asService, challengeHas, revokeAsOperator, type TourStep } from '../tour-step.js';

const READ = { method: 'GET', path: '/orders' } as const;

/** A token works on both instances; revoked on A, it is refused on B at once, and on A. */
export const MANY_INSTANCE_STEPS: readonly TourStep[] = [
  {
    title: 'A service reads through instance A',
    why: 'reporting-service calls the API; the load balancer sends this request to instance A.',
    request: (context) => asService(context, 'reporting-service', 'orders:read', { ...READ, instance: 0 }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'The same token through instance B',
    why: 'Its next request lands on instance B, which verifies the token on its own.',
    request: (context) => asService(context, 'reporting-service', 'orders:read', { ...READ, instance: 1 }),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'Revoked on instance A, presented to instance B',
    why: "An operator revokes the token through instance A's guard; instance B refuses its very next request.",
    request: async (context) => {
      const request = await asService(context, 'reporting-service', 'orders:read', { ...READ, instance: 1 });
      const took = await revokeAsOperator(context, request.token, "reporting-service's token");
      context.say(
        `instance A recorded it in Redis and heard it back on its subscription in ${took.toFixed(1)} ms; ` +
          'instance B got the same message, and checks its local copy on every request',
      );
      return { ...request, tokenNote: 'the same token, now revoked (through instance A)' };
    },
    check: async (response) => challengeHas(response, 'error', 'invalid_token'),
    expect: { status: 401, reason: 'ERR_TOKEN_REVOKED' },
  },
  {
    title: 'And on instance A',
    why: 'The revocation holds on every instance: back on A, the token is refused too.',
    request: async (context) => ({
      ...(await asService(context, 'reporting-service', 'orders:read', { ...READ, instance: 0 })),
      tokenNote: 'the same revoked token',
    }),
    expect: { status: 401, reason: 'ERR_TOKEN_REVOKED' },
  },
];
