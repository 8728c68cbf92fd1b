/** The orders API on Express 5. */
import { getPrincipal, nevertrust, publicRoute, requireScopes, requires } from '@nevertrust/express';
import express from 'express';
import type { ApiApp, ApiParts } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder, paymentMethodsOf } from './orders.js';
import { OWNER_ONLY, OWNER_WITH_STRONG_SIGN_IN } from './policies.js';

/**
 * Builds the API with a guard that has loaded its issuer's keys.
 *
 * @example
 * ```ts
 * const server = await startExpressApi({ guard, metrics: registry });
 * ```
 */
export async function startExpressApi({ guard, metrics }: ApiParts): Promise<ApiApp> {
  const orders = createOrderBook();
  const app = express();
  app.disable('x-powered-by');
  app.use(nevertrust({ guard }));

  app.get('/health', publicRoute(), (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Public for the demo's scrape; in production serve it on an internal port or behind the scraper's token.
  app.get('/metrics', publicRoute(), async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.get('/orders', requireScopes('orders:read'), (_req, res) => {
    res.json({ orders: orders.list() });
  });
  // The body parser comes after the requirement: nothing of an unauthorised request is parsed.
  app.post('/orders', requireScopes('orders:write'), express.json({ limit: '4kb' }), (req, res) => {
    const order = parseNewOrder(req.body);
    if (!order) {
      res.status(400).json({ error: 'invalid_order' });
      return;
    }
    res.status(201).json(orders.add(getPrincipal(req).subject ?? 'unknown', order.item, order.quantity));
  });
  app.get('/users/:userId/orders', requires(OWNER_ONLY), (req, res) => {
    res.json({ orders: orders.ownedBy(req.params.userId) });
  });
  app.get('/users/:userId/payment-methods', requires(OWNER_WITH_STRONG_SIGN_IN), (req, res) => {
    res.json(paymentMethodsOf(req.params.userId));
  });
  app.get('/me', (req, res) => {
    res.json(describePrincipal(getPrincipal(req)));
  });

  return { handle: app, close: async () => undefined };
}
