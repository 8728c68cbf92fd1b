import { bearer, parseChallenges, requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import {
  and,
  ConfigError,
  createGuard,
  type Decision,
  publicRoute,
  requireAddress,
  requireAuthentication,
  requireOwnership,
  requireRoles,
  requireScopes,
  requireThat,
} from '../../src/index.js';
import { testKey } from '../support.js';
import { AUDIENCE, ISSUER, NOW, policyHarness } from './helpers.js';

function challenge(decision: Decision): Record<string, string> {
  expect(decision.outcome).toBe('deny');
  const header = decision.headers['www-authenticate'];
  expect(header).toBeDefined();
  const [parsed] = parseChallenges(header ?? '');
  expect(parsed?.scheme).toBe('Bearer');
  return { ...parsed?.params };
}

describe('RBAC: roles from a per-issuer claim path, mapped to scopes', () => {
  const roleHarness = () =>
    policyHarness(
      { policy: { roles: { 'order-admin': ['orders:read', 'orders:write'] } } },
      { roleClaim: 'realm_access.roles' },
    );

  it('a role requirement is met by the role claim', async () => {
    const { guard, mint } = roleHarness();
    const token = mint({ claims: { realm_access: { roles: ['order-admin'] } } });
    expect((await guard.evaluate(bearer(token), requireRoles('order-admin'))).outcome).toBe('allow');
    const other = mint({ claims: { realm_access: { roles: ['viewer'] } } });
    const denied = await guard.evaluate(bearer(other), requireRoles('order-admin'));
    expect(denied).toMatchObject({ outcome: 'deny', status: 403, code: 'ERR_ACCESS_DENIED' });
    expect(challenge(denied).error).toBe('insufficient_scope');
  });

  it('a scope requirement is met by a role that maps to it', async () => {
    const { guard, mint } = roleHarness();
    const token = mint({ claims: { scope: 'profile', realm_access: { roles: ['order-admin'] } } });
    expect((await guard.evaluate(bearer(token), requireScopes('orders:write'))).outcome).toBe('allow');
    const plain = mint({ claims: { scope: 'profile' } });
    expect(await guard.evaluate(bearer(plain), requireScopes('orders:write'))).toMatchObject({
      code: 'ERR_INSUFFICIENT_SCOPE',
    });
  });

  it('a role claim of the wrong type grants no role (fail closed)', async () => {
    const { guard, mint } = roleHarness();
    const token = mint({ claims: { realm_access: { roles: ['order-admin', 7] } } });
    expect((await guard.evaluate(bearer(token), requireRoles('order-admin'))).outcome).toBe('deny');
  });

  it('a bad role claim path fails at start-up', () => {
    expect(() =>
      createGuard({
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk], roleClaim: '' }],
      }),
    ).toThrow(/issuers\[0\]\.roleClaim/);
  });

  it('without a role claim every principal has no role, and a predicate cannot give one to all', async () => {
    const { guard, mint } = policyHarness({});
    const grab = requireThat('grabs a role', (input) => {
      (input.roles as Set<string>).add('admin');
      return true;
    });
    // The empty role set is shared by every principal of such an issuer: changing it throws, so the
    // predicate fails and the request is refused (fail closed) …
    const grabbed = await guard.evaluate(bearer(mint()), grab);
    expect(grabbed).toMatchObject({ outcome: 'deny', status: 403 });
    // … and no other principal gained the role.
    const later = await guard.evaluate(bearer(mint()), requireRoles('admin'));
    expect(later).toMatchObject({ outcome: 'deny', status: 403, code: 'ERR_ACCESS_DENIED' });
  });

  it('a role table with a bad scope fails at start-up', () => {
    expect(() => policyHarness({ policy: { roles: { admin: ['a b'] } } })).toThrow(ConfigError);
  });
});

describe('step-up (RFC 9470) through the guard', () => {
  const payments = and(
    requireScopes('payments:write'),
    requireAuthentication({ acr: ['urn:mfa'], maxAgeSeconds: 300 }),
  );

  it('S-1/S-2/S-3 a weak authentication gets 401 insufficient_user_authentication with acr_values and max_age', async () => {
    const { guard, mint } = policyHarness();
    const token = mint({ claims: { scope: 'payments:write', acr: 'urn:pwd', auth_time: NOW - 10 } });
    const decision = await guard.evaluate(bearer(token), payments);
    expect(decision).toMatchObject({ status: 401, code: 'ERR_INSUFFICIENT_USER_AUTHENTICATION' });
    expect(challenge(decision)).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'A different authentication level is required',
      acr_values: 'urn:mfa',
      max_age: '300',
    });
  });

  it('S-3 an old auth_time gets the same challenge', async () => {
    const { guard, mint } = policyHarness();
    const token = mint({ claims: { scope: 'payments:write', acr: 'urn:mfa', auth_time: NOW - 900 } });
    expect(await guard.evaluate(bearer(token), payments)).toMatchObject({ status: 401 });
  });

  it('A7 precedence: a missing scope is 403 insufficient_scope, not a step-up', async () => {
    const { guard, mint } = policyHarness();
    const token = mint({ claims: { acr: 'urn:pwd' } });
    const decision = await guard.evaluate(bearer(token), payments);
    expect(decision).toMatchObject({ status: 403, code: 'ERR_INSUFFICIENT_SCOPE' });
    expect(challenge(decision)).toMatchObject({ error: 'insufficient_scope', scope: 'payments:write' });
  });

  it('a strong, recent authentication passes', async () => {
    const { guard, mint } = policyHarness();
    const token = mint({ claims: { scope: 'payments:write', acr: 'urn:mfa', auth_time: NOW - 60 } });
    expect((await guard.evaluate(bearer(token), payments)).outcome).toBe('allow');
  });
});

