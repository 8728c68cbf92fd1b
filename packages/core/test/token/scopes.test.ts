/**
 * Scopes and requirements: checklist AT-5, AT-12, B-8; attack #39. Scope claims are read in their
 * declared format only and compared exactly; a public route still refuses invalid credentials.
 */
import { parseChallenges, requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, publicRoute, requireAnyScope, requireScopes } from '../../src/index.js';
import { readGrantedScopes } from '../../src/token/scopes.js';
import { expectAllow, expectDeny, harness, withAuthorization } from '../support.js';

const DEFAULT_CLAIMS = [
  ['scope', 'string'],
  ['scp', 'string-or-array'],
  ['permissions', 'array'],
] as const;

describe('AT-5: reading granted scopes', () => {
  it('scope is a space-delimited string; scp a string or an array; permissions an array', async () => {
    const { mint, evaluateToken } = harness();
    const allowed = expectAllow(
      await evaluateToken(
        mint({
          claims: {
            scope: 'orders:read  orders:write',
            scp: ['a', 'b'],
            permissions: ['p:1', 'orders:read'],
          },
        }),
      ),
    );
    expect(allowed.principal?.scopes).toEqual(['orders:read', 'orders:write', 'a', 'b', 'p:1']);
    expect(expectAllow(await evaluateToken(mint({ claims: { scp: 'x y' } }))).principal?.scopes).toEqual([
      'x',
      'y',
    ]);
  });

  it.each([
    ['scope as an array (default config)', { scope: ['orders:read', 'orders:write'] }],
    ['scope as a number', { scope: 1 }],
    ['scope as an object', { scope: { 'orders:read': true } }],
    ['scp with a non-string entry', { scp: ['a', 1] }],
    ['permissions as a string', { permissions: 'orders:read' }],
    ['permissions as an object', { permissions: { 0: 'orders:read', length: 1 } }],
  ])('%s → 401 invalid claim, never coerced', async (_name, claims) => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims })), 'ERR_CLAIM_INVALID', 401);
  });

  it('a scope array is accepted when the issuer declares that format', async () => {
    const { mint, evaluateToken } = harness({ issuer: { scopeClaims: { scope: 'string-or-array' } } });
    const allowed = expectAllow(await evaluateToken(mint({ claims: { scope: ['a', 'b'] } })));
    expect(allowed.principal?.scopes).toEqual(['a', 'b']);
  });

  it('only configured scope claims grant anything', async () => {
    const { mint, evaluateToken } = harness({ issuer: { scopeClaims: { roles: 'array' } } });
    const allowed = expectAllow(await evaluateToken(mint({ claims: { scope: 'admin', roles: ['reader'] } })));
    expect(allowed.principal?.scopes).toEqual(['reader']);
  });

  it('readGrantedScopes de-duplicates and keeps claim order', () => {
    expect(readGrantedScopes({ scope: 'b a b', scp: ['a', 'c'] }, DEFAULT_CLAIMS)).toEqual({
      ok: true,
      scopes: ['b', 'a', 'c'],
    });
    expect(readGrantedScopes({}, DEFAULT_CLAIMS)).toEqual({ ok: true, scopes: [] });
    expect(readGrantedScopes({ scope: '' }, DEFAULT_CLAIMS)).toEqual({ ok: true, scopes: [] });
  });
});

describe('#39: exact, case-sensitive scope matching', () => {
  it.each([
    ['a longer scope containing it', 'orders:write-admin'],
    ['a prefix of it', 'orders:writ'],
    ['another case', 'ORDERS:WRITE'],
    ['a wildcard', 'orders:*'],
    ['a bare star', '*'],
    ['it joined by a comma', 'orders:read,orders:write'],
    ['it joined by a tab', 'orders:read\torders:write'],
    ['it with a trailing NUL', 'orders:write\u0000'],
  ])('token scope %s does not satisfy orders:write (403 insufficient_scope)', async (_name, scope) => {
    const { mint, evaluateToken } = harness();
    const denied = expectDeny(
      await evaluateToken(mint({ claims: { scope } }), requireScopes('orders:write')),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    expect(denied.body.error).toBe('insufficient_scope');
  });

  it('a required wildcard is a literal scope, not a pattern', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(
      await evaluateToken(mint({ claims: { scope: 'orders:write' } }), requireScopes('orders:*')),
      'ERR_INSUFFICIENT_SCOPE',
    );
    expectAllow(await evaluateToken(mint({ claims: { scope: 'orders:*' } }), requireScopes('orders:*')));
  });
});

