/** The orders API on Hono, served by the demo's own Node listeners through @hono/node-server. */
import { getRequestListener } from '@hono/node-server';
import {
  getPrincipal,
  type NevertrustEnv,
  nevertrust,
  publicRoute,
  requireScopes,
  requires,
} from '@nevertrust/hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiApp, ApiParts } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder, paymentMethodsOf } from './orders.js';
import { OWNER_ONLY, OWNER_WITH_STRONG_SIGN_IN } from './policies.js';

/**
 * Builds the API with a guard that has loaded its issuer's keys.
 *
 * @example
 * ```ts
 * const server = await startHonoApi({ guard, metrics: registry });
 * ```
 */
export async function startHonoApi({ guard, metrics }: ApiParts): Promise<ApiApp> {
  const orders = createOrderBook();
  const app = new Hono<NevertrustEnv>();
  app.use(nevertrust({ guard }));

  app.get('/health', publicRoute(), (c) => c.json({ status: 'ok' }));
  // Public for the demo's scrape; in production serve it on an internal port or behind the scraper's token.
  app.get('/metrics', publicRoute(), async (c) =>
    c.body(await metrics.metrics(), 200, { 'content-type': metrics.contentType }),
  );
  app.get('/orders', requireScopes('orders:read'), (c) => c.json({ orders: orders.list() }));
  // The body is read only once the requirement has passed, and never beyond 4 KiB.
  app.post('/orders', requireScopes('orders:write'), bodyLimit({ maxSize: 4096 }), async (c) => {
    const json = /^application\/json\b/i.test(c.req.header('content-type') ?? '');
    const order = parseNewOrder(json ? await c.req.json().catch(() => undefined) : undefined);
    if (!order) return c.json({ error: 'invalid_order' }, 400);
    return c.json(orders.add(getPrincipal(c).subject ?? 'unknown', order.item, order.quantity), 201);
  });
  app.get('/users/:userId/orders', requires(OWNER_ONLY), (c) =>
    c.json({ orders: orders.ownedBy(c.req.param('userId')) }),
  );
  app.get('/users/:userId/payment-methods', requires(OWNER_WITH_STRONG_SIGN_IN), (c) =>
    c.json(paymentMethodsOf(c.req.param('userId'))),
  );
  app.get('/me', (c) => c.json(describePrincipal(c.get('principal'))));

  return { handle: getRequestListener(app.fetch), close: async () => undefined };
}
