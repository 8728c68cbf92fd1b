/**
 * A small orders API on Express 5, protected by nevertrust: a public health route, read and write routes
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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getPrincipal, nevertrust, publicRoute, requireScopes } from '@nevertrust/express';
import express, { type Request, type Response } from 'express';

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
  stats(_req: Request, res: Response): void {
    res.json({ orders: orders.length });
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

const app = express();
app.use(express.json());
app.use(protect);
app.get('/health', publicRoute(), (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/orders', requireScopes('orders:read'), (_req, res) => {
  res.json(orders);
});
app.post('/orders', requireScopes('orders:write'), (req, res) => {
  const order = {
    id: orders.length + 1,
    item: String(req.body?.item ?? 'widget'),
    owner: getPrincipal(req).subject,
  };
  orders.push(order);
  res.status(201).json(order);
});
app.get('/admin/stats', admin.stats);

const server = createServer(app).listen(settings.port, settings.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`nevertrust express example listening on http://${settings.host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void protect.guard.close();
  });
}
