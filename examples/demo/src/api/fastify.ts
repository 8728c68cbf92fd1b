/** The orders API on Fastify 5. */
import { getPrincipal, nevertrust, publicRoute, requireScopes, requires } from '@nevertrust/fastify';
import Fastify from 'fastify';
import type { ApiApp, ApiParts } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder, paymentMethodsOf } from './orders.js';
import { OWNER_ONLY, OWNER_WITH_STRONG_SIGN_IN } from './policies.js';

interface UserRoute {
  Params: { userId: string };
}

/**
 * Builds the API with a guard that has loaded its issuer's keys.
 *
 * @example
 * ```ts
 * const server = await startFastifyApi({ guard, metrics: registry });
 * ```
 */
export async function startFastifyApi({ guard, metrics }: ApiParts): Promise<ApiApp> {
  const orders = createOrderBook();
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  await app.register(nevertrust, { guard });

  app.get('/health', { preHandler: publicRoute() }, async () => ({ status: 'ok' }));
  // Public for the demo's scrape; in production serve it on an internal port or behind the scraper's token.
  app.get('/metrics', { preHandler: publicRoute() }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  app.get('/orders', { preHandler: requireScopes('orders:read') }, async () => ({ orders: orders.list() }));
  app.post('/orders', { preHandler: requireScopes('orders:write') }, async (request, reply) => {
    const order = parseNewOrder(request.body);
    if (!order) return reply.code(400).send({ error: 'invalid_order' });
    return reply
      .code(201)
      .send(orders.add(getPrincipal(request).subject ?? 'unknown', order.item, order.quantity));
  });
  app.get<UserRoute>('/users/:userId/orders', { preHandler: requires(OWNER_ONLY) }, async (request) => ({
    orders: orders.ownedBy(request.params.userId),
  }));
  app.get<UserRoute>(
    '/users/:userId/payment-methods',
    { preHandler: requires(OWNER_WITH_STRONG_SIGN_IN) },
    async (request) => paymentMethodsOf(request.params.userId),
  );
  app.get('/me', async (request) => describePrincipal(getPrincipal(request)));

  // The demo's own listeners (plain HTTP and HTTPS) route to Fastify's request handler.
  await app.ready();
  return { handle: (request, response) => app.routing(request, response), close: () => app.close() };
}
