/** The orders API on Fastify 5. */
import { createGuard, type GuardOptions } from '@nevertrust/core';
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/fastify';
import Fastify from 'fastify';
import type { RunningApi } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder } from './orders.js';

/**
 * Starts the API; its guard loads the issuer's keys before the port opens.
 *
 * @example
 * ```ts
 * const api = await startFastifyApi({ issuers: [{ issuer, audience }] });
 * ```
 */
export async function startFastifyApi(options: GuardOptions): Promise<RunningApi> {
  const guard = createGuard(options);
  await guard.ready();
  const orders = createOrderBook();
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  await app.register(nevertrust, { guard });

  app.get('/health', { preHandler: publicRoute() }, async () => ({ status: 'ok' }));
  app.get('/orders', { preHandler: requireScopes('orders:read') }, async () => ({ orders: orders.list() }));
  app.post('/orders', { preHandler: requireScopes('orders:write') }, async (request, reply) => {
    const order = parseNewOrder(request.body);
    if (!order) return reply.code(400).send({ error: 'invalid_order' });
    return reply
      .code(201)
      .send(orders.add(getPrincipal(request).subject ?? 'unknown', order.item, order.quantity));
  });
  app.get('/me', async (request) => describePrincipal(getPrincipal(request)));

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    async close() {
      await app.close();
      await guard.close();
    },
  };
}
