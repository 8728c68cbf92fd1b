import { formatCoverage, type PolicyOptions, requireRoles, requireScopes as scopes } from '@nevertrust/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { coverage, nevertrust, publicRoute, requireAnyScope, requireScopes, requires } from '../src/index.js';
import { setup } from './support.js';

const ok: express.RequestHandler = (_req, res) => {
  res.end();
};

function app(policy?: PolicyOptions) {
  const { options } = setup();
  const auth = nevertrust({ ...options, ...(policy ? { policy } : {}) });
  const server = express();
  server.get('/early', ok);
  server.use(auth);
  server.get('/health', publicRoute(), ok);
  const api = express.Router();
  api.get('/orders', requireScopes('orders:read'), ok);
  api.post('/orders', ok);
  api.delete('/orders/:id', requires(requireRoles('admin')), ok);
  api.route('/reports').get(requireAnyScope('reports:read', 'admin'), ok).put(ok);
  server.use('/api', api);
  return { server, auth };
}

describe('coverage(app, middleware) for Express', () => {
  it('lists every route with its requirement, the undeclared ones, and those not behind nevertrust()', () => {
    const { server, auth } = app();
    const report = coverage(server, auth);
    expect(report.rows.map((row) => [row.method, row.path, row.requirement ?? row.undeclared])).toEqual([
      ['GET', '/api/orders', 'scopes:all(orders:read)'],
      ['POST', '/api/orders', 'authenticated by default'],
      ['DELETE', '/api/orders/:id', 'roles:all(admin)'],
      ['GET', '/api/reports', 'scopes:any(reports:read admin)'],
      ['PUT', '/api/reports', 'authenticated by default'],
      ['GET', '/early', 'NOT PROTECTED: registered before nevertrust'],
      ['GET', '/health', 'public'],
    ]);
    expect(report.undeclared.map((row) => `${row.method} ${row.path}`)).toEqual([
      'POST /api/orders',
      'PUT /api/reports',
      'GET /early',
    ]);
    expect(formatCoverage(report)).toContain('7 routes, 1 public, 3 without a declared requirement');
  });

  it('shows what the policy table and strict mode make of each route', () => {
    const { server, auth } = app({
      strict: true,
      routes: [{ method: 'POST', path: '/api/orders', requirement: scopes('orders:write') }],
    });
    const rows = new Map(coverage(server, auth).rows.map((row) => [`${row.method} ${row.path}`, row]));
    expect(rows.get('POST /api/orders')).toMatchObject({
      source: 'table',
      requirement: 'scopes:all(orders:write)',
    });
    expect(rows.get('PUT /api/reports')).toMatchObject({
      source: 'none',
      undeclared: 'refused (no table entry)',
    });
    expect(rows.get('GET /api/orders')).toMatchObject({
      source: 'route',
      requirement: 'scopes:all(orders:read)',
      undeclared: 'refused (no table entry)',
    });
  });
});

describe('coverage(app, middleware) lists every handler that can answer', () => {
  it('mounts, markers on the way, sub-applications and catch-alls after nevertrust()', () => {
    const { options } = setup();
    const auth = nevertrust(options);
    const server = express();
    server.use(express.json());
    server.use('/open', ok);
    server.use(auth);
    server.use('/graphql', requireScopes('graphql:query'), ok);
    server.use('/proxy', ok);
    const admin = express.Router();
    admin.use(requires(requireRoles('admin')));
    admin.get('/stats', ok);
    server.use('/admin', admin);
    const sub = express();
    sub.get('/x', ok);
    server.use('/sub', sub);
    server.use(ok);
    const rows = coverage(server, auth).rows.map((row) => [
      row.kind,
      row.method,
      row.path,
      row.requirement ?? row.undeclared,
    ]);
    expect(rows).toEqual([
      ['fallback', '*', '/*', 'authenticated by default'],
      ['route', 'GET', '/admin/stats', 'roles:all(admin)'],
      ['mount', '*', '/graphql/*', 'scopes:all(graphql:query)'],
      ['mount', '*', '/open/*', 'NOT PROTECTED: registered before nevertrust'],
      ['mount', '*', '/proxy/*', 'authenticated by default'],
      ['mount', '*', '/sub/*', 'authenticated by default'],
    ]);
    expect(formatCoverage(coverage(server, auth))).toContain('1 routes and 5 other handlers');
  });
});
