/** The orders API on Koa 3 with @koa/router. */
import Router from '@koa/router';
import { createGuard, type GuardOptions } from '@nevertrust/core';
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/koa';
import Koa from 'koa';
import type { RunningApi } from './index.js';
import { listening } from './listening.js';
import { createOrderBook, describePrincipal, parseNewOrder } from './orders.js';
import { readJsonBody } from './read-json.js';

/**
 * Starts the API; its guard loads the issuer's keys before the port opens.
 *
 * @example
 * ```ts
 * const api = await startKoaApi({ issuers: [{ issuer, audience }] });
 * ```
 */
export async function startKoaApi(options: GuardOptions): Promise<RunningApi> {
  const guard = createGuard(options);
  await guard.ready();
  const orders = createOrderBook();
  const app = new Koa();
  const router = new Router();
  app.use(nevertrust({ guard }));

  router.get('/health', publicRoute(), (ctx) => {
    ctx.body = { status: 'ok' };
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
  router.get('/me', (ctx) => {
    ctx.body = describePrincipal(getPrincipal(ctx));
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return listening(app.listen(0, '127.0.0.1'), guard);
}
