/** The orders API on Express 5. */
import { createGuard, type GuardOptions } from '@nevertrust/core';
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/express';
import express from 'express';
import type { RunningApi } from './index.js';
import { listening } from './listening.js';
import { createOrderBook, describePrincipal, parseNewOrder } from './orders.js';

/**
 * Starts the API; its guard loads the issuer's keys before the port opens.
 *
 * @example
 * ```ts
 * const api = await startExpressApi({ issuers: [{ issuer, audience }] });
 * ```
 */
export async function startExpressApi(options: GuardOptions): Promise<RunningApi> {
  const guard = createGuard(options);
  await guard.ready();
  const orders = createOrderBook();
  const app = express();
  app.disable('x-powered-by');
  app.use(nevertrust({ guard }));

  app.get('/health', publicRoute(), (_req, res) => {
    res.json({ status: 'ok' });
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
  app.get('/me', (req, res) => {
    res.json(describePrincipal(getPrincipal(req)));
  });

  return listening(app.listen(0, '127.0.0.1'), guard);
}
