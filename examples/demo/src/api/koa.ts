/** The orders API on Koa 3 with @koa/router. */
import Router from '@koa/router';
import { getPrincipal, nevertrust, publicRoute, requireScopes, requires } from '@nevertrust/koa';
import Koa from 'koa';
import type { ApiApp, ApiParts } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder, paymentMethodsOf } from './orders.js';
import { OWNER_ONLY, OWNER_WITH_STRONG_SIGN_IN } from './policies.js';
import { readJsonBody } from './read-json.js';

/**
 * Builds the API with a guard that has loaded its issuer's keys.
 *
 * @example
 * ```ts
 * const server = await startKoaApi({ guard, metrics: registry });
 * ```
 */
export async function startKoaApi({ guard, metrics }: ApiParts): Promise<ApiApp> {
  const orders = createOrderBook();
  const app = new Koa();
  const router = new Router();
  app.use(nevertrust({ guard }));

  router.get('/health', publicRoute(), (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // Public for the demo's scrape; in production serve it on an internal port or behind the scraper's token.
  router.get('/metrics', publicRoute(), async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  router.get('/orders', requireScopes('orders:read'), (ctx) => {
    ctx.body = { orders: orders.list() };
  });
  router.post('/orders', requireScopes('orders:write'), async (ctx) => {
    // Read only once the requirement has passed: nothing of an unauthorised request is parsed.
    const order = parseNewOrder(await readJsonBody(ctx.req, 4096));
    if (!order) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_order' };
      return;
    }
    ctx.status = 201;
    ctx.body = orders.add(getPrincipal(ctx).subject ?? 'unknown', order.item, order.quantity);
  });
  router.get('/users/:userId/orders', requires(OWNER_ONLY), (ctx) => {
    ctx.body = { orders: orders.ownedBy(ctx.params.userId as string) };
  });
  router.get('/users/:userId/payment-methods', requires(OWNER_WITH_STRONG_SIGN_IN), (ctx) => {
    ctx.body = paymentMethodsOf(ctx.params.userId as string);
  });
  router.get('/me', (ctx) => {
    ctx.body = describePrincipal(getPrincipal(ctx));
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return { handle: app.callback(), close: async () => undefined };
}
