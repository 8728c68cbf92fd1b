import { formatCoverage, requireRoles } from '@nevertrust/core';
import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { coverage, nevertrust, publicRoute, requireScopes } from '../src/index.js';
import { setup } from './support.js';

describe('coverage(app) for Fastify', () => {
  it('lists every route registered after the plugin, in every scope, with its requirement', async () => {
    const { options } = setup();
    const app = fastify();
    await app.register(nevertrust, options);
    app.get('/health', { config: { nevertrust: publicRoute() } }, async () => ({}));
    await app.register(
      async (api) => {
        api.get('/orders', { preHandler: requireScopes('orders:read') }, async () => []);
        api.post('/orders', async () => ({}));
        api.delete('/orders/:id', { config: { nevertrust: requireRoles('admin') } }, async () => ({}));
      },
      { prefix: '/api' },
    );
    await app.ready();
    const report = coverage(app);
    expect(report.rows.map((row) => [row.method, row.path, row.requirement ?? row.undeclared])).toEqual([
      ['*', '/*', 'authenticated by default'],
      ['GET', '/api/orders', 'scopes:all(orders:read)'],
      ['POST', '/api/orders', 'authenticated by default'],
      ['DELETE', '/api/orders/:id', 'roles:all(admin)'],
      ['GET', '/health', 'public'],
    ]);
    expect(formatCoverage(report)).toContain(
      '4 routes and 1 other handler, 1 public, 2 without a declared requirement',
    );
    await app.close();
  });

  it('refuses an app without the plugin', () => {
    expect(() => coverage(fastify())).toThrow(/not registered/);
  });

  it('strict mode under global dry-run: an undeclared route starts, and its refusal is only recorded', async () => {
    const { options, mint, audit } = setup();
    const app = fastify();
    await app.register(nevertrust, { ...options, policy: { strict: true, dryRun: true } });
    app.get('/orders', async () => []);
    const response = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${mint()}` } });
    expect(response.statusCode).toBe(200);
    await app.close();
    expect(audit.at(-1)?.dryRun).toEqual({ reason: 'ERR_ROUTE_NOT_DECLARED', status: 403 });
    // The not-found handler's requests, too, are refused in strict mode.
    expect(coverage(app).undeclared.map((row) => `${row.kind}: ${row.undeclared}`)).toEqual([
      'fallback: refused (strict mode)',
      'route: refused (strict mode)',
    ]);
  });
});