describe('ABAC conditions on the request', () => {
  it('ownership reads the route parameters the adapter puts in the facts', async () => {
    const { guard, mint } = policyHarness();
    const token = mint({ claims: { sub: 'alice' } });
    const own = bearer(token, { target: '/users/alice/orders' });
    expect(
      (await guard.evaluate({ ...own, params: { userId: 'alice' } }, requireOwnership('userId'))).outcome,
    ).toBe('allow');
    expect(
      await guard.evaluate({ ...own, params: { userId: 'bob' } }, requireOwnership('userId')),
    ).toMatchObject({ outcome: 'deny', status: 403 });
  });

  it('an address condition never replaces authentication', async () => {
    const { guard } = policyHarness();
    const decision = await guard.evaluate(
      requestFacts({ remoteAddress: '10.0.0.5' }),
      requireAddress('10.0.0.0/8'),
    );
    expect(decision).toMatchObject({ outcome: 'deny', status: 401, code: 'ERR_NO_CREDENTIALS' });
  });

  it('an address condition narrows access for a valid token', async () => {
    const { guard, mint } = policyHarness();
    const token = mint();
    expect(
      (await guard.evaluate(bearer(token, { remoteAddress: '10.0.0.5' }), requireAddress('10.0.0.0/8')))
        .outcome,
    ).toBe('allow');
    expect(
      (await guard.evaluate(bearer(token, { remoteAddress: '192.0.2.1' }), requireAddress('10.0.0.0/8')))
        .outcome,
    ).toBe('deny');
  });
});

describe('strict mode', () => {
  it('refuses (403) and records a route that declared no requirement', async () => {
    const { guard, mint, events } = policyHarness({ policy: { strict: true } });
    const decision = await guard.evaluate(bearer(mint()));
    expect(decision).toMatchObject({ outcome: 'deny', status: 403, code: 'ERR_ROUTE_NOT_DECLARED' });
    expect(decision.outcome === 'deny' && decision.body.error).toBe('access_denied');
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_ROUTE_NOT_DECLARED', status: 403 });
  });

  it('refuses an undeclared route even without credentials', async () => {
    const { guard } = policyHarness({ policy: { strict: true } });
    expect(await guard.evaluate(requestFacts())).toMatchObject({
      status: 403,
      code: 'ERR_ROUTE_NOT_DECLARED',
    });
  });

  it('lets declared routes work, public ones included', async () => {
    const { guard, mint } = policyHarness({ policy: { strict: true } });
    expect((await guard.evaluate(requestFacts(), publicRoute())).outcome).toBe('allow');
    expect((await guard.evaluate(bearer(mint({ claims: { scope: 'a' } })), requireScopes('a'))).outcome).toBe(
      'allow',
    );
  });

  it('still refuses malformed credentials first (B-1)', async () => {
    const { guard } = policyHarness({ policy: { strict: true } });
    const facts = requestFacts({ headers: { authorization: ['Bearer a', 'Bearer b'] } });
    expect(await guard.evaluate(facts)).toMatchObject({ outcome: 'deny', status: 400 });
  });
});

describe('global dry-run', () => {
  it('lets a policy refusal through, records what it would have been', async () => {
    const { guard, mint, events } = policyHarness({ policy: { dryRun: true } });
    const decision = await guard.evaluate(bearer(mint({ claims: { scope: 'a' } })), requireScopes('b'));
    expect(decision.outcome).toBe('allow');
    expect(events.at(-1)).toMatchObject({
      outcome: 'allow',
      reason: 'OK',
      dryRun: { reason: 'ERR_INSUFFICIENT_SCOPE', status: 403 },
      requirement: 'scopes:all',
      requiredScopes: ['b'],
    });
    expect(events.at(-1)?.detail).toMatch(/^dry-run: /);
  });

  it('records nothing extra when the policy is met', async () => {
    const { guard, mint, events } = policyHarness({ policy: { dryRun: true } });
    await guard.evaluate(bearer(mint({ claims: { scope: 'b' } })), requireScopes('b'));
    expect(events.at(-1)?.dryRun).toBeUndefined();
  });

  it('never applies to missing credentials', async () => {
    const { guard } = policyHarness({ policy: { dryRun: true } });
    expect(await guard.evaluate(requestFacts(), requireScopes('b'))).toMatchObject({ status: 401 });
  });

  it('never applies to invalid credentials', async () => {
    const { guard, mint, clock } = policyHarness({ policy: { dryRun: true } });
    const token = mint();
    clock.seconds += 3600;
    expect(await guard.evaluate(bearer(token), requireScopes('b'))).toMatchObject({
      status: 401,
      code: 'ERR_TOKEN_EXPIRED',
    });
  });

  it('shadows strict mode too: an undeclared route is recorded but served', async () => {
    const { guard, mint, events } = policyHarness({ policy: { strict: true, dryRun: true } });
    expect((await guard.evaluate(bearer(mint()))).outcome).toBe('allow');
    expect(events.at(-1)?.dryRun).toEqual({ reason: 'ERR_ROUTE_NOT_DECLARED', status: 403 });
  });
});

describe('audit trail of composed requirements', () => {
  it('describes the effective requirement and lists every scope', async () => {
    const { guard, mint, events } = policyHarness();
    await guard.evaluate(
      bearer(mint({ claims: { scope: 'a' } })),
      and(requireScopes('a'), requireRoles('x')),
    );
    expect(events.at(-1)).toMatchObject({
      reason: 'ERR_ACCESS_DENIED',
      requirement: 'and(scopes:all(a), roles:all(x))',
      requiredScopes: ['a'],
    });
  });
});
