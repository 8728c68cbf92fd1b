/**
 * Sender-constrained tokens presented as Bearer tokens: checklist D-14, D-15 (RFC 9449 §7.1, §7.2), M-2
 * (RFC 8705 §3), attacks #40, #41. Until proofs of possession are verified, every token with a `cnf` claim
 * is refused — with the cache on or off, however often it is presented.
 */
import { describe, expect, it } from 'vitest';
import { bearerBindingProblem } from '../../src/bind/sender-binding.js';
import { expectAllow, expectDeny, harness } from '../support.js';

const BINDINGS: readonly [string, unknown][] = [
  ['cnf.jkt (DPoP, RFC 9449 §6)', { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }],
  ['cnf["x5t#S256"] (mTLS, RFC 8705 §3.1)', { 'x5t#S256': 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0' }],
  ['both jkt and x5t#S256 (M-6)', { jkt: 'a', 'x5t#S256': 'b' }],
  ['an unknown confirmation method', { kid: 'client-key-1' }],
  ['an empty cnf object', {}],
  ['a cnf that is not an object', 'jkt'],
  ['cnf: null', null],
];

describe('D-15/M-2: a bound token presented as Bearer is refused, never downgraded', () => {
  it.each(BINDINGS)('%s → 401 ERR_TOKEN_BOUND with the RFC 6750 challenge', async (_name, cnf) => {
    const { mint, evaluateToken, events } = harness();
    const denied = expectDeny(await evaluateToken(mint({ claims: { cnf } })), 'ERR_TOKEN_BOUND', 401);
    expect(denied.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The access token is sender-constrained and cannot be used as a Bearer token"',
    );
    expect(denied.body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token is sender-constrained and cannot be used as a Bearer token',
    });
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_TOKEN_BOUND', cacheHit: false });
    expect(events.at(-1)?.detail).toMatch(/sender-constrained/);
  });

  it.each([
    ['with the verified-token cache', true],
    ['without the cache', false],
  ])('D-15: %s, the same bound token stays refused on every presentation', async (_name, cached) => {
    const { mint, evaluateToken, events } = harness({ guard: cached ? {} : { cache: false } });
    const bound = mint({ claims: { cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } } });
    const plain = mint();
    for (let round = 0; round < 4; round++) {
      expectDeny(await evaluateToken(bound), 'ERR_TOKEN_BOUND');
      expectAllow(await evaluateToken(plain));
    }
    // The plain token is admitted to the cache on its second verification and then hit; the bound one never.
    const boundEvents = events.filter((event) => event.reason === 'ERR_TOKEN_BOUND');
    expect(boundEvents.every((event) => !event.cacheHit)).toBe(true);
    expect(events.some((event) => event.cacheHit)).toBe(cached);
  });

  it('the audit detail names the confirmation methods, never their values', () => {
    expect(bearerBindingProblem({ cnf: { jkt: 'secret-thumbprint' } })).toBe(
      'token is sender-constrained (cnf: DPoP key (RFC 9449)); it cannot be used as a Bearer token',
    );
    expect(bearerBindingProblem({ cnf: { 'x5t#S256': 'x', jwk: {} } })).toMatch(
      /TLS client certificate \(RFC 8705\), other/,
    );
    expect(bearerBindingProblem({ sub: 'user-1' })).toBeUndefined();
    expect(bearerBindingProblem({ cnf: { jkt: 'secret-thumbprint' } })).not.toContain('secret-thumbprint');
  });
});
