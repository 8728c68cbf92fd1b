import Router from '@koa/router';
import { formatCoverage, requireRoles } from '@nevertrust/core';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { coverage, nevertrust, publicRoute, requireScopes, requires } from '../src/index.js';
import { setup } from './support.js';

const ok: Koa.Middleware = (ctx) => {
  ctx.body = '';
};

describe('coverage(app, middleware) for Koa', () => {
  it('lists the routes of every router, with requirements, gaps and routers mounted before nevertrust()', () => {
    const { options } = setup();
    const auth = nevertrust({ ...options, policy: { roles: { admin: ['orders:admin'] } } });
    const app = new Koa();
    const early = new Router();
    early.get('/early', ok);
    app.use(early.routes());
    app.use(auth);
    const root = new Router();
    root.get('/health', publicRoute(), ok);
    const api = new Router({ prefix: '/api' });
    api.get('/orders', requireScopes('orders:read'), ok);
    api.post('/orders', ok);
    api.delete('/orders/:id', requires(requireRoles('admin')), ok);
    app.use(root.routes());
    app.use(api.routes());
    const report = coverage(app, auth);
    expect(report.rows.map((row) => [row.method, row.path, row.requirement ?? row.undeclared])).toEqual([
      ['GET', '/api/orders', 'scopes:all(orders:read)'],
      ['POST', '/api/orders', 'authenticated by default'],
      ['DELETE', '/api/orders/:id', 'roles:all(admin)'],
      ['GET', '/early', 'NOT PROTECTED: registered before nevertrust'],
      ['GET', '/health', 'public'],
    ]);
    expect(formatCoverage(report)).toContain('5 routes, 1 public, 2 without a declared requirement');
  });

  it('applies the policy table of the guard', () => {
    const { options } = setup();
    const auth = nevertrust({
      ...options,
      policy: {
        routes: [{ method: 'POST', path: '/orders', requirement: requireRoles('clerk'), dryRun: true }],
      },
    });
    const app = new Koa();
    app.use(auth);
    const router = new Router();
    router.post('/orders', requireScopes('orders:write'), ok);
    router.get('/orders', ok);
    app.use(router.routes());
    const rows = coverage(app, auth).rows;
    expect(rows).toEqual([
      expect.objectContaining({ method: 'GET', source: 'none', undeclared: 'refused (no table entry)' }),
      expect.objectContaining({
        method: 'POST',
        source: 'route+table',
        requirement: 'roles:all(clerk) + scopes:all(orders:write)',
        dryRun: true,
      }),
    ]);
  });
});

describe('coverage(app, middleware) lists every handler that can answer', () => {
  it('router-level markers as the requirement they enforce, and middleware that can answer as a fallback', () => {
    const { options } = setup();
    const auth = nevertrust(options);
    const app = new Koa();
    app.use(auth);
    const admin = new Router({ prefix: '/admin' });
    admin.use(requires(requireRoles('admin')));
    admin.get('/stats', ok);
    app.use(admin.routes());
    app.use(ok);
    const rows = coverage(app, auth).rows.map((row) => [
      row.kind,
      row.method,
      row.path,
      row.requirement ?? row.undeclared,
    ]);
    expect(rows).toEqual([
      ['fallback', '*', '/*', 'authenticated by default'],
      ['route', 'GET', '/admin/stats', 'roles:all(admin)'],
    ]);
  });
});
