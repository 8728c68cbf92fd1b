import { describe, expect, it } from 'vitest';
import { buildCoverage, type DeclaredRoute } from '../../src/adapter.js';
import { formatCoverage, publicRoute, requireRoles, requireScopes } from '../../src/index.js';
import { policyHarness } from './helpers.js';

const appRoutes: DeclaredRoute[] = [
  { method: 'GET', path: '/orders/:id', requirements: [requireScopes('orders:read')] },
  { method: 'GET', path: '/health', requirements: [publicRoute()] },
  { method: 'POST', path: '/orders' },
  { method: 'DELETE', path: '/orders/:id' },
];

describe('coverage report', () => {
  it('lists every route with its requirement and the undeclared ones (no table)', () => {
    const { guard } = policyHarness();
    const report = buildCoverage(appRoutes, guard.policy);
    expect(report.rows.map((row) => [row.method, row.path, row.requirement, row.public, row.source])).toEqual(
      [
        ['GET', '/health', 'public', true, 'route'],
        ['POST', '/orders', undefined, false, 'none'],
        ['DELETE', '/orders/:id', undefined, false, 'none'],
        ['GET', '/orders/:id', 'scopes:all(orders:read)', false, 'route'],
      ],
    );
    expect(report.undeclared.map((row) => `${row.method} ${row.path} ${row.undeclared}`)).toEqual([
      'POST /orders authenticated by default',
      'DELETE /orders/:id authenticated by default',
    ]);
  });

  it('flags a route nevertrust does not see as not protected, whatever it declares', () => {
    const { guard } = policyHarness();
    const report = buildCoverage(
      [{ method: 'GET', path: '/early', requirements: [requireScopes('a')], protected: false }],
      guard.policy,
    );
    expect(report.undeclared).toEqual([
      expect.objectContaining({ path: '/early', undeclared: 'NOT PROTECTED: registered before nevertrust' }),
    ]);
  });

  it('says what strict mode does with undeclared routes', () => {
    const { guard } = policyHarness({ policy: { strict: true } });
    expect(buildCoverage(appRoutes, guard.policy).undeclared[0]?.undeclared).toBe('refused (strict mode)');
  });

  it('finds table entries for route patterns and combines them with route requirements', () => {
    const { guard } = policyHarness({
      policy: {
        routes: [
          { method: 'POST', path: '/orders', requirement: requireScopes('orders:write') },
          { method: 'GET', path: '/orders/:orderId', requirement: requireRoles('clerk'), dryRun: true },
        ],
      },
    });
    const report = buildCoverage(appRoutes, guard.policy);
    const byKey = new Map(report.rows.map((row) => [`${row.method} ${row.path}`, row]));
    expect(byKey.get('POST /orders')).toMatchObject({
      source: 'table',
      requirement: 'scopes:all(orders:write)',
    });
    expect(byKey.get('GET /orders/:id')).toMatchObject({
      source: 'route+table',
      requirement: 'roles:all(clerk) + scopes:all(orders:read)',
      dryRun: true,
    });
    expect(byKey.get('DELETE /orders/:id')).toMatchObject({
      source: 'none',
      undeclared: 'refused (no table entry)',
    });
  });

  it('prints an aligned table with a summary', () => {
    const { guard } = policyHarness();
    const text = formatCoverage(buildCoverage(appRoutes, guard.policy));
    const lines = text.split('\n');
    expect(lines[0]).toBe('KIND   METHOD  PATH         REQUIREMENT                       SOURCE');
    expect(lines).toContain('route  GET     /health      public                            route');
    expect(lines).toContain('route  POST    /orders      (none: authenticated by default)  none');
    expect(lines.at(-1)).toBe('4 routes, 1 public, 2 without a declared requirement');
  });
});