describe('AT-12: requirements', () => {
  it('requireScopes is all-of', async () => {
    const { mint, evaluateToken } = harness();
    const both = mint({ claims: { scope: 'orders:read orders:write' } });
    const one = mint({ claims: { scope: 'orders:read' } });
    expectAllow(await evaluateToken(both, requireScopes('orders:read', 'orders:write')));
    expectDeny(
      await evaluateToken(one, requireScopes('orders:read', 'orders:write')),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    // Scopes from different claims combine.
    expectAllow(
      await evaluateToken(
        mint({ claims: { scope: 'orders:read', permissions: ['orders:write'] } }),
        requireScopes('orders:read', 'orders:write'),
      ),
    );
  });

  it('requireAnyScope is any-of', async () => {
    const { mint, evaluateToken } = harness();
    const one = mint({ claims: { scope: 'orders:admin' } });
    expectAllow(await evaluateToken(one, requireAnyScope('orders:read', 'orders:admin')));
    expectDeny(
      await evaluateToken(one, requireAnyScope('orders:read', 'orders:write')),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    expectDeny(await evaluateToken(mint(), requireAnyScope('orders:read')), 'ERR_INSUFFICIENT_SCOPE', 403);
  });

  it('AT-12/B-8: 403 carries a parseable challenge with error="insufficient_scope" and the required scope', async () => {
    const { mint, evaluateToken } = harness({ guard: { realm: 'api' } });
    const denied = expectDeny(
      await evaluateToken(
        mint({ claims: { scope: 'orders:read secret:granted-scope' } }),
        requireScopes('orders:write', 'orders:read'),
      ),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    const [challenge] = parseChallenges(denied.headers['www-authenticate'] as string);
    expect(challenge?.scheme).toBe('Bearer');
    expect(challenge?.params).toMatchObject({
      realm: 'api',
      error: 'insufficient_scope',
      scope: 'orders:write orders:read',
    });
    // Only the requirement is named, never what the token was granted.
    expect(JSON.stringify([denied.headers, denied.body])).not.toContain('secret:granted-scope');
  });

  it.each([
    ['no scope', [], 'requireScopes'],
    ['an empty scope', [''], 'requireScopes'],
    ['a scope with a space', ['orders read'], 'requireScopes'],
    ['a scope with a quote', ['orders"read'], 'requireAnyScope'],
    ['a scope with a backslash', ['orders\\read'], 'requireAnyScope'],
    ['a non-ASCII scope', ['bestellungen:lesen\u00e4'], 'requireScopes'],
    ['a scope with CR/LF', ['a\r\nSet-Cookie: x'], 'requireScopes'],
    ['a non-string scope', [42], 'requireAnyScope'],
  ])('builders refuse %s with a ConfigError', (_name, scopes, builder) => {
    const build = builder === 'requireScopes' ? requireScopes : requireAnyScope;
    expect(() => build(...(scopes as string[]))).toThrow(ConfigError);
    expect(() => build(...(scopes as string[]))).toThrow(builder);
  });

  it('requirements are frozen data', () => {
    const requirement = requireScopes('a', 'b', 'a');
    expect(requirement).toEqual({ type: 'scopes', match: 'all', scopes: ['a', 'b'] });
    expect(Object.isFrozen(requirement)).toBe(true);
    expect(Object.isFrozen(requirement.scopes)).toBe(true);
  });
});

describe('publicRoute() routes', () => {
  it('no credentials → allow without a principal', async () => {
    const { guard, events } = harness();
    const allowed = expectAllow(await guard.evaluate(requestFacts(), publicRoute()));
    expect(allowed.principal).toBeUndefined();
    expect(events[0]).toMatchObject({ outcome: 'allow', reason: 'OK', requirement: 'public' });
  });

  it('valid credentials → allow with the principal', async () => {
    const { guard, mint } = harness();
    const allowed = expectAllow(await guard.evaluate(withAuthorization(`Bearer ${mint()}`), publicRoute()));
    expect(allowed.principal?.subject).toBe('user-1');
  });

  it.each([
    ['an expired token', (mint: () => string) => `Bearer ${mint()}`, 'ERR_TOKEN_EXPIRED', 401],
    ['a malformed header', () => 'Bearer a b', 'ERR_MALFORMED_CREDENTIALS', 400],
    ['garbage', () => 'Bearer garbage', 'ERR_TOKEN_MALFORMED', 401],
  ] as const)('invalid credentials (%s) are still refused', async (_name, header, code, status) => {
    const { guard, mint, clock } = harness();
    const value = header(() => mint());
    clock.ms += 3600_000;
    expectDeny(await guard.evaluate(withAuthorization(value), publicRoute()), code, status);
  });
});
