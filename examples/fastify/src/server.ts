/**
 * A small orders API on Fastify 5, protected by nevertrust: a public health route, read and write routes
 * that need different scopes, and an admin route declared with a method decorator. Every other route
 * would need a valid access token, because nothing else is marked public.
 *
 * Settings come from the environment (the library itself reads none):
 *   ISSUER    the authorization server's issuer identifier (default http://127.0.0.1:9000)
 *   AUDIENCE  this API's identifier in tokens (default https://api.example.test)
 *   JWKS_URI  the key set URL; without it the keys are found through the issuer's metadata
 *   PORT, HOST  where to listen (default 3000 on 127.0.0.1)
 *
 * Run it with `npm start` in this folder.
 */
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/fastify';
import fastify, { type FastifyRequest } from 'fastify';

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
  async stats(_request: FastifyRequest) {
    return { orders: orders.length };
  }
}
const admin = new AdminController();

const app = fastify();
await app.register(nevertrust, {
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
app.get('/health', { config: { nevertrust: publicRoute() } }, async () => ({ status: 'ok' }));
app.get('/orders', { config: { nevertrust: requireScopes('orders:read') } }, async () => orders);
app.post('/orders', { preHandler: requireScopes('orders:write') }, async (request, reply) => {
  const order = { id: orders.length + 1, item: 'widget', owner: getPrincipal(request).subject };
  orders.push(order);
  return reply.code(201).send(order);
});
app.get('/admin/stats', admin.stats);

const address = await app.listen({ port: settings.port, host: settings.host });
console.log(`nevertrust fastify example listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close());
}
