/**
 * A small orders API on Koa 3 with @koa/router, protected by nevertrust: a public health route, read and
 * write routes that need different scopes, and an admin route declared with a method decorator. Every
 * other route would need a valid access token, because nothing else is marked public.
 *
 * Settings come from the environment (the library itself reads none):
 *   ISSUER    the authorization server's issuer identifier (default http://127.0.0.1:9000)
 *   AUDIENCE  this API's identifier in tokens (default https://api.example.test)
 *   JWKS_URI  the key set URL; without it the keys are found through the issuer's metadata
 *   PORT, HOST  where to listen (default 3000 on 127.0.0.1)
 *
 * Run it with `npm start` in this folder.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/koa';
import Koa, { type Context } from 'koa';

const settings = {
  issuer: process.env.ISSUER ?? 'http://127.0.0.1:9000',
  audience: process.env.AUDIENCE ?? 'https://api.example.test',
  jwksUri: process.env.JWKS_URI,
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
};

const orders: { id: number; item: string; owner: string | undefined }[] = [];

class AdminController {
  @requireScopes('admin')
  stats(ctx: Context): void {
    ctx.body = { orders: orders.length };
  }
}
const admin = new AdminController();

const protect = nevertrust({
  issuers: [
    {
      issuer: settings.issuer,
      audience: settings.audience,
      ...(settings.jwksUri ? { jwksUri: settings.jwksUri } : {}),
    },
  ],
  onAudit: (event) =>
    console.log(`audit ${event.outcome} ${event.status} ${event.reason} ${event.route ?? '-'}`),
});

const router = new Router();
router.get('/health', publicRoute(), (ctx) => {
  ctx.body = { status: 'ok' };
});
router.get('/orders', requireScopes('orders:read'), (ctx) => {
  ctx.body = orders;
});
router.post('/orders', requireScopes('orders:write'), (ctx) => {
  const order = { id: orders.length + 1, item: 'widget', owner: getPrincipal(ctx).subject };
  orders.push(order);
  ctx.status = 201;
  ctx.body = order;
});
router.get('/admin/stats', admin.stats);

const app = new Koa();
app.use(protect);
app.use(router.routes());

const server = createServer(app.callback()).listen(settings.port, settings.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`nevertrust koa example listening on http://${settings.host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void protect.guard.close();
  });
}
