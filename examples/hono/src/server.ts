/**
 * A small orders API on Hono, protected by nevertrust: a public health route, read and write routes that
 * need different scopes, and an admin route declared with a method decorator. Every other route — and
 * every path no route matches — needs a valid access token, because nothing else is marked public.
 *
 * Settings come from the environment (the library itself reads none):
 *   ISSUER    the authorization server's issuer identifier (default http://127.0.0.1:9000)
 *   AUDIENCE  this API's identifier in tokens (default https://api.example.test)
 *   JWKS_URI  the key set URL; without it the keys are found through the issuer's metadata
 *   PORT, HOST  where to listen (default 3000 on 127.0.0.1)
 *
 * Served on Node by @hono/node-server; run it with `npm start` in this folder.
 */
import { serve } from '@hono/node-server';
import { getPrincipal, type NevertrustEnv, nevertrust, publicRoute, requireScopes } from '@nevertrust/hono';
import { type Context, Hono } from 'hono';

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
  stats(c: Context): Response {
    return c.json({ orders: orders.length });
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

const app = new Hono<NevertrustEnv>();
app.use(protect);
app.get('/health', publicRoute(), (c) => c.json({ status: 'ok' }));
app.get('/orders', requireScopes('orders:read'), (c) => c.json(orders));
app.post('/orders', requireScopes('orders:write'), async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { item?: unknown };
  const order = {
    id: orders.length + 1,
    item: String(body.item ?? 'widget'),
    owner: getPrincipal(c).subject,
  };
  orders.push(order);
  return c.json(order, 201);
});
app.get('/me', (c) => c.json({ subject: c.get('principal')?.subject }));
app.get('/admin/stats', admin.stats);

const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
  console.log(`nevertrust hono example listening on http://${settings.host}:${info.port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void protect.guard.close();
  });
}
