import { bearer, requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type PolicyRoute,
  publicRoute,
  requireOwnership,
  requireRoles,
  requireScopes,
} from '../../src/index.js';
import { compileRouteTable } from '../../src/policy.js';
import { policyHarness } from './helpers.js';

const routes: PolicyRoute[] = [
  { method: 'GET', path: '/health', requirement: publicRoute() },
  { method: ['GET', 'POST'], path: '/orders', requirement: requireScopes('orders:read') },
  { method: 'GET', path: '/orders/:id', requirement: requireScopes('orders:read') },
  { method: 'GET', path: '/orders/export', requirement: requireRoles('exporter') },
  { method: 'DELETE', path: '/orders/:id', requirement: requireScopes('orders:admin'), dryRun: true },
  { method: '*', path: '/files/*', requirement: requireScopes('files') },
  { method: 'GET', path: '/users/:userId/profile', requirement: requireOwnership('userId') },
];

function configProblems(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('matching the policy table (find-my-way)', () => {
  const table = compileRouteTable(routes);
  it.each([
    ['GET', '/health', 0, {}],
    ['GET', '/orders', 1, {}],
    ['POST', '/orders', 1, {}],
    ['GET', '/orders/42', 2, { id: '42' }],
    ['GET', '/orders/export', 3, {}],
    ['DELETE', '/orders/7', 4, { id: '7' }],
    ['PATCH', '/files/a/b.txt', 5, { '*': 'a/b.txt' }],
    ['GET', '/orders/42?access=1', 2, { id: '42' }],
    ['HEAD', '/orders/42', 2, { id: '42' }],
    ['GET', '/ORDERS/42', 2, { id: '42' }],
    ['GET', '/orders/42/', 2, { id: '42' }],
    ['GET', '//orders//42', 2, { id: '42' }],
    ['GET', '/orders/%34%32', 2, { id: '42' }],
  ] as const)('%s %s → entry %i', (method, path, index, params) => {
    const match = table.match(method, path);
    expect(match?.route.index).toBe(index);
    expect(match?.params).toEqual(params);
  });

  it.each([
    ['PUT', '/orders'],
    ['GET', '/order'],
    ['GET', '/orders/42/items'],
    ['GET', '/files'],
    ['get', '/health'],
    ['FOO', '/health'],
    ['GET', '/orders/%ZZ'],
  ])('%s %s matches nothing (deny by default)', (method, path) => {
    expect(table.match(method, path)).toBeUndefined();
  });
});

describe('table validation at start-up', () => {
  it('refuses two entries for the same method and pattern, naming both', () => {
    const problems = configProblems(() =>
      compileRouteTable([
        { method: 'GET', path: '/a/:id', requirement: publicRoute() },
        { method: ['POST', 'GET'], path: '/a/:other', requirement: requireScopes('x') },
      ]),
    );
    expect(problems).toEqual([
      'policy.routes[1]: /a/:other conflicts with policy.routes[0] (same method and path pattern)',
    ]);
  });

  it('refuses a "*" entry overlapping a method entry', () => {
    expect(() =>
      compileRouteTable([
        { method: 'GET', path: '/a', requirement: publicRoute() },
        { method: '*', path: '/a', requirement: publicRoute() },
      ]),
    ).toThrow(/conflicts with policy.routes\[0\]/);
  });

  it('refuses entries that only differ by case or trailing slash (matched alike)', () => {
    expect(() =>
      compileRouteTable([
        { method: 'GET', path: '/Admin', requirement: requireRoles('admin') },
        { method: 'GET', path: '/admin/', requirement: publicRoute() },
      ]),
    ).toThrow(ConfigError);
  });

  it.each([
    [
      { method: 'GET', path: 'orders', requirement: publicRoute() },
      'policy.routes[0].path: expected a pattern starting with /',
    ],
    [
      { method: 'get', path: '/a', requirement: publicRoute() },
      'policy.routes[0].method: expected an HTTP method in upper case (GET, POST, …) or "*"',
    ],
    [
      { method: ['GET', 'FETCH'], path: '/a', requirement: publicRoute() },
      'policy.routes[0].method[1]: expected an HTTP method in upper case (GET, POST, …) or "*"',
    ],
    [
      { method: 'GET', path: '/a', requirement: publicRoute(), dryRun: 'yes' },
      'policy.routes[0].dryRun: expected a boolean',
    ],
    [
      { method: 'GET', path: '/a', requirement: { type: 'scopes', match: 'all', scopes: [] } },
      'policy.routes[0].requirement.scopes: expected a non-empty array of scope tokens (RFC 6749 §3.3)',
    ],
    ['GET /a', 'policy.routes[0]: expected { method, path, requirement }'],
    [
      { method: [], path: '/a', requirement: publicRoute() },
      'policy.routes[0].method: expected a method, an array of methods or "*"',
    ],
    [
      { method: ['*', 'GET'], path: '/a', requirement: publicRoute() },
      'policy.routes[0].method: "*" stands alone',
    ],
    [
      { method: 'GET', path: '/a' },
      'policy.routes[0].requirement: expected a requirement (one of public, authenticated, scopes, roles, claim, predicate, kind, method, ownership, address, authentication, binding, workload, and, or, not)',
    ],
    [
      { method: 'GET', path: '/a', requirement: publicRoute(), dryrun: true },
      'policy.routes[0].dryrun: unknown option',
    ],
  ])('%o is refused', (entry, problem) => {
    expect(configProblems(() => compileRouteTable([entry as unknown as PolicyRoute]))).toContain(problem);
  });

  it('createGuard fails on a bad table with ConfigError', () => {
    expect(() =>
      policyHarness({ policy: { routes: [{ method: 'GET', path: 'x', requirement: publicRoute() }] } }),
    ).toThrow(ConfigError);
  });
});

describe('the policy table in the guard', () => {
  const harness = () => policyHarness({ policy: { routes } });

  it('denies (403) a request matching no entry, with or without credentials', async () => {
    const { guard, mint, events } = harness();
    const anonymous = await guard.evaluate(requestFacts({ target: '/admin' }));
    expect(anonymous).toMatchObject({ outcome: 'deny', status: 403, code: 'ERR_POLICY_NO_MATCH' });
    const withToken = await guard.evaluate(
      bearer(mint({ claims: { scope: 'orders:read' } }), { target: '/admin' }),
    );
    expect(withToken).toMatchObject({ outcome: 'deny', status: 403, code: 'ERR_POLICY_NO_MATCH' });
    expect(events.at(-1)).toMatchObject({ reason: 'ERR_POLICY_NO_MATCH', path: '/admin' });
  });

  it('serves a public entry without credentials but still refuses a bad token', async () => {
    const { guard } = harness();
    expect((await guard.evaluate(requestFacts({ target: '/health' }))).outcome).toBe('allow');
    expect(await guard.evaluate(bearer('not.a.token', { target: '/health' }))).toMatchObject({ status: 401 });
  });

  it('enforces the entry requirement', async () => {
    const { guard, mint } = harness();
    const reader = mint({ claims: { scope: 'orders:read' } });
    expect((await guard.evaluate(bearer(reader, { target: '/orders/1' }))).outcome).toBe('allow');
    expect(await guard.evaluate(bearer(reader, { target: '/orders/export' }))).toMatchObject({ status: 403 });
    expect(await guard.evaluate(requestFacts({ target: '/orders/1' }))).toMatchObject({ status: 401 });
  });

  it('combines a route requirement with the entry: both must hold', async () => {
    const { guard, mint } = harness();
    const reader = mint({ claims: { scope: 'orders:read' } });
    const facts = bearer(reader, { target: '/orders/1' });
    expect(await guard.evaluate(facts, requireScopes('orders:write'))).toMatchObject({
      code: 'ERR_INSUFFICIENT_SCOPE',
    });
    const both = mint({ claims: { scope: 'orders:read orders:write' } });
    expect(
      (await guard.evaluate(bearer(both, { target: '/orders/1' }), requireScopes('orders:write'))).outcome,
    ).toBe('allow');
  });

  it('a route requirement does not make a table-public route public... and vice versa', async () => {
    const { guard } = harness();
    expect(await guard.evaluate(requestFacts({ target: '/health' }), requireScopes('x'))).toMatchObject({
      status: 401,
    });
  });

  it('evaluates ownership against the pattern parameters of the entry', async () => {
    const { guard, mint } = harness();
    const alice = mint({ claims: { sub: 'alice' } });
    expect((await guard.evaluate(bearer(alice, { target: '/users/alice/profile' }))).outcome).toBe('allow');
    expect(await guard.evaluate(bearer(alice, { target: '/users/bob/profile' }))).toMatchObject({
      status: 403,
    });
  });

  it('dry-run per entry: computed and audited, but let through', async () => {
    const { guard, mint, events } = harness();
    const reader = mint({ claims: { scope: 'orders:read' } });
    const decision = await guard.evaluate(bearer(reader, { method: 'DELETE', target: '/orders/1' }));
    expect(decision.outcome).toBe('allow');
    expect(events.at(-1)).toMatchObject({ dryRun: { reason: 'ERR_INSUFFICIENT_SCOPE', status: 403 } });
    // Other entries are enforced as usual.
    expect((await guard.evaluate(bearer(reader, { target: '/orders/export' }))).outcome).toBe('deny');
  });

  it('dry-run per entry never covers the route requirement', async () => {
    const { guard, mint } = harness();
    const reader = mint({ claims: { scope: 'orders:admin' } });
    const facts = bearer(reader, { method: 'DELETE', target: '/orders/1' });
    expect((await guard.evaluate(facts, requireRoles('ops'))).outcome).toBe('deny');
  });

  it('global dry-run lets an unlisted route through and records the would-be denial', async () => {
    const { guard, mint, events } = policyHarness({ policy: { routes, dryRun: true } });
    expect((await guard.evaluate(bearer(mint(), { target: '/admin' }))).outcome).toBe('allow');
    expect(events.at(-1)?.dryRun).toEqual({ reason: 'ERR_POLICY_NO_MATCH', status: 403 });
  });

  it('exposes the compiled table for coverage reports', () => {
    const { guard } = harness();
    expect(guard.policy.table?.routes.map((route) => route.path)).toEqual(routes.map((route) => route.path));
  });
});
